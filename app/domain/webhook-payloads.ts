// Which shop and topic a signed webhook body belongs to, as far as the body itself can tell.
// Shopify's HMAC covers the body only: X-Shopify-Shop-Domain and X-Shopify-Topic are not signed,
// so a captured body could be posted again under another shop's header or to another topic's
// URL. Each check here binds the body to the delivery's shop and topic where its shape allows.

export class RefusedWebhookPayloadError extends Error {
  readonly problems: string[];
  readonly reason: "topic_mismatch" | "shop_mismatch" | "wrong_shape";
  constructor(reason: RefusedWebhookPayloadError["reason"], problems: string[]) {
    super(`The webhook body is refused: ${problems.join("; ")}`);
    this.name = "RefusedWebhookPayloadError";
    this.reason = reason;
    this.problems = problems;
  }
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

// "orders/create", "customers_email_marketing_consent/update" and "ORDERS_CREATE" all name a
// topic; the enum form is how authenticate.webhook and our delivery rows spell it.
export const topicEnum = (topic: string): string => topic.toUpperCase().replace(/\/|\./g, "_");

// The route a delivery was posted to must be the topic Shopify sent it for.
export function assertTopicOfRoute(routeTopic: string, headerTopic: string): void {
  if (topicEnum(routeTopic) !== topicEnum(headerTopic)) {
    throw new RefusedWebhookPayloadError("topic_mismatch", [
      `the delivery is for ${headerTopic} but was posted to /webhooks/${routeTopic}`,
    ]);
  }
}

const sameDomain = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

// app/uninstalled carries the shop's REST resource; its myshopify_domain names the shop.
export function assertShopResource(payload: unknown, shop: string): void {
  if (!isObject(payload)) throw new RefusedWebhookPayloadError("wrong_shape", ["the body is not a JSON object"]);
  const domain = payload.myshopify_domain;
  if (typeof domain !== "string" || !domain.trim()) {
    throw new RefusedWebhookPayloadError("wrong_shape", ["myshopify_domain is missing, so the body is not a shop"]);
  }
  if (!sameDomain(domain, shop)) {
    throw new RefusedWebhookPayloadError("shop_mismatch", [`the body is the shop ${domain.trim()}, not ${shop}`]);
  }
}

// The compliance topics name their shop in shop_domain.
export function assertComplianceShop(payload: unknown, shop: string): void {
  if (!isObject(payload)) throw new RefusedWebhookPayloadError("wrong_shape", ["the body is not a JSON object"]);
  const domain = payload.shop_domain;
  if (typeof domain !== "string" || !domain.trim()) {
    throw new RefusedWebhookPayloadError("wrong_shape", ["shop_domain is missing"]);
  }
  if (!sameDomain(domain, shop)) {
    throw new RefusedWebhookPayloadError("shop_mismatch", [`the body names the shop ${domain.trim()}, not ${shop}`]);
  }
}

// An order body is an object with line_items; the other topics' bodies never have them.
export function assertNotAnOrder(payload: unknown, topic: string): void {
  if (isObject(payload) && "line_items" in payload) {
    throw new RefusedWebhookPayloadError("wrong_shape", [`an order is not a ${topic} body`]);
  }
}

// orders/cancelled is the order after cancellation: without cancelled_at it is another topic's body.
export function assertCancelledOrder(payload: unknown): void {
  if (isObject(payload) && (payload.cancelled_at === null || payload.cancelled_at === undefined || payload.cancelled_at === "")) {
    throw new RefusedWebhookPayloadError("wrong_shape", ["cancelled_at is empty, so the order is not cancelled"]);
  }
}

// orders/fulfilled is the order once every line is fulfilled.
export function assertFulfilledOrder(payload: unknown): void {
  if (isObject(payload) && String(payload.fulfillment_status ?? "").toLowerCase() !== "fulfilled") {
    throw new RefusedWebhookPayloadError("wrong_shape", [`fulfillment_status is "${String(payload.fulfillment_status)}", not "fulfilled"`]);
  }
}

// What an order's order_status_url says of its shop. Shopify builds it on the domain the customer
// checked out on: the shop's myshopify.com domain, or (most shops) its own primary domain.
//   "this shop": the URL is on this shop's myshopify domain or its known storefront domain;
//   "another shop": it is on another myshopify.com domain;
//   "unknown": no URL, or a custom domain we cannot tie to the shop; the Admin API must tell.
export type OrderShop = "this shop" | "another shop" | "unknown";

export function orderShopFromStatusUrl({
  payload,
  shop,
  storefrontUrl,
}: {
  payload: unknown;
  shop: string;
  storefrontUrl: string | null;
}): OrderShop {
  if (!isObject(payload) || typeof payload.order_status_url !== "string") return "unknown";
  const host = hostOf(payload.order_status_url);
  if (!host) return "unknown";
  if (host === shop.trim().toLowerCase()) return "this shop";
  if (host.endsWith(".myshopify.com")) return "another shop";
  const storefront = storefrontUrl ? hostOf(storefrontUrl) : null;
  return storefront && storefront === host ? "this shop" : "unknown";
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname.toLowerCase() || null;
  } catch {
    return null;
  }
}

