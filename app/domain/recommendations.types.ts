// Shapes shared by the recommendation engine, the Admin API adapter and the emails.

export type RecommendationSource = "complementary" | "related" | "best_seller";

export interface Money {
  amount: string; // decimal string, as the Admin API gives it
  currencyCode: string;
}

// A product as the recommendation engine sees it, from the Admin API.
export interface CandidateProduct {
  id: string; // gid://shopify/Product/123
  title: string;
  handle: string;
  status: string; // ACTIVE | ARCHIVED | DRAFT | UNLISTED
  onlineStoreUrl: string | null;
  imageUrl: string | null;
  imageAlt: string | null;
  price: Money; // lowest variant price, in the currency asked for
  availableForSale: boolean;
  totalInventory: number | null;
  tracksInventory: boolean;
}

export interface RecommendedProduct {
  id: string;
  title: string;
  url: string; // storefront URL, UTM tags not yet added
  imageUrl: string | null;
  imageAlt: string | null;
  price: Money;
  source: RecommendationSource;
}
