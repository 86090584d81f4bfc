// The shape every review app's adapter has: which of these products this customer already
// reviewed, as the app's public API says. One file per app with such an API (judgeme.server.ts).

export interface ReviewedProductsRequest {
  shop: string; // the myshopify.com domain
  email: string; // the reviewer's address, as the order has it
  customerId: string | null; // Shopify's customer GID, when the order has a customer
  productIds: string[]; // Shopify product GIDs
}

export interface ReviewAppClient {
  name: string;
  /** The product GIDs of `productIds` the customer already reviewed; throws ReviewAppError. */
  reviewedProducts(req: ReviewedProductsRequest): Promise<Set<string>>;
}

/** The review app could not answer (refused, down, a shape we do not know). The send goes on. */
export class ReviewAppError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = "ReviewAppError";
  }
}

// Shopify's GIDs end in the numeric id the review apps call the external id.
export function numericShopifyId(gid: string): string | null {
  const m = /(\d+)$/.exec(gid);
  return m ? m[1] : null;
}
