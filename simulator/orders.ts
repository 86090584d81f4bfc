// Webhook payloads in the REST shape Shopify delivers them (orders/create, orders/cancelled,
// app/uninstalled and the three mandatory compliance topics), built from the seeded store so
// ids, prices and customers agree with what the Admin API simulator answers.

import { randomBytes, randomInt } from "node:crypto";
import {
  findCustomer,
  findProduct,
  gid,
  legacyId,
  marketFor,
  type SeedAddress,
  type SeedCustomer,
  type SeedOrder,
  type SeedOrderLine,
  type SeedStore,
} from "./store";

export interface OrderLineInput {
  productId: string; // gid://shopify/Product/…
  quantity: number;
  variantId?: string; // defaults to the product's first variant
}

export type DiscountCodeInput = string | { code: string; amount?: string; percentage?: number };

export interface OrderCreatedArgs {
  store: SeedStore;
  customerId?: string | null; // omitted: a guest checkout, which then needs `email`
  lines: OrderLineInput[];
  orderId?: number; // unique per call unless given
  orderNumber?: number; // defaults to the store's next number (1001, 1002, …)
  currency?: string; // presentment currency; defaults to the buyer's market currency
  countryCode?: string; // the buyer's country; defaults to the customer's address, else the shop's primary market
  createdAt?: string | Date;
  email?: string | null;
  discountCodes?: DiscountCodeInput[]; // a bare code takes 10 % off
  tags?: string[];
  test?: boolean;
  sourceName?: string;
  // Also add the order to the store, so order(id) and Customer.numberOfOrders see it (default true).
  record?: boolean;
}

export interface RestMoneySet {
  shop_money: { amount: string; currency_code: string };
  presentment_money: { amount: string; currency_code: string };
}

export interface RestAddress {
  first_name: string | null;
  last_name: string | null;
  name: string;
  company: string | null;
  address1: string;
  address2: string | null;
  city: string;
  province: string | null;
  province_code: string | null;
  zip: string;
  country: string;
  country_code: string;
  phone: string | null;
  latitude: number | null;
  longitude: number | null;
}

export interface RestLineItem {
  id: number;
  admin_graphql_api_id: string;
  product_id: number;
  variant_id: number;
  title: string;
  variant_title: string | null;
  name: string;
  quantity: number;
  current_quantity: number;
  fulfillable_quantity: number;
  price: string;
  price_set: RestMoneySet;
  total_discount: string;
  total_discount_set: RestMoneySet;
  sku: string;
  vendor: string;
  [field: string]: unknown;
}

export interface OrderPayload {
  id: number;
  admin_graphql_api_id: string;
  name: string;
  order_number: number;
  number: number;
  email: string | null;
  contact_email: string | null;
  customer: Record<string, unknown> | null;
  customer_locale: string;
  currency: string;
  presentment_currency: string;
  subtotal_price: string;
  total_price: string;
  total_discounts: string;
  total_price_set: RestMoneySet;
  line_items: RestLineItem[];
  created_at: string;
  processed_at: string;
  updated_at: string;
  cancelled_at: string | null;
  cancel_reason: string | null;
  closed_at: string | null;
  financial_status: string;
  fulfillment_status: string | null;
  source_name: string;
  tags: string;
  discount_codes: Array<{ code: string; amount: string; type: string }>;
  shipping_address: RestAddress | null;
  billing_address: RestAddress | null;
  [field: string]: unknown;
}

// Random starting points keep ids distinct across processes (parallel test workers) as well.
let nextOrderId = 6_300_000_000_000 + randomInt(0, 1_000_000) * 1000;
let nextLineItemId = 16_300_000_000_000 + randomInt(0, 1_000_000) * 1000;

const ONLINE_STORE_APP_ID = 580111;

