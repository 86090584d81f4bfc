// Judge.me's public REST API (https://judge.me/api/docs): GET /api/v1/reviews with the shop's
// domain and its private API token, pages of reviews newest first, each with its product's
// Shopify id (product_external_id) and the reviewer's email and Shopify customer id
// (reviewer.email, reviewer.external_id). The API has no filter by reviewer, so the pages are
// read until one comes back short or `maxPages` is reached.
import { numericShopifyId, ReviewAppError, type ReviewAppClient, type ReviewedProductsRequest } from "./review-app";

export const JUDGEME_API_URL = "https://judge.me";
const PER_PAGE = 100;

interface JudgeMeReview {
  product_external_id?: number | string | null;
  reviewer?: { email?: string | null; external_id?: number | string | null } | null;
}

export function createJudgeMeClient({
  apiToken,
  baseUrl = JUDGEME_API_URL,
  timeoutMs = 5_000,
  maxPages = 5,
  fetchImpl = fetch,
}: {
  apiToken: string;
  baseUrl?: string;
  timeoutMs?: number;
  maxPages?: number;
  fetchImpl?: typeof fetch;
}): ReviewAppClient {
  if (!apiToken.trim()) throw new Error("Judge.me needs the shop's private API token (Judge.me > Settings > Integrations > API).");
  return {
    name: "Judge.me",
    async reviewedProducts({ shop, email, customerId, productIds }: ReviewedProductsRequest): Promise<Set<string>> {
      const byExternalId = new Map(productIds.flatMap((gid) => {
        const n = numericShopifyId(gid);
        return n ? [[n, gid] as const] : [];
      }));
      const reviewed = new Set<string>();
      if (byExternalId.size === 0) return reviewed;
      const address = email.trim().toLowerCase();
      const customer = customerId ? numericShopifyId(customerId) : null;
      for (let page = 1; page <= maxPages; page++) {
        const url = new URL("/api/v1/reviews", baseUrl);
        url.searchParams.set("shop_domain", shop);
        url.searchParams.set("api_token", apiToken);
        url.searchParams.set("per_page", String(PER_PAGE));
        url.searchParams.set("page", String(page));
        let res: Response;
        try {
          res = await fetchImpl(url, { headers: { Accept: "application/json" }, signal: AbortSignal.timeout(timeoutMs) });
        } catch (err) {
          throw new ReviewAppError(`Judge.me could not be reached for ${shop}: ${(err as Error).message}`, null);
        }
        if (res.status === 401 || res.status === 403) {
          throw new ReviewAppError(`Judge.me refused the API token of ${shop} (${res.status}); paste the private token from Judge.me > Settings > Integrations > API in Settings > Reviews.`, res.status);
        }
        if (!res.ok) throw new ReviewAppError(`Judge.me answered ${res.status} for ${shop}'s reviews.`, res.status);
        const body = (await res.json().catch(() => null)) as { reviews?: unknown } | null;
        if (!body || !Array.isArray(body.reviews)) throw new ReviewAppError(`Judge.me's answer for ${shop} has no reviews list.`, res.status);
        for (const review of body.reviews as JudgeMeReview[]) {
          const product = review.product_external_id == null ? null : byExternalId.get(String(review.product_external_id));
          if (!product) continue;
          const byEmail = review.reviewer?.email?.trim().toLowerCase() === address;
          const byCustomer = customer !== null && review.reviewer?.external_id != null && String(review.reviewer.external_id) === customer;
          if (byEmail || byCustomer) reviewed.add(product);
        }
        if (reviewed.size === byExternalId.size || body.reviews.length < PER_PAGE) break;
      }
      return reviewed;
    },
  };
}
