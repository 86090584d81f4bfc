// Where a review request's star links go: the product's page, at the review app's widget, with the
// star the customer picked. None of the apps documents a URL that opens its form with a rating
// already chosen, so every link carries `rating=N` (for a theme script or a later app to read)
// and lands on the widget's anchor; docs/templates.md says what each app documents and where.

export const REVIEW_APPS = ["judgeme", "yotpo", "okendo", "shopify_product_reviews", "custom"] as const;
export type ReviewApp = (typeof REVIEW_APPS)[number];

export const RATINGS = [1, 2, 3, 4, 5] as const;
export type Rating = (typeof RATINGS)[number];

export interface ReviewAppDefinition {
  name: string; // as the merchant reads it in Settings
  // The id of the element the app's product-page widget renders, as a fragment.
  anchor: string;
  // Whether the app has a public API that says which products a reviewer already reviewed.
  checksReviewed: boolean;
}

export const REVIEW_APP_DEFINITIONS: Record<ReviewApp, ReviewAppDefinition> = {
  // The Review Widget's element: <div id="judgeme_product_reviews" class="jdgm-widget …">.
  judgeme: { name: "Judge.me", anchor: "#judgeme_product_reviews", checksReviewed: true },
  // Yotpo's Reviews Widget is a class (yotpo-main-widget), not an id: a fragment cannot reach it,
  // so the link lands on the id the merchant gives its section, #yotpo-reviews unless set.
  yotpo: { name: "Yotpo", anchor: "#yotpo-reviews", checksReviewed: false },
  // Okendo's widget is placed by an app block with no documented id: the same rule as Yotpo.
  okendo: { name: "Okendo", anchor: "#okendo-reviews", checksReviewed: false },
  // Shopify's Product Reviews app: <div id="shopify-product-reviews" data-id="{{ product.id }}">.
  shopify_product_reviews: { name: "Shopify Product Reviews", anchor: "#shopify-product-reviews", checksReviewed: false },
  custom: { name: "Another app or my theme", anchor: "#reviews", checksReviewed: false },
};

export function isReviewApp(value: unknown): value is ReviewApp {
  return typeof value === "string" && (REVIEW_APPS as readonly string[]).includes(value);
}

// A fragment the storefront can carry: # and a letter, then letters, digits, _ or -.
const ANCHOR = /^#[A-Za-z][\w-]{0,60}$/;

export function isReviewAnchor(value: unknown): value is string {
  return typeof value === "string" && ANCHOR.test(value);
}

/** The anchor the links use: the step's, else the shop's override, else the app's own. */
export function reviewAnchor({ app, shopAnchor, stepAnchor }: { app: ReviewApp; shopAnchor?: string | null; stepAnchor?: string | null }): string {
  if (stepAnchor && isReviewAnchor(stepAnchor)) return stepAnchor;
  if (shopAnchor && isReviewAnchor(shopAnchor)) return shopAnchor;
  return REVIEW_APP_DEFINITIONS[app].anchor;
}

/** The page that opens the product's reviews with `rating` stars chosen, or null without a page. */
export function ratingLink({ productUrl, anchor, rating }: { productUrl: string | null; anchor: string; rating: Rating }): string | null {
  if (!productUrl) return null;
  let url: URL;
  try {
    url = new URL(productUrl);
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  url.searchParams.set("rating", String(rating));
  url.hash = isReviewAnchor(anchor) ? anchor : REVIEW_APP_DEFINITIONS.custom.anchor;
  return url.toString();
}

/** The five star links of one product, one to five. */
export function ratingLinks({ productUrl, anchor }: { productUrl: string | null; anchor: string }): Array<{ rating: Rating; url: string }> {
  return RATINGS.flatMap((rating) => {
    const url = ratingLink({ productUrl, anchor, rating });
    return url ? [{ rating, url }] : [];
  });
}

const DAY_MS = 24 * 60 * 60 * 1000;

// A product is not asked about again for a year unless the merchant sets another period.
export const DEFAULT_REASK_DAYS = 365;

/**
 * Which of an order's products the review request asks about: those not asked about within
 * `reaskDays` (0: always ask again) and not already reviewed, in the order's order.
 */
export function productsToAsk({
  productIds,
  askedAt,
  reviewed,
  reaskDays,
  now,
}: {
  productIds: string[];
  // When each product was last asked about for this customer.
  askedAt: Map<string, Date>;
  reviewed: Set<string>;
  reaskDays: number;
  now: Date;
}): { ask: string[]; askedRecently: string[]; alreadyReviewed: string[] } {
  const ask: string[] = [];
  const askedRecently: string[] = [];
  const alreadyReviewed: string[] = [];
  const since = now.getTime() - reaskDays * DAY_MS;
  for (const id of productIds) {
    const asked = askedAt.get(id);
    if (reviewed.has(id)) alreadyReviewed.push(id);
    else if (reaskDays > 0 && asked && asked.getTime() > since) askedRecently.push(id);
    else ask.push(id);
  }
  return { ask, askedRecently, alreadyReviewed };
}