// REST timestamps are in the shop's time zone with its offset, e.g. 2025-10-14T13:05:12+02:00.
export function shopTimestamp(value: string | Date, timeZone: string): string {
  const date = typeof value === "string" ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) throw new Error(`"${String(value)}" is not a date.`);
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    })
      .formatToParts(date)
      .map((part) => [part.type, part.value]),
  );
  const local = `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
  const offsetMinutes = Math.round((Date.parse(`${local}Z`) - Math.floor(date.getTime() / 1000) * 1000) / 60000);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function money(amount: number): string {
  return amount.toFixed(2);
}

function moneySet(shopAmount: number, shopCurrency: string, presentmentAmount: number, presentmentCurrency: string): RestMoneySet {
  return {
    shop_money: { amount: money(shopAmount), currency_code: shopCurrency },
    presentment_money: { amount: money(presentmentAmount), currency_code: presentmentCurrency },
  };
}

function restAddress(address: SeedAddress | null): RestAddress | null {
  if (!address) return null;
  return {
    first_name: address.firstName,
    last_name: address.lastName,
    name: [address.firstName, address.lastName].filter(Boolean).join(" "),
    company: address.company,
    address1: address.address1,
    address2: address.address2,
    city: address.city,
    province: address.province,
    province_code: address.provinceCode,
    zip: address.zip,
    country: address.country,
    country_code: address.countryCode,
    phone: address.phone,
    latitude: null,
    longitude: null,
  };
}

const COUNTRY_NAMES: Record<string, string> = { US: "United States", DE: "Germany", PL: "Poland" };
const GUEST_LOCALES: Record<string, string> = { US: "en", DE: "de", PL: "pl" };

function guestAddress(countryCode: string): SeedAddress {
  const samples: Record<string, Omit<SeedAddress, "firstName" | "lastName" | "company" | "phone" | "address2">> = {
    US: { address1: "500 Market Street", city: "San Francisco", province: "California", provinceCode: "CA", zip: "94105", country: "United States", countryCode: "US" },
    DE: { address1: "Torstraße 110", city: "Berlin", province: null, provinceCode: null, zip: "10119", country: "Germany", countryCode: "DE" },
    PL: { address1: "ul. Piotrkowska 90", city: "Łódź", province: null, provinceCode: null, zip: "90-103", country: "Poland", countryCode: "PL" },
  };
  const sample = samples[countryCode];
  if (!sample) throw new Error(`No sample address for ${countryCode}; pass a customer with an address or use US, DE or PL.`);
  return { firstName: null, lastName: null, company: null, phone: null, address2: null, ...sample };
}

function restCustomer(store: SeedStore, customer: SeedCustomer): Record<string, unknown> {
  const email = customer.defaultEmailAddress;
  return {
    id: legacyId(customer.id),
    email: customer.email,
    created_at: shopTimestamp(customer.createdAt, store.shop.ianaTimezone),
    updated_at: shopTimestamp(customer.updatedAt, store.shop.ianaTimezone),
    first_name: customer.firstName,
    last_name: customer.lastName,
    state: customer.state.toLowerCase(),
    note: customer.note,
    verified_email: customer.verifiedEmail,
    multipass_identifier: null,
    tax_exempt: false,
    phone: customer.phone,
    email_marketing_consent: email
      ? {
          state: email.marketingState.toLowerCase(),
          opt_in_level: email.marketingOptInLevel?.toLowerCase() ?? null,
          consent_updated_at: email.marketingUpdatedAt ? shopTimestamp(email.marketingUpdatedAt, store.shop.ianaTimezone) : null,
        }
      : null,
    sms_marketing_consent: null,
    tags: customer.tags.join(", "),
    currency: store.shop.currencyCode,
    tax_exemptions: [],
    admin_graphql_api_id: customer.id,
    default_address: customer.address
      ? {
          id: legacyId(customer.id) + 1_000_000,
          customer_id: legacyId(customer.id),
          ...restAddress(customer.address),
          country_name: customer.address.country,
          default: true,
        }
      : null,
  };
}

// What the buyer sees on the thank-you page: nine letters and digits, no look-alikes.
function confirmationNumber(): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  return Array.from({ length: 9 }, () => alphabet[randomInt(alphabet.length)]).join("");
}

function nextOrderNumber(store: SeedStore): number {
  return Math.max(1000, ...store.orders.map((order) => order.orderNumber)) + 1;
}

export function orderCreatedPayload(args: OrderCreatedArgs): OrderPayload {
  const { store } = args;
  const shop = store.shop;
  if (args.lines.length === 0) throw new Error("An order needs at least one line.");

  const customer = args.customerId ? findCustomer(store, args.customerId) : undefined;
  if (args.customerId && !customer) throw new Error(`No customer ${args.customerId} in ${shop.myshopifyDomain}.`);
  const email = args.email !== undefined ? args.email : (customer?.email ?? null);
  if (!customer && args.email === undefined) {
    throw new Error("A guest checkout needs an email (or pass customerId for a known customer).");
  }

  const countryCode = args.countryCode ?? customer?.address?.countryCode ?? marketFor(store, null).countries[0];
  const market = marketFor(store, countryCode);
  const currency = args.currency ?? market.currencyCode;
  if (currency !== market.currencyCode && currency !== shop.currencyCode) {
    throw new Error(`Buyers in ${countryCode} pay in ${market.currencyCode} or ${shop.currencyCode}, not ${currency}.`);
  }

  const lines: SeedOrderLine[] = args.lines.map((line) => {
    const product = findProduct(store, line.productId);
    if (!product) throw new Error(`No product ${line.productId} in ${shop.myshopifyDomain}.`);
    if (product.status !== "ACTIVE" && product.status !== "UNLISTED") {
      throw new Error(`${product.title} (${product.id}) is ${product.status} and cannot be bought.`);
    }
    const variant = line.variantId ? product.variants.find((v) => v.id === line.variantId) : product.variants[0];
    if (!variant) throw new Error(`${line.variantId} is not a variant of ${product.title}.`);
    if (!Number.isInteger(line.quantity) || line.quantity < 1) {
      throw new Error(`Quantity for ${product.title} must be a whole number of at least 1, not ${line.quantity}.`);
    }
    const price = currency === shop.currencyCode ? variant.price : variant.marketPrices[countryCode];
    if (!price) throw new Error(`${product.title} has no ${currency} price for ${countryCode}.`);
    nextLineItemId += 1;
    return {
      id: gid("LineItem", nextLineItemId),
      productId: product.id,
      variantId: variant.id,
      title: product.title,
      variantTitle: variant.title === "Default Title" ? null : variant.title,
      sku: variant.sku,
      vendor: product.vendor,
      quantity: line.quantity,
      price,
      shopPrice: variant.price,
    };
  });

  const subtotal = lines.reduce((sum, line) => sum + Number(line.price) * line.quantity, 0);
  const shopSubtotal = lines.reduce((sum, line) => sum + Number(line.shopPrice) * line.quantity, 0);
  const toShop = (amount: number) => (subtotal === 0 ? 0 : (amount * shopSubtotal) / subtotal);

  let remaining = subtotal;
  const discounts = (args.discountCodes ?? []).map((input) => {
    const discount = typeof input === "string" ? { code: input, percentage: 10 } : input;
    const percentage = discount.amount === undefined ? (discount.percentage ?? 10) : undefined;
    const raw = percentage !== undefined ? (subtotal * percentage) / 100 : Number(discount.amount);
    const amount = Math.min(remaining, Math.round(raw * 100) / 100);
    remaining -= amount;
    return { code: discount.code, amount, percentage };
  });
  const totalDiscounts = subtotal - remaining;
  const total = remaining;

  const created = args.createdAt ? new Date(args.createdAt) : new Date();
  if (Number.isNaN(created.getTime())) throw new Error(`createdAt "${String(args.createdAt)}" is not a date.`);
  const timestamp = shopTimestamp(created, shop.ianaTimezone);
  const orderNumber = args.orderNumber ?? nextOrderNumber(store);
  const id = args.orderId ?? (nextOrderId += 1);
  const address = customer?.address ?? guestAddress(countryCode);
  const locale = customer?.locale ?? GUEST_LOCALES[countryCode] ?? "en";
  const token = randomBytes(16).toString("hex");
  const subscribed = customer?.defaultEmailAddress?.marketingState === "SUBSCRIBED";

  // Order-level discounts are spread over the lines in proportion to their price; the last
  // line takes the rounding remainder so the allocations add up to the discount.
  const allocations = lines.map((line) =>
    subtotal === 0 ? 0 : Math.round(((Number(line.price) * line.quantity) / subtotal) * totalDiscounts * 100) / 100,
  );
  if (allocations.length > 0) {
    allocations[allocations.length - 1] = totalDiscounts - allocations.slice(0, -1).reduce((sum, a) => sum + a, 0);
  }

  const lineItems: RestLineItem[] = lines.map((line, index) => {
    const allocated = Math.round(allocations[index] * 100) / 100;
    return {
      id: legacyId(line.id),
      admin_graphql_api_id: line.id,
      attributed_staffs: [],
      current_quantity: line.quantity,
      fulfillable_quantity: line.quantity,
      fulfillment_service: "manual",
      fulfillment_status: null,
      gift_card: false,
      grams: 450,
      name: line.variantTitle ? `${line.title} - ${line.variantTitle}` : line.title,
      price: money(Number(line.price)),
      price_set: moneySet(Number(line.shopPrice), shop.currencyCode, Number(line.price), currency),
      product_exists: true,
      product_id: legacyId(line.productId),
      properties: [],
      quantity: line.quantity,
      requires_shipping: true,
      sku: line.sku,
      taxable: true,
      title: line.title,
      total_discount: "0.00",
      total_discount_set: moneySet(0, shop.currencyCode, 0, currency),
      variant_id: legacyId(line.variantId),
      variant_inventory_management: "shopify",
      variant_title: line.variantTitle,
      vendor: line.vendor,
      tax_lines: [],
      duties: [],
      discount_allocations: allocated > 0
        ? [{ amount: money(allocated), amount_set: moneySet(toShop(allocated), shop.currencyCode, allocated, currency), discount_application_index: 0 }]
        : [],
    };
  });

  const payload: OrderPayload = {
    id,
    admin_graphql_api_id: gid("Order", id),
    app_id: ONLINE_STORE_APP_ID,
    browser_ip: "203.0.113.24",
    buyer_accepts_marketing: subscribed,
    cancel_reason: null,
    cancelled_at: null,
    cart_token: randomBytes(12).toString("hex"),
    checkout_id: id + 7_000_000,
    checkout_token: randomBytes(16).toString("hex"),
    client_details: {
      accept_language: locale,
      browser_height: null,
      browser_ip: "203.0.113.24",
      browser_width: null,
      session_hash: null,
      user_agent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    },
    closed_at: null,
    confirmation_number: confirmationNumber(),
    confirmed: true,
    contact_email: email,
    created_at: timestamp,
    currency: shop.currencyCode,
    current_subtotal_price: money(subtotal - totalDiscounts),
    current_subtotal_price_set: moneySet(toShop(subtotal - totalDiscounts), shop.currencyCode, subtotal - totalDiscounts, currency),
    current_total_discounts: money(totalDiscounts),
    current_total_discounts_set: moneySet(toShop(totalDiscounts), shop.currencyCode, totalDiscounts, currency),
    current_total_price: money(total),
    current_total_price_set: moneySet(toShop(total), shop.currencyCode, total, currency),
    current_total_tax: "0.00",
    current_total_tax_set: moneySet(0, shop.currencyCode, 0, currency),
    customer_locale: locale,
    discount_applications: discounts.map((d) => ({
      target_type: "line_item",
      type: "discount_code",
      value: d.percentage !== undefined ? d.percentage.toFixed(1) : money(d.amount),
      value_type: d.percentage !== undefined ? "percentage" : "fixed_amount",
      allocation_method: "across",
      target_selection: "all",
      code: d.code,
    })),
    discount_codes: discounts.map((d) => ({
      code: d.code,
      amount: money(d.amount),
      type: d.percentage !== undefined ? "percentage" : "fixed_amount",
    })),
    email,
    estimated_taxes: false,
    financial_status: "paid",
    fulfillment_status: null,
    landing_site: "/",
    location_id: null,
    name: `#${orderNumber}`,
    note: null,
    note_attributes: [],
    number: orderNumber - 1000,
    order_number: orderNumber,
    order_status_url: `${shop.primaryDomain.url}/${legacyId(shop.id)}/orders/${token}/authenticate?key=${randomBytes(16).toString("hex")}`,
    payment_gateway_names: ["shopify_payments"],
    phone: null,
    presentment_currency: currency,
    processed_at: timestamp,
    reference: null,
    referring_site: "",
    source_identifier: null,
    source_name: args.sourceName ?? "web",
    subtotal_price: money(subtotal - totalDiscounts),
    subtotal_price_set: moneySet(toShop(subtotal - totalDiscounts), shop.currencyCode, subtotal - totalDiscounts, currency),
    tags: (args.tags ?? []).join(", "),
    tax_lines: [],
    taxes_included: shop.taxesIncluded,
    test: args.test ?? false,
    token,
    total_discounts: money(totalDiscounts),
    total_discounts_set: moneySet(toShop(totalDiscounts), shop.currencyCode, totalDiscounts, currency),
    total_line_items_price: money(subtotal),
    total_line_items_price_set: moneySet(shopSubtotal, shop.currencyCode, subtotal, currency),
    total_outstanding: "0.00",
    total_price: money(total),
    total_price_set: moneySet(toShop(total), shop.currencyCode, total, currency),
    total_shipping_price_set: moneySet(0, shop.currencyCode, 0, currency),
    total_tax: "0.00",
    total_tax_set: moneySet(0, shop.currencyCode, 0, currency),
    total_tip_received: "0.00",
    total_weight: lines.reduce((sum, line) => sum + 450 * line.quantity, 0),
    updated_at: timestamp,
    user_id: null,
    billing_address: restAddress(address),
    customer: customer ? restCustomer(store, customer) : null,
    fulfillments: [],
    line_items: lineItems,
    payment_terms: null,
    refunds: [],
    shipping_address: restAddress(address),
    shipping_lines: [
      {
        id: id + 9_000_000,
        carrier_identifier: null,
        code: "Standard",
        discounted_price: "0.00",
        discounted_price_set: moneySet(0, shop.currencyCode, 0, currency),
        price: "0.00",
        price_set: moneySet(0, shop.currencyCode, 0, currency),
        source: "shopify",
        title: "Standard",
        tax_lines: [],
        discount_allocations: [],
      },
    ],
  };

  if (args.record !== false) {
    const at = isoSeconds(created);
    const seedOrder: SeedOrder = {
      id: payload.admin_graphql_api_id,
      name: payload.name,
      number: payload.number,
      orderNumber,
      email,
      phone: null,
      customerId: customer?.id ?? null,
      customerLocale: locale,
      currencyCode: shop.currencyCode,
      presentmentCurrencyCode: currency,
      lines,
      discountCodes: discounts.map((d) => d.code),
      subtotal: money(subtotal),
      totalDiscounts: money(totalDiscounts),
      totalPrice: money(total),
      shopSubtotal: money(shopSubtotal),
      shopTotalDiscounts: money(toShop(totalDiscounts)),
      shopTotalPrice: money(toShop(total)),
      financialStatus: "PAID",
      fulfillmentStatus: "UNFULFILLED",
      tags: args.tags ?? [],
      sourceName: payload.source_name,
      note: null,
      test: payload.test as boolean,
      shippingAddress: address,
      billingAddress: address,
      createdAt: at,
      processedAt: at,
      updatedAt: at,
      cancelledAt: null,
      cancelReason: null,
      closedAt: null,
    };
    store.orders.push(seedOrder);
  }
  return payload;
}