// shop/update carries the REST shop resource: what the Shop row keeps of it. A field the body
// lacks is left as stored; a body of the wrong shape is refused before anything changes.
export interface ShopProfileFromWebhook {
  name?: string;
  email?: string;
  ownerEmail?: string;
  currencyCode?: string;
  ianaTimezone?: string;
  primaryLocale?: string;
  address?: string | null;
}

export function shopProfileFromWebhook(payload: unknown, shop: string): ShopProfileFromWebhook {
  assertShopResource(payload, shop);
  const body = payload as Json;
  const problems: string[] = [];
  const text = (key: string): string | undefined => {
    const value = body[key];
    if (value === undefined || value === null || value === "") return undefined;
    if (typeof value !== "string") {
      problems.push(`${key} is not a string`);
      return undefined;
    }
    return value.trim() || undefined;
  };
  const ianaTimezone = text("iana_timezone");
  if (ianaTimezone && !isTimeZone(ianaTimezone)) problems.push(`iana_timezone "${ianaTimezone}" is not an IANA time zone`);
  const currency = text("currency");
  if (currency && !/^[A-Z]{3}$/.test(currency)) problems.push(`currency "${currency}" is not an ISO 4217 code`);
  const cityLine = [text("zip"), text("city")].filter(Boolean).join(" ");
  const addressParts = [text("address1"), text("address2"), cityLine, text("province"), text("country_name")].filter(Boolean);
  const profile: ShopProfileFromWebhook = {
    name: text("name"),
    // Customers write to the contact address; the owner's is the fallback, as in the Admin API read.
    email: text("customer_email") ?? text("email"),
    ownerEmail: text("email"),
    currencyCode: currency,
    ianaTimezone,
    primaryLocale: text("primary_locale"),
    address: "address1" in body || "city" in body ? addressParts.join(", ") || null : undefined,
  };
  if (problems.length) throw new RefusedWebhookPayloadError("wrong_shape", problems);
  return Object.fromEntries(Object.entries(profile).filter(([, v]) => v !== undefined)) as ShopProfileFromWebhook;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

// app_subscriptions/update: { app_subscription: { admin_graphql_api_id, name, status, updated_at, ... } }.
// The body names its shop only by admin_graphql_api_shop_id, which we do not keep; the
// subscription's id is what ties it to the shop that asked for it (app/services/billing).
export interface SubscriptionUpdateBody {
  id: string;
  name: string;
  status: string;
  updatedAt: Date | null;
}

const SUBSCRIPTION_STATUS = /^(PENDING|ACTIVE|CANCELLED|DECLINED|EXPIRED|FROZEN|ACCEPTED)$/;

export function subscriptionUpdateFromWebhook(payload: unknown): SubscriptionUpdateBody {
  if (!isObject(payload)) throw new RefusedWebhookPayloadError("wrong_shape", ["the body is not a JSON object"]);
  assertNotAnOrder(payload, "app_subscriptions/update");
  const s = payload.app_subscription;
  if (!isObject(s)) throw new RefusedWebhookPayloadError("wrong_shape", ["app_subscription is missing"]);
  const problems: string[] = [];
  const id = typeof s.admin_graphql_api_id === "string" ? s.admin_graphql_api_id : "";
  if (!/^gid:\/\/shopify\/AppSubscription\/\d+$/.test(id)) problems.push("app_subscription.admin_graphql_api_id is not an AppSubscription id");
  const status = typeof s.status === "string" ? s.status.toUpperCase() : "";
  if (!SUBSCRIPTION_STATUS.test(status)) problems.push(`app_subscription.status "${String(s.status)}" is not a subscription status`);
  if (typeof s.name !== "string") problems.push("app_subscription.name is missing");
  const updatedAt = typeof s.updated_at === "string" && !Number.isNaN(Date.parse(s.updated_at)) ? new Date(s.updated_at) : null;
  if (problems.length) throw new RefusedWebhookPayloadError("wrong_shape", problems);
  return { id, name: s.name as string, status, updatedAt };
}
