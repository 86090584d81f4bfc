// The few facts about an order that sending a follow-up needs, taken from a
// Shopify orders/* webhook payload (REST shape). Nothing else is kept.
import { customerTimeZoneOf, type CustomerAddress, type TimeZoneSource } from "./customer-time-zone";

export interface OrderFacts {
  orderId: string; // gid://shopify/Order/123
  name: string; // "#1001"
  customerId: string | null; // gid://shopify/Customer/456
  email: string | null;
  firstName: string | null;
  locale: string | null;
  countryCode: string | null; // shipping country, for prices in the customer's currency
  currency: string; // what the customer paid in (presentment currency)
  totalPrice: string;
  subtotalPrice: string | null;
  shopCurrency: string | null;
  totalPriceShop: string | null;
  productIds: string[]; // gid://shopify/Product/…, unique, in line item order
  orderedAt: Date;
  cancelledAt: Date | null;
  // What entry conditions look at (conditions.ts), as far as the payload tells.
  lineItems: OrderLineItem[];
  orderTags: string[];
  // Shopify left tags and orders_count out of the customer in webhooks from 2025-01; they are
  // read when present, else looked up in the Admin API when a flow's conditions need them.
  customerTags: string[] | null;
  customerOrdersCount: number | null;
  sourceName: string | null;
  discountCodes: string[];
  financialStatus: string | null;
  // Estimated from the shipping (else billing) address; null when the address does not tell.
  customerTimeZone?: { timeZone: string; source: TimeZoneSource } | null;
}

export interface OrderLineItem {
  productId: string | null;
  variantId: string | null;
  title: string | null;
  vendor: string | null;
  quantity: number;
  // Filled from the Admin API (product facts), never from the webhook.
  productType?: string | null;
  productTags?: string[];
  collectionIds?: string[];
}

export class InvalidOrderPayloadError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`The order payload is not usable: ${problems.join("; ")}`);
    this.name = "InvalidOrderPayloadError";
    this.problems = problems;
  }
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
// Text from a payload as it may be stored: PostgreSQL text cannot hold U+0000 (no name, email or
// tag needs it), and Prisma's query engine refuses a lone UTF-16 surrogate, which becomes U+FFFD.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
export const storableText = (s: string): string => s.replaceAll("\u0000", "").replace(LONE_SURROGATE, "\ufffd");

const str = (v: unknown): string | null => {
  const s = typeof v === "string" ? storableText(v).trim() : typeof v === "number" && Number.isFinite(v) ? String(v) : null;
  return s ? s : null;
};

// Shopify's ids are 64-bit integers: at most 20 digits (a longer string would not fit the indexes either).
const NUMERIC_ID = /^\d{1,20}$/;

function gid(kind: string, graphqlId: unknown, numericId: unknown): string | null {
  const g = str(graphqlId);
  const prefix = `gid://shopify/${kind}/`;
  if (g && g.startsWith(prefix) && NUMERIC_ID.test(g.slice(prefix.length))) return g;
  const n = typeof numericId === "number" && !Number.isSafeInteger(numericId) ? null : str(numericId);
  return n && NUMERIC_ID.test(n) ? `${prefix}${n}` : null;
}

// Years a follow-up's delay can still be added to and stored: JavaScript's dates reach the year
// 275760, but Prisma's engine reads only four-digit years, so an order "placed" in 9999 would
// schedule follow-ups it cannot write.
export const EARLIEST_DATE = Date.UTC(1970, 0, 1);
export const LATEST_DATE = Date.UTC(2999, 11, 31, 23, 59, 59);

export function dateInRange(v: unknown): Date | null {
  const s = str(v);
  if (!s) return null;
  const d = new Date(s);
  const t = d.getTime();
  return Number.isNaN(t) || t < EARLIEST_DATE || t > LATEST_DATE ? null : d;
}

const date = dateInRange;