export type RestCancelReason = "customer" | "declined" | "fraud" | "inventory" | "other" | "staff";

export interface OrderCancelledOptions {
  reason?: RestCancelReason;
  cancelledAt?: string | Date;
  store?: SeedStore; // also mark the recorded order cancelled, so the Admin API agrees
}

// The same order after the merchant cancelled it and refunded the payment.
export function orderCancelledPayload(order: OrderPayload, options: OrderCancelledOptions = {}): OrderPayload {
  const reason = options.reason ?? "customer";
  const when = options.cancelledAt ? new Date(options.cancelledAt) : new Date();
  const timeZone = options.store?.shop.ianaTimezone ?? offsetZone(order.created_at);
  const cancelledAt = shopTimestamp(when, timeZone);
  const zero = (set: unknown) => {
    const s = set as RestMoneySet;
    return moneySet(0, s.shop_money.currency_code, 0, s.presentment_money.currency_code);
  };
  const cancelled: OrderPayload = {
    ...structuredClone(order),
    cancelled_at: cancelledAt,
    cancel_reason: reason,
    closed_at: cancelledAt,
    updated_at: cancelledAt,
    financial_status: order.financial_status === "paid" ? "refunded" : "voided",
    current_subtotal_price: "0.00",
    current_subtotal_price_set: zero(order.current_subtotal_price_set),
    current_total_price: "0.00",
    current_total_price_set: zero(order.current_total_price_set),
    current_total_discounts: "0.00",
    current_total_discounts_set: zero(order.current_total_discounts_set),
    line_items: order.line_items.map((line) => ({ ...structuredClone(line), current_quantity: 0, fulfillable_quantity: 0 })),
  };
  if (options.store) {
    const recorded = options.store.orders.find((o) => o.id === order.admin_graphql_api_id);
    if (recorded) {
      const at = isoSeconds(when);
      recorded.cancelledAt = at;
      recorded.closedAt = at;
      recorded.updatedAt = at;
      recorded.cancelReason = reason.toUpperCase() as SeedOrder["cancelReason"];
      recorded.financialStatus = recorded.financialStatus === "PAID" ? "REFUNDED" : "VOIDED";
    }
  }
  return cancelled;
}

