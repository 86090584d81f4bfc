// Shapes shared by the recommendation engine, the Admin API adapter and the emails.

import type { Money } from "../../emails/types";

// The emails define what they show of a product; the engine produces exactly that.
export type { Money, RecommendationSource, RecommendedProduct } from "../../emails/types";

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
