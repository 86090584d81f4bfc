// A stand-in for Judge.me's public REST API, as strict as the real one where the app relies on it:
// GET /api/v1/reviews needs shop_domain and the shop's private api_token as query parameters
// (401 without the right token), pages with page/per_page (at most 100), reviews newest first
// with product_external_id and reviewer { email, external_id }. Anything else is 404.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface StandInReview {
  productExternalId: number; // the Shopify product's numeric id
  reviewerEmail: string;
  reviewerExternalId?: number | null; // the Shopify customer's numeric id
  rating: number;
  createdAt?: Date;
}

export interface JudgeMeStandInRequest {
  path: string;
  query: Record<string, string>;
  status: number;
}

export interface JudgeMeStandIn {
  url: string;
  requests: JudgeMeStandInRequest[];
  // The shop's private token and its reviews; a shop not added here is unknown to Judge.me.
  addShop(shop: string, apiToken: string): void;
  addReview(shop: string, review: StandInReview): void;
  // Every request answers 503 while down.
  setDown(value?: boolean): void;
  clear(): void;
  close(): Promise<void>;
}

const MAX_PER_PAGE = 100;

export async function startJudgeMeStandIn({ host = "127.0.0.1" }: { host?: string } = {}): Promise<JudgeMeStandIn> {
  const tokens = new Map<string, string>();
  const reviews = new Map<string, Array<StandInReview & { id: number }>>();
  const requests: JudgeMeStandInRequest[] = [];
  let down = false;
  let nextId = 1000;

  function answer(req: http.IncomingMessage): { status: number; body: unknown } {
    const url = new URL(req.url ?? "/", `http://${host}`);
    const query = Object.fromEntries(url.searchParams);
    if (down) return { status: 503, body: { error: "Service Unavailable" } };
    if (req.method !== "GET" || url.pathname !== "/api/v1/reviews") return { status: 404, body: { error: "Not Found" } };
    const shop = query.shop_domain;
    const token = query.api_token;
    if (!token) return { status: 401, body: { error: "api_token is missing" } };
    if (!shop) return { status: 422, body: { error: "shop_domain is missing" } };
    if (!tokens.has(shop)) return { status: 404, body: { error: `Shop ${shop} not found` } };
    if (tokens.get(shop) !== token) return { status: 401, body: { error: "Invalid api_token" } };
    const page = query.page === undefined ? 1 : Number(query.page);
    const perPage = query.per_page === undefined ? 10 : Number(query.per_page);
    if (!Number.isInteger(page) || page < 1) return { status: 422, body: { error: "page must be a positive integer" } };
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > MAX_PER_PAGE) {
      return { status: 422, body: { error: `per_page must be between 1 and ${MAX_PER_PAGE}` } };
    }
    const all = [...(reviews.get(shop) ?? [])].sort((a, b) => b.id - a.id);
    const slice = all.slice((page - 1) * perPage, page * perPage);
    return {
      status: 200,
      body: {
        current_page: page,
        per_page: perPage,
        reviews: slice.map((r) => ({
          id: r.id,
          title: "",
          body: "",
          rating: r.rating,
          product_external_id: r.productExternalId,
          reviewer: { id: r.id + 50_000, external_id: r.reviewerExternalId ?? null, email: r.reviewerEmail, name: "Reviewer" },
          source: "web",
          hidden: false,
          created_at: (r.createdAt ?? new Date()).toISOString(),
        })),
      },
    };
  }

  const server = http.createServer((req, res) => {
    const { status, body } = answer(req);
    const url = new URL(req.url ?? "/", `http://${host}`);
    requests.push({ path: url.pathname, query: Object.fromEntries(url.searchParams), status });
    res.writeHead(status, { "Content-Type": "application/json; charset=utf-8" });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://${host}:${port}`,
    requests,
    addShop(shop, apiToken) {
      tokens.set(shop, apiToken);
    },
    addReview(shop, review) {
      const list = reviews.get(shop) ?? [];
      list.push({ ...review, id: nextId++ });
      reviews.set(shop, list);
    },
    setDown(value = true) {
      down = value;
    },
    clear() {
      reviews.clear();
      requests.length = 0;
      down = false;
    },
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