// Without the store, keep the order's own UTC offset for the cancellation time.
function offsetZone(timestamp: string): string {
  const match = /([+-])(\d{2}):(\d{2})$/.exec(timestamp);
  if (!match || (match[2] === "00" && match[3] === "00")) return "UTC";
  // Etc/GMT zones have inverted signs: UTC+02:00 is Etc/GMT-2.
  if (match[3] !== "00") return "UTC";
  return `Etc/GMT${match[1] === "+" ? "-" : "+"}${Number(match[2])}`;
}

// app/uninstalled carries the shop's REST resource.
export function appUninstalledPayload(store: SeedStore): Record<string, unknown> {
  const shop = store.shop;
  const address = shop.billingAddress;
  return {
    id: legacyId(shop.id),
    name: shop.name,
    email: shop.email,
    domain: shop.primaryDomain.host,
    province: address.province ?? "",
    country: address.countryCode,
    address1: address.address1,
    zip: address.zip,
    city: address.city,
    source: null,
    phone: address.phone,
    latitude: null,
    longitude: null,
    primary_locale: "en",
    address2: address.address2,
    created_at: shopTimestamp(shop.createdAt, shop.ianaTimezone),
    updated_at: shopTimestamp(new Date(), shop.ianaTimezone),
    country_code: address.countryCode,
    country_name: COUNTRY_NAMES[address.countryCode] ?? address.country,
    currency: shop.currencyCode,
    customer_email: shop.contactEmail,
    timezone: `(GMT${shopTimestamp(new Date(), shop.ianaTimezone).slice(-6)}) ${shop.ianaTimezone.split("/").pop()?.replace(/_/g, " ")}`,
    iana_timezone: shop.ianaTimezone,
    shop_owner: shop.shopOwnerName,
    money_format: "${{amount}}",
    money_with_currency_format: "${{amount}} USD",
    weight_unit: shop.weightUnit === "KILOGRAMS" ? "kg" : shop.weightUnit === "GRAMS" ? "g" : shop.weightUnit === "POUNDS" ? "lb" : "oz",
    province_code: address.provinceCode,
    taxes_included: shop.taxesIncluded,
    auto_configure_tax_inclusivity: null,
    tax_shipping: null,
    county_taxes: true,
    plan_display_name: shop.planDisplayName,
    plan_name: "basic",
    has_discounts: false,
    has_gift_cards: false,
    myshopify_domain: shop.myshopifyDomain,
    google_apps_domain: null,
    google_apps_login_enabled: null,
    money_in_emails_format: "${{amount}}",
    money_with_currency_in_emails_format: "${{amount}} USD",
    eligible_for_payments: true,
    requires_extra_payments_agreement: false,
    password_enabled: false,
    has_storefront: true,
    finances: true,
    primary_location_id: 71234567891,
    checkout_api_supported: true,
    multi_location_enabled: true,
    setup_required: false,
    pre_launch_enabled: false,
    enabled_presentment_currencies: shop.enabledPresentmentCurrencies,
    marketing_sms_consent_enabled_at_checkout: false,
    transactional_sms_disabled: false,
  };
}