// A date field that is present must be a date in range; absent is the caller's business.
function checkedDate(payload: Json, field: string, problems: string[]): Date | null {
  const v = payload[field];
  if (v === null || v === undefined || v === "") return null;
  const d = date(v);
  if (!d) problems.push(`${field} "${String(v).slice(0, 40)}" is not a date between 1970 and 2999`);
  return d;
}

function decimal(v: unknown): string | null {
  const s = str(v);
  return s && /^-?\d+(\.\d+)?$/.test(s) ? s : null;
}

// Shopify's *_set fields carry both the shop and the presentment (customer) money.
function presentment(set: unknown): { amount: string; currency: string } | null {
  if (!isObject(set) || !isObject(set.presentment_money)) return null;
  const amount = decimal(set.presentment_money.amount);
  const currency = str(set.presentment_money.currency_code);
  return amount && currency ? { amount, currency } : null;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function orderFactsFromWebhook(payload: unknown): OrderFacts {
  if (!isObject(payload)) throw new InvalidOrderPayloadError(["the body is not a JSON object"]);
  const problems: string[] = [];

  const orderId = gid("Order", payload.admin_graphql_api_id, payload.id);
  if (!orderId) problems.push("id is missing or not numeric");
  const name = str(payload.name) ?? (str(payload.order_number) ? `#${str(payload.order_number)}` : null);
  if (!name) problems.push("name is missing");

  const customer = isObject(payload.customer) ? payload.customer : null;
  const customerId = customer ? gid("Customer", customer.admin_graphql_api_id, customer.id) : null;
  const rawEmail = str(payload.email) ?? str(payload.contact_email) ?? (customer ? str(customer.email) : null);
  // 254 characters is the longest address mail can carry.
  const email = rawEmail && rawEmail.length <= 254 && EMAIL.test(rawEmail) ? rawEmail.toLowerCase() : null;
  const billing = isObject(payload.billing_address) ? payload.billing_address : null;
  const shipping = isObject(payload.shipping_address) ? payload.shipping_address : null;
  const firstName = (customer && str(customer.first_name)) ?? (billing && str(billing.first_name)) ?? null;
  const locale = str(payload.customer_locale) ?? (customer ? str(customer.locale) : null);
  const countryCode =
    (shipping && str(shipping.country_code)) ?? (billing && str(billing.country_code)) ?? null;

  const shopCurrency = str(payload.currency);
  const totalShop = decimal(payload.total_price);
  const total = presentment(payload.total_price_set);
  const subtotal = presentment(payload.subtotal_price_set);
  const currency = total?.currency ?? str(payload.presentment_currency) ?? shopCurrency;
  const totalPrice = total?.amount ?? totalShop;
  if (!currency) problems.push("currency is missing");
  if (!totalPrice) problems.push("total_price is missing or not a decimal");

  const lineItems = payload.line_items;
  // A Set keeps the distinct ids linear in the number of line items (an order may carry thousands).
  const productIds = new Set<string>();
  const items: OrderLineItem[] = [];
  if (!Array.isArray(lineItems)) {
    problems.push("line_items is not a list");
  } else {
    for (const item of lineItems) {
      if (!isObject(item)) continue;
      // Custom items and deleted products have no product_id; they cannot be recommended against.
      const id = gid("Product", null, item.product_id);
      if (id) productIds.add(id);
      const quantity = Number(item.quantity);
      items.push({
        productId: id,
        variantId: gid("ProductVariant", null, item.variant_id),
        title: str(item.title),
        vendor: str(item.vendor),
        quantity: Number.isInteger(quantity) && quantity > 0 ? quantity : 1,
      });
    }
  }

  const dateProblems: string[] = [];
  const createdAt = checkedDate(payload, "created_at", dateProblems);
  const processedAt = checkedDate(payload, "processed_at", dateProblems);
  const cancelledAt = checkedDate(payload, "cancelled_at", dateProblems);
  const orderedAt = createdAt ?? processedAt;
  problems.push(...dateProblems);
  if (!orderedAt && !dateProblems.length) problems.push("created_at is missing or not a date");

  if (problems.length) throw new InvalidOrderPayloadError(problems);
  return {
    orderId: orderId!,
    name: name!,
    customerId,
    email,
    firstName,
    locale: locale ? locale.replace("_", "-") : null,
    countryCode: countryCode ? countryCode.toUpperCase() : null,
    currency: currency!.toUpperCase(),
    totalPrice: totalPrice!,
    subtotalPrice: subtotal?.amount ?? decimal(payload.subtotal_price),
    shopCurrency: shopCurrency ? shopCurrency.toUpperCase() : null,
    totalPriceShop: totalShop,
    productIds: [...productIds],
    orderedAt: orderedAt!,
    cancelledAt,
    lineItems: items,
    orderTags: tagList(payload.tags) ?? [],
    customerTags: customer ? tagList(customer.tags) : null,
    customerOrdersCount: customer && Number.isInteger(customer.orders_count) ? (customer.orders_count as number) : null,
    sourceName: str(payload.source_name),
    discountCodes: Array.isArray(payload.discount_codes)
      ? payload.discount_codes.flatMap((d) => (isObject(d) && str(d.code) ? [str(d.code)!] : []))
      : [],
    financialStatus: str(payload.financial_status)?.toLowerCase() ?? null,
    customerTimeZone: customerTimeZoneOf({ shipping: addressOf(shipping), billing: addressOf(billing) }),
  };
}

function addressOf(address: Json | null): CustomerAddress | null {
  if (!address) return null;
  return { countryCode: str(address.country_code), provinceCode: str(address.province_code), zip: str(address.zip) };
}

// Shopify's REST tags are one comma-separated string ("vip, wholesale").
function tagList(v: unknown): string[] | null {
  if (Array.isArray(v)) return v.flatMap((t) => (str(t) ? [str(t)!] : []));
  if (typeof v !== "string") return null;
  return storableText(v).split(",").map((t) => t.trim()).filter(Boolean);
}

// When an order trigger happened, from its payload: orders/paid has no paid_at, so the
// delivery's X-Shopify-Triggered-At (or receipt) stands in; orders/fulfilled uses the latest
// fulfillment's time.
export function fulfilledAtFromWebhook(payload: unknown): Date | null {
  if (!isObject(payload) || !Array.isArray(payload.fulfillments)) return null;
  const times = payload.fulfillments
    .flatMap((f) => (isObject(f) ? [date(f.created_at) ?? date(f.updated_at)] : []))
    .filter((d): d is Date => d !== null)
    .map((d) => d.getTime());
  return times.length ? new Date(Math.max(...times)) : null;
}

export interface FulfillmentEventFacts {
  orderId: string;
  status: string; // delivered, in_transit, out_for_delivery, …
  happenedAt: Date | null;
}

// fulfillment_events/create: { id, fulfillment_id, status, happened_at, order_id, … }
export function fulfillmentEventFromWebhook(payload: unknown): FulfillmentEventFacts {
  if (!isObject(payload)) throw new InvalidOrderPayloadError(["the body is not a JSON object"]);
  const problems: string[] = [];
  const orderId = gid("Order", null, payload.order_id);
  if (!orderId) problems.push("order_id is missing or not numeric");
  const status = str(payload.status)?.toLowerCase();
  if (!status) problems.push("status is missing");
  const happenedAt = checkedDate(payload, "happened_at", problems) ?? checkedDate(payload, "created_at", problems);
  if (problems.length) throw new InvalidOrderPayloadError(problems);
  return { orderId: orderId!, status: status!, happenedAt };
}

// orders/cancelled needs only the order's id.
export function orderIdFromWebhook(payload: unknown): string {
  if (!isObject(payload)) throw new InvalidOrderPayloadError(["the body is not a JSON object"]);
  const orderId = gid("Order", payload.admin_graphql_api_id, payload.id);
  if (!orderId) throw new InvalidOrderPayloadError(["id is missing or not numeric"]);
  return orderId;
}