export interface CompliancePayloadArgs {
  store: SeedStore;
  customerId: string; // gid://shopify/Customer/…
  orderIds?: string[]; // defaults to every order of the customer in the store
}

function complianceCustomer({ store, customerId, orderIds }: CompliancePayloadArgs) {
  const customer = findCustomer(store, customerId);
  if (!customer) throw new Error(`No customer ${customerId} in ${store.shop.myshopifyDomain}.`);
  const orders = orderIds ?? store.orders.filter((order) => order.customerId === customer.id).map((order) => order.id);
  return {
    customer: { id: legacyId(customer.id), email: customer.email, phone: customer.phone },
    orders: orders.map(legacyId),
  };
}

// customers/data_request: the merchant asks for everything the app holds on a customer.
export function customersDataRequestPayload(args: CompliancePayloadArgs): Record<string, unknown> {
  const { customer, orders } = complianceCustomer(args);
  return {
    shop_id: legacyId(args.store.shop.id),
    shop_domain: args.store.shop.myshopifyDomain,
    orders_requested: orders,
    customer,
    data_request: { id: randomInt(1_000, 1_000_000) },
  };
}

// customers/redact: erase a customer's data (sent 10 days after the request, unless they ordered since).
export function customersRedactPayload(args: CompliancePayloadArgs): Record<string, unknown> {
  const { customer, orders } = complianceCustomer(args);
  return {
    shop_id: legacyId(args.store.shop.id),
    shop_domain: args.store.shop.myshopifyDomain,
    customer,
    orders_to_redact: orders,
  };
}

// shop/redact: 48 hours after uninstall, erase everything held for the shop.
export function shopRedactPayload(store: SeedStore): Record<string, unknown> {
  return { shop_id: legacyId(store.shop.id), shop_domain: store.shop.myshopifyDomain };
}


export interface OrderEventOptions {
  at?: string | Date; // when it happened; now by default
  store?: SeedStore; // also change the recorded order, so the Admin API agrees
}

function eventTime(order: OrderPayload, options: OrderEventOptions): { when: Date; stamp: string } {
  const when = options.at ? new Date(options.at) : new Date();
  if (Number.isNaN(when.getTime())) throw new Error(`"${String(options.at)}" is not a date.`);
  const timeZone = options.store?.shop.ianaTimezone ?? offsetZone(order.created_at);
  return { when, stamp: shopTimestamp(when, timeZone) };
}

function recorded(order: OrderPayload, store: SeedStore | undefined): SeedOrder | undefined {
  return store?.orders.find((o) => o.id === order.admin_graphql_api_id);
}

// orders/paid: the whole order once its payment is captured (orders/create may already say paid).
export function orderPaidPayload(order: OrderPayload, options: OrderEventOptions = {}): OrderPayload {
  const { when, stamp } = eventTime(order, options);
  const rec = recorded(order, options.store);
  if (rec) {
    rec.financialStatus = "PAID";
    rec.updatedAt = isoSeconds(when);
  }
  return { ...structuredClone(order), financial_status: "paid", total_outstanding: "0.00", updated_at: stamp };
}

let nextFulfillmentId = 5_100_000_000_000 + randomInt(0, 1_000_000) * 1000;

// orders/fulfilled: the whole order with every line in one successful fulfillment.
export function orderFulfilledPayload(order: OrderPayload, options: OrderEventOptions = {}): OrderPayload {
  const { when, stamp } = eventTime(order, options);
  const rec = recorded(order, options.store);
  if (rec) {
    rec.fulfillmentStatus = "FULFILLED";
    rec.updatedAt = isoSeconds(when);
  }
  const id = (nextFulfillmentId += 1);
  const lines = order.line_items.map((line) => ({ ...structuredClone(line), fulfillable_quantity: 0, fulfillment_status: "fulfilled" }));
  return {
    ...structuredClone(order),
    fulfillment_status: "fulfilled",
    updated_at: stamp,
    line_items: lines,
    fulfillments: [
      {
        id,
        admin_graphql_api_id: gid("Fulfillment", id),
        order_id: order.id,
        status: "success",
        created_at: stamp,
        updated_at: stamp,
        service: "manual",
        shipment_status: null,
        location_id: 71234567891,
        origin_address: null,
        receipt: {},
        tracking_company: "UPS",
        tracking_number: `1Z${String(id).slice(-10)}`,
        tracking_numbers: [`1Z${String(id).slice(-10)}`],
        tracking_url: `https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums=1Z${String(id).slice(-10)}`,
        tracking_urls: [],
        name: `${order.name}.1`,
        line_items: lines,
      },
    ],
  };
}

export type FulfillmentEventStatus =
  | "label_printed"
  | "label_purchased"
  | "attempted_delivery"
  | "ready_for_pickup"
  | "confirmed"
  | "in_transit"
  | "out_for_delivery"
  | "delivered"
  | "failure";

let nextFulfillmentEventId = 7_200_000_000 + randomInt(0, 1_000_000) * 1000;

// fulfillment_events/create: a carrier's tracking event. It names the order and the
// fulfillment; it does not carry the order.
export function fulfillmentEventPayload(
  fulfilled: OrderPayload,
  options: OrderEventOptions & { status?: FulfillmentEventStatus } = {},
): Record<string, unknown> {
  const fulfillment = (fulfilled.fulfillments as Array<{ id: number }> | undefined)?.[0];
  if (!fulfillment) throw new Error(`${fulfilled.name} has no fulfillment yet; make one with orderFulfilledPayload first.`);
  const { stamp } = eventTime(fulfilled, options);
  const id = (nextFulfillmentEventId += 1);
  return {
    id,
    fulfillment_id: fulfillment.id,
    status: options.status ?? "delivered",
    message: null,
    happened_at: stamp,
    city: null,
    province: null,
    country: null,
    zip: null,
    address1: null,
    latitude: null,
    longitude: null,
    shop_id: 548380009,
    created_at: stamp,
    updated_at: stamp,
    estimated_delivery_at: null,
    order_id: fulfilled.id,
    admin_graphql_api_id: gid("FulfillmentEvent", id),
  };
}

// orders/updated after a full refund: financial_status "refunded" and the refund listed.
export function orderRefundedPayload(order: OrderPayload, options: OrderEventOptions = {}): OrderPayload {
  const { when, stamp } = eventTime(order, options);
  const rec = recorded(order, options.store);
  if (rec) {
    rec.financialStatus = "REFUNDED";
    rec.updatedAt = isoSeconds(when);
  }
  const zero = (set: unknown) => {
    const s = set as RestMoneySet;
    return moneySet(0, s.shop_money.currency_code, 0, s.presentment_money.currency_code);
  };
  const refundId = (nextFulfillmentEventId += 1);
  return {
    ...structuredClone(order),
    financial_status: "refunded",
    updated_at: stamp,
    current_total_price: "0.00",
    current_total_price_set: zero(order.total_price_set),
    refunds: [
      {
        id: refundId,
        admin_graphql_api_id: gid("Refund", refundId),
        order_id: order.id,
        created_at: stamp,
        processed_at: stamp,
        note: null,
        restock: false,
        refund_line_items: order.line_items.map((line) => ({
          line_item_id: line.id,
          quantity: line.quantity,
          restock_type: "no_restock",
          subtotal: line.price,
        })),
        transactions: [{ kind: "refund", status: "success", amount: order.total_price, gateway: "shopify_payments" }],
      },
    ],
  };
}
