// The seeded store behind the simulator: Juniper & Pine, a home-goods shop on
// afterglow-demo.myshopify.com. Plain data, so tests can read and change it directly.
// The catalogue deliberately contains what a recommendation engine must filter out:
// archived, draft and unpublished products, sold-out variants, untracked inventory,
// and Search & Discovery references to all of those (and to a deleted product).

export const SIMULATOR_SHOP = "afterglow-demo.myshopify.com";
export const SIMULATOR_ACCESS_TOKEN = "shpat_simulator_6f1d2c9a4b7e8035aa14c2d9e7b3f610";
export const RECOMMENDATION_NAMESPACE = "shopify--discovery--product_recommendation";

export type ProductStatus = "ACTIVE" | "ARCHIVED" | "DRAFT" | "UNLISTED";
export type EmailMarketingState = "SUBSCRIBED" | "NOT_SUBSCRIBED" | "UNSUBSCRIBED" | "PENDING" | "INVALID" | "REDACTED";
export type MarketingOptInLevel = "SINGLE_OPT_IN" | "CONFIRMED_OPT_IN" | "UNKNOWN";
export type CollectionSortOrder = "BEST_SELLING" | "MANUAL" | "ALPHA_ASC" | "PRICE_ASC" | "CREATED_DESC";
export type FinancialStatus = "PAID" | "PENDING" | "AUTHORIZED" | "PARTIALLY_REFUNDED" | "REFUNDED" | "VOIDED";
export type CancelReason = "CUSTOMER" | "DECLINED" | "FRAUD" | "INVENTORY" | "OTHER" | "STAFF";

export interface SeedAddress {
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  address1: string;
  address2: string | null;
  city: string;
  province: string | null;
  provinceCode: string | null;
  zip: string;
  country: string;
  countryCode: string; // ISO 3166-1 alpha-2
  phone: string | null;
}

export interface SeedShop {
  id: string; // gid://shopify/Shop/…
  name: string;
  email: string; // the owner's address, Shopify writes to it
  contactEmail: string; // the public sender customers reply to
  myshopifyDomain: string;
  currencyCode: string;
  enabledPresentmentCurrencies: string[];
  ianaTimezone: string;
  taxesIncluded: boolean;
  weightUnit: "GRAMS" | "KILOGRAMS" | "OUNCES" | "POUNDS";
  primaryDomain: { id: string; host: string; url: string; sslEnabled: boolean };
  billingAddress: SeedAddress & { id: string };
  // The Admin API has no shop logo (Shop.brand is Storefront-only); kept for the demo's emails.
  logoUrl: string;
  shopOwnerName: string;
  planDisplayName: string;
  // A Partner development store (shop.plan.partnerDevelopment): Shopify takes only test charges there.
  partnerDevelopment: boolean;
  createdAt: string;
}

// A Shopify Market: which countries buy in which currency.
export interface SeedMarket {
  name: string;
  primary: boolean;
  countries: string[];
  currencyCode: string;
}

export interface SeedVariant {
  id: string; // gid://shopify/ProductVariant/…
  title: string;
  sku: string;
  position: number;
  price: string; // shop currency (USD)
  compareAtPrice: string | null;
  // Fixed market prices by country code, in that market's currency.
  marketPrices: Record<string, string>;
  inventoryQuantity: number;
  tracked: boolean;
  inventoryPolicy: "DENY" | "CONTINUE";
  grams: number;
  createdAt: string;
  updatedAt: string;
}

export interface SeedImage {
  mediaId: string; // gid://shopify/MediaImage/…
  url: string;
  altText: string | null;
  width: number;
  height: number;
}

export interface SeedMetafield {
  id: string; // gid://shopify/Metafield/…
  namespace: string;
  key: string;
  type: string;
  value: string; // always a string, as Shopify stores it
  createdAt: string;
  updatedAt: string;
}

export interface SeedProduct {
  id: string; // gid://shopify/Product/…
  title: string;
  handle: string;
  descriptionHtml: string;
  productType: string;
  vendor: string;
  tags: string[];
  status: ProductStatus;
  // null when the product isn't published to the Online Store channel.
  onlineStoreUrl: string | null;
  publishedAt: string | null;
  createdAt: string;
  updatedAt: string;
  image: SeedImage | null;
  variants: SeedVariant[];
  metafields: SeedMetafield[];
}

export interface SeedCollection {
  id: string; // gid://shopify/Collection/…
  title: string;
  handle: string;
  description: string;
  sortOrder: CollectionSortOrder;
  productIds: string[]; // manual position order
  // Units sold per product, which is what Shopify's BEST_SELLING sort ranks by.
  unitsSold: Record<string, number>;
  updatedAt: string;
}

// Consent lives on the email address, as Customer.defaultEmailAddress has it in the Admin API.
export interface SeedEmailAddress {
  emailAddress: string;
  marketingState: EmailMarketingState;
  marketingOptInLevel: MarketingOptInLevel | null;
  marketingUpdatedAt: string | null;
}

export interface SeedCustomer {
  id: string; // gid://shopify/Customer/…
  firstName: string | null;
  lastName: string | null;
  // What REST payloads carry; always equal to defaultEmailAddress?.emailAddress.
  email: string | null;
  defaultEmailAddress: SeedEmailAddress | null;
  phone: string | null;
  locale: string;
  tags: string[];
  state: "ENABLED" | "DISABLED" | "INVITED" | "DECLINED";
  verifiedEmail: boolean;
  note: string | null;
  address: SeedAddress | null;
  createdAt: string;
  updatedAt: string;
}

export interface SeedOrderLine {
  id: string; // gid://shopify/LineItem/…
  productId: string;
  variantId: string;
  title: string;
  variantTitle: string | null;
  sku: string;
  vendor: string;
  quantity: number;
  price: string; // unit price in the presentment currency
  shopPrice: string; // unit price in the shop currency
}

export interface SeedOrder {
  id: string; // gid://shopify/Order/…
  name: string; // "#1001"
  number: number; // order_number - 1000, as Shopify numbers them
  orderNumber: number;
  email: string | null;
  phone: string | null;
  customerId: string | null;
  customerLocale: string | null;
  currencyCode: string; // shop currency
  presentmentCurrencyCode: string;
  lines: SeedOrderLine[];
  discountCodes: string[];
  // Totals in the presentment currency and, with the `shop` prefix, in the shop currency.
  subtotal: string;
  totalDiscounts: string;
  totalPrice: string;
  shopSubtotal: string;
  shopTotalDiscounts: string;
  shopTotalPrice: string;
  financialStatus: FinancialStatus;
  fulfillmentStatus: "UNFULFILLED" | "FULFILLED" | "PARTIALLY_FULFILLED";
  tags: string[];
  sourceName: string;
  note: string | null;
  test: boolean;
  shippingAddress: SeedAddress | null;
  billingAddress: SeedAddress | null;
  createdAt: string;
  processedAt: string;
  updatedAt: string;
  cancelledAt: string | null;
  cancelReason: CancelReason | null;
  closedAt: string | null;
}

export interface SeedLocale {
  locale: string; // ISO code, e.g. "en" or "pt-BR"
  name: string;
  primary: boolean;
  published: boolean;
}

export interface SeedStore {
  shop: SeedShop;
  accessToken: string;
  accessScopes: string[];
  markets: SeedMarket[];
  // The shop's languages (shopLocales): exactly one primary; published ones are visible to buyers.
  locales: SeedLocale[];
  products: SeedProduct[];
  collections: SeedCollection[];
  customers: SeedCustomer[];
  orders: SeedOrder[];
}

export function gid(type: string, id: number | string): string {
  return `gid://shopify/${type}/${id}`;
}

// The numeric id at the end of a GID (what REST payloads carry).
export function legacyId(globalId: string): number {
  const id = Number(/\/(\d+)$/.exec(globalId)?.[1]);
  if (!Number.isSafeInteger(id)) throw new Error(`${globalId} is not a Shopify global id.`);
  return id;
}

const DOMAIN = "https://juniperandpine.example";
const CDN = "https://cdn.shopify.com/s/files/1/0712/3456/7890/files";
const PRODUCT_BASE = 9101000000000;
const VARIANT_BASE = 49101000000000;
const MEDIA_BASE = 33101000000000;
const METAFIELD_BASE = 30101000000000;
const COLLECTION_BASE = 470100000000;
const CUSTOMER_BASE = 8201000000000;
const ORDER_BASE = 6101000000000;
const LINE_ITEM_BASE = 15101000000000;

const productId = (n: number) => gid("Product", PRODUCT_BASE + n);
// A product that existed once: Search & Discovery still lists it, Shopify resolves nothing for it.
export const DELETED_PRODUCT_ID = productId(99);

interface ProductSpec {
  n: number;
  title: string;
  handle: string;
  type: string;
  vendor?: string;
  tags: string[];
  status?: ProductStatus;
  published?: boolean;
  image?: boolean;
  created: string;
  // [title, USD, EUR, PLN, quantity, tracked, policy]
  variants: Array<[string, string, string, string, number, boolean?, ("DENY" | "CONTINUE")?]>;
  compareAt?: string;
}

const PRODUCT_SPECS: ProductSpec[] = [
  // Candles & scent
  { n: 1, title: "Juniper Forest Soy Candle", handle: "juniper-forest-soy-candle", type: "Candles", tags: ["candle", "soy", "bestseller"], created: "2024-03-04T10:00:00Z",
    variants: [["8 oz", "28.00", "26.00", "115.00", 42], ["16 oz", "44.00", "41.00", "179.00", 18]] },
  { n: 2, title: "Cedar & Smoke Candle", handle: "cedar-smoke-candle", type: "Candles", tags: ["candle", "woody"], created: "2024-03-04T10:05:00Z",
    variants: [["Default Title", "32.00", "30.00", "129.00", 0]] },
  { n: 3, title: "Wildflower Beeswax Taper Set", handle: "wildflower-beeswax-tapers", type: "Candles", tags: ["candle", "beeswax"], created: "2024-04-11T09:30:00Z",
    variants: [["Default Title", "18.00", "17.00", "75.00", 60]] },
  { n: 4, title: "Matchbox Trio", handle: "matchbox-trio", type: "Accessories", tags: ["matches", "stocking-stuffer"], created: "2024-04-11T09:40:00Z",
    variants: [["Default Title", "9.00", "8.50", "35.00", 0, false]] },
  { n: 5, title: "Winter Solstice Candle", handle: "winter-solstice-candle", type: "Candles", tags: ["candle", "seasonal"], status: "ARCHIVED", published: false, created: "2023-11-01T08:00:00Z",
    variants: [["Default Title", "34.00", "32.00", "139.00", 5]] },
  // Kitchen & table
  { n: 6, title: "Stoneware Mug — Moss", handle: "stoneware-mug-moss", type: "Mugs", vendor: "Kiln & Co.", tags: ["mug", "stoneware", "bestseller"], created: "2024-02-19T12:00:00Z",
    variants: [["Default Title", "24.00", "22.00", "99.00", 80]] },
  { n: 7, title: "Stoneware Mug — Sand", handle: "stoneware-mug-sand", type: "Mugs", vendor: "Kiln & Co.", tags: ["mug", "stoneware"], created: "2024-02-19T12:05:00Z",
    variants: [["Default Title", "24.00", "22.00", "99.00", 3]] },
  { n: 8, title: "Olive Wood Serving Board", handle: "olive-wood-serving-board", type: "Serveware", vendor: "Olivar", tags: ["kitchen", "wood"], created: "2024-05-02T15:20:00Z",
    variants: [["Default Title", "58.00", "54.00", "239.00", 14]] },
  { n: 9, title: "Linen Napkins (Set of 4)", handle: "linen-napkins-set-of-4", type: "Table Linen", tags: ["linen", "table"], created: "2024-05-02T15:25:00Z",
    variants: [["Natural", "36.00", "33.00", "149.00", 25], ["Sage", "36.00", "33.00", "149.00", 11]] },
  { n: 10, title: "Hand-thrown Pour-over Set", handle: "hand-thrown-pour-over-set", type: "Coffee", vendor: "Kiln & Co.", tags: ["coffee", "stoneware"], status: "DRAFT", published: false, created: "2025-08-20T11:00:00Z",
    variants: [["Default Title", "72.00", "67.00", "299.00", 10]] },
  // Cozy textiles
  { n: 11, title: "Merino Throw Blanket", handle: "merino-throw-blanket", type: "Blankets", vendor: "Highland Looms", tags: ["wool", "blanket", "bestseller"], created: "2024-09-09T09:00:00Z",
    variants: [["Moss", "145.00", "135.00", "599.00", 7], ["Oat", "145.00", "135.00", "599.00", 0], ["Charcoal", "145.00", "135.00", "599.00", 2]] },
  { n: 12, title: "Waffle Knit Pillow Cover", handle: "waffle-knit-pillow-cover", type: "Pillows", vendor: "Highland Looms", tags: ["cotton", "pillow"], created: "2024-09-09T09:10:00Z",
    variants: [["Default Title", "39.00", "36.00", "159.00", 30]], compareAt: "49.00" },
  { n: 13, title: "Wool Felt Coasters", handle: "wool-felt-coasters", type: "Table Linen", tags: ["wool", "table"], published: false, created: "2024-10-01T10:00:00Z",
    variants: [["Default Title", "16.00", "15.00", "65.00", 50]] },
  { n: 14, title: "Alpaca Blend Socks", handle: "alpaca-blend-socks", type: "Socks", vendor: "Highland Looms", tags: ["alpaca", "stocking-stuffer"], created: "2024-10-14T10:00:00Z",
    variants: [["Default Title", "22.00", "20.00", "89.00", 0, true, "CONTINUE"]] },
  // Plant care
  { n: 15, title: "Terracotta Planter — Small", handle: "terracotta-planter-small", type: "Planters", tags: ["planter", "terracotta"], image: false, created: "2024-03-20T08:00:00Z",
    variants: [["Default Title", "19.00", "18.00", "79.00", 45]] },
  { n: 16, title: "Terracotta Planter — Large", handle: "terracotta-planter-large", type: "Planters", tags: ["planter", "terracotta"], created: "2024-03-20T08:05:00Z",
    variants: [["Default Title", "38.00", "35.00", "155.00", 12]] },
  { n: 17, title: "Brass Plant Mister", handle: "brass-plant-mister", type: "Plant Care", tags: ["brass", "bestseller"], created: "2024-06-12T13:00:00Z",
    variants: [["Default Title", "29.00", "27.00", "119.00", 0]] },
  { n: 18, title: "Organic Potting Mix", handle: "organic-potting-mix", type: "Soil", vendor: "Green Thumb Supply", tags: ["soil", "organic"], created: "2024-06-12T13:10:00Z",
    variants: [["2 L", "14.00", "13.00", "59.00", 0, false], ["8 L", "29.00", "27.00", "119.00", 0, false]] },
  // Gift sets
  { n: 19, title: "Evening Ritual Gift Set", handle: "evening-ritual-gift-set", type: "Gift Sets", tags: ["gift", "candle", "mug"], created: "2024-11-05T09:00:00Z",
    variants: [["Default Title", "89.00", "83.00", "369.00", 9]] },
  { n: 20, title: "Gardener's Gift Box", handle: "gardeners-gift-box", type: "Gift Sets", tags: ["gift", "planter"], created: "2024-11-05T09:10:00Z",
    variants: [["Default Title", "64.00", "59.00", "265.00", 11]] },
  { n: 21, title: "Holiday Hamper 2024", handle: "holiday-hamper-2024", type: "Gift Sets", tags: ["gift", "seasonal"], status: "ARCHIVED", published: false, created: "2024-11-15T09:00:00Z",
    variants: [["Default Title", "120.00", "112.00", "495.00", 0]] },
];

// Search & Discovery recommendations by product number; 99 is the deleted product.
const RECOMMENDATIONS: Record<number, { complementary?: number[]; related?: number[] }> = {
  1: { complementary: [4, 2, 5, 19, 99], related: [2, 3, 10] },
  6: { complementary: [8, 9, 10, 13], related: [7, 19] },
  8: { related: [6, 7, 9] },
  11: { complementary: [12, 14, 9], related: [12, 13] },
  15: { complementary: [18, 17, 16], related: [16, 20] },
  19: { complementary: [1, 6, 21] },
};

const COLLECTION_SPECS: Array<{
  n: number;
  title: string;
  handle: string;
  description: string;
  sortOrder: CollectionSortOrder;
  units: Array<[number, number]>; // [product number, units sold], in manual order
}> = [
  { n: 1, title: "Candles & Scent", handle: "candles", description: "Hand-poured candles and everything to light them.", sortOrder: "BEST_SELLING",
    units: [[1, 340], [2, 180], [3, 210], [4, 95], [5, 400]] },
  { n: 2, title: "Kitchen & Table", handle: "kitchen-table", description: "Stoneware, wood and linen for slow meals.", sortOrder: "MANUAL",
    units: [[8, 120], [6, 260], [7, 240], [9, 80], [10, 0]] },
  { n: 3, title: "Cozy Textiles", handle: "cozy-textiles", description: "Wool, alpaca and cotton for cold evenings.", sortOrder: "BEST_SELLING",
    units: [[11, 150], [12, 130], [9, 60], [13, 45], [14, 30]] },
  { n: 4, title: "Plant Care", handle: "plant-care", description: "Planters, misters and soil for happy houseplants.", sortOrder: "BEST_SELLING",
    units: [[15, 220], [16, 110], [17, 300], [18, 90]] },
  { n: 5, title: "Gift Sets", handle: "gift-sets", description: "Ready-to-give boxes.", sortOrder: "MANUAL",
    units: [[19, 140], [20, 85], [21, 500]] },
];

function buildProducts(): SeedProduct[] {
  let variantSeq = 0;
  return PRODUCT_SPECS.map((spec) => {
    const id = productId(spec.n);
    const status = spec.status ?? "ACTIVE";
    const published = spec.published ?? true;
    const updatedAt = "2025-09-01T08:00:00Z";
    const variants = spec.variants.map(([title, usd, eur, pln, quantity, tracked = true, policy = "DENY"], index) => {
      variantSeq += 1;
      return {
        id: gid("ProductVariant", VARIANT_BASE + variantSeq),
        title,
        sku: `JP-${String(spec.n).padStart(3, "0")}-${index + 1}`,
        position: index + 1,
        price: usd,
        compareAtPrice: spec.compareAt ?? null,
        marketPrices: { DE: eur, PL: pln },
        inventoryQuantity: quantity,
        tracked,
        inventoryPolicy: policy,
        grams: 450,
        createdAt: spec.created,
        updatedAt,
      } satisfies SeedVariant;
    });
    const recommendations = RECOMMENDATIONS[spec.n] ?? {};
    const metafields: SeedMetafield[] = [];
    for (const key of ["complementary", "related"] as const) {
      const numbers = recommendations[key];
      if (!numbers) continue;
      metafields.push({
        id: gid("Metafield", METAFIELD_BASE + spec.n * 10 + (key === "complementary" ? 1 : 2)),
        namespace: RECOMMENDATION_NAMESPACE,
        key: `${key}_products`,
        type: "list.product_reference",
        value: JSON.stringify(numbers.map(productId)),
        createdAt: "2025-06-01T09:00:00Z",
        updatedAt: "2025-06-01T09:00:00Z",
      });
    }
    return {
      id,
      title: spec.title,
      handle: spec.handle,
      descriptionHtml: `<p>${spec.title}, made for Juniper &amp; Pine.</p>`,
      productType: spec.type,
      vendor: spec.vendor ?? "Juniper & Pine",
      tags: [...spec.tags].sort(),
      status,
      onlineStoreUrl: status === "ACTIVE" && published ? `${DOMAIN}/products/${spec.handle}` : null,
      publishedAt: status === "ACTIVE" && published ? spec.created : null,
      createdAt: spec.created,
      updatedAt,
      image:
        spec.image === false
          ? null
          : {
              mediaId: gid("MediaImage", MEDIA_BASE + spec.n),
              url: `${CDN}/${spec.handle}.jpg?v=1725177600`,
              altText: spec.title,
              width: 2048,
              height: 2048,
            },
      variants,
      metafields,
    };
  });
}

function buildCollections(): SeedCollection[] {
  return COLLECTION_SPECS.map((spec) => ({
    id: gid("Collection", COLLECTION_BASE + spec.n),
    title: spec.title,
    handle: spec.handle,
    description: spec.description,
    sortOrder: spec.sortOrder,
    productIds: spec.units.map(([n]) => productId(n)),
    unitsSold: Object.fromEntries(spec.units.map(([n, units]) => [productId(n), units])),
    updatedAt: "2025-09-01T08:00:00Z",
  }));
}

function address(
  firstName: string | null,
  lastName: string | null,
  street: string,
  city: string,
  zip: string,
  countryCode: "PL" | "US" | "DE",
  province: [string, string] | null = null,
): SeedAddress {
  const country = { PL: "Poland", US: "United States", DE: "Germany" }[countryCode];
  return {
    firstName,
    lastName,
    company: null,
    address1: street,
    address2: null,
    city,
    province: province?.[0] ?? null,
    provinceCode: province?.[1] ?? null,
    zip,
    country,
    countryCode,
    phone: null,
  };
}

function buildCustomers(): SeedCustomer[] {
  const customer = (
    n: number,
    {
      marketingState,
      marketingOptInLevel,
      marketingUpdatedAt,
      ...fields
    }: Omit<SeedCustomer, "id" | "state" | "verifiedEmail" | "note" | "createdAt" | "updatedAt" | "phone" | "defaultEmailAddress"> &
      Omit<SeedEmailAddress, "emailAddress"> &
      Partial<Pick<SeedCustomer, "phone" | "state">>,
  ): SeedCustomer => ({
    id: gid("Customer", CUSTOMER_BASE + n),
    state: "ENABLED",
    verifiedEmail: fields.email !== null,
    note: null,
    phone: null,
    createdAt: "2024-06-01T10:00:00Z",
    updatedAt: "2025-09-01T10:00:00Z",
    ...fields,
    defaultEmailAddress: fields.email
      ? { emailAddress: fields.email, marketingState, marketingOptInLevel, marketingUpdatedAt }
      : null,
  });
  return [
    customer(1, { firstName: "Ada", lastName: "Kowalska", email: "ada.kowalska@example.com", locale: "pl-PL", marketingState: "SUBSCRIBED", marketingOptInLevel: "SINGLE_OPT_IN", marketingUpdatedAt: "2024-06-01T10:00:00Z", tags: ["vip"],
      address: address("Ada", "Kowalska", "ul. Mokotowska 12", "Warszawa", "00-561", "PL") }),
    customer(2, { firstName: "Ben", lastName: "Carter", email: "ben.carter@example.com", locale: "en", marketingState: "NOT_SUBSCRIBED", marketingOptInLevel: null, marketingUpdatedAt: null, tags: [],
      address: address("Ben", "Carter", "418 Alder Street", "Portland", "97205", "US", ["Oregon", "OR"]) }),
    customer(3, { firstName: "Clara", lastName: "Weber", email: "clara.weber@example.com", locale: "de", marketingState: "UNSUBSCRIBED", marketingOptInLevel: "SINGLE_OPT_IN", marketingUpdatedAt: "2025-02-14T18:30:00Z", tags: ["newsletter-unsubscribed"],
      address: address("Clara", "Weber", "Kastanienallee 7", "Berlin", "10435", "DE") }),
    customer(4, { firstName: "Diego", lastName: "Alvarez", email: "diego.alvarez@example.com", locale: "en", marketingState: "SUBSCRIBED", marketingOptInLevel: "CONFIRMED_OPT_IN", marketingUpdatedAt: "2024-12-02T08:15:00Z", tags: ["wholesale", "vip"],
      address: address("Diego", "Alvarez", "77 Orchard Road", "Austin", "78701", "US", ["Texas", "TX"]) }),
    customer(5, { firstName: "Emma", lastName: "Nowak", email: "emma.nowak@example.com", locale: "pl", marketingState: "PENDING", marketingOptInLevel: "CONFIRMED_OPT_IN", marketingUpdatedAt: "2025-09-28T12:00:00Z", tags: [],
      address: address("Emma", "Nowak", "ul. Długa 3", "Gdańsk", "80-827", "PL") }),
    // No email at all: consent cannot be recorded and no email can go out.
    customer(6, { firstName: "Frank", lastName: "Miller", email: null, phone: "+15035550142", locale: "en", marketingState: "NOT_SUBSCRIBED", marketingOptInLevel: null, marketingUpdatedAt: null, tags: ["pos"],
      address: address("Frank", "Miller", "12 Pine Court", "Bend", "97701", "US", ["Oregon", "OR"]) }),
    customer(7, { firstName: "Greta", lastName: "Schmidt", email: "greta.schmidt@example.com", locale: "de-DE", marketingState: "SUBSCRIBED", marketingOptInLevel: "SINGLE_OPT_IN", marketingUpdatedAt: "2025-03-03T09:00:00Z", tags: [],
      address: address("Greta", "Schmidt", "Rosenstraße 21", "München", "80331", "DE") }),
  ];
}

function buildOrders(products: SeedProduct[], customers: SeedCustomer[]): SeedOrder[] {
  let lineSeq = 0;
  const order = (
    n: number,
    customerNumber: number,
    presentment: "USD" | "EUR" | "PLN",
    lines: Array<[number, number]>,
    createdAt: string,
    extra: Partial<SeedOrder> = {},
  ): SeedOrder => {
    const customer = customers[customerNumber - 1];
    const country = { USD: "US", EUR: "DE", PLN: "PL" }[presentment];
    const orderLines = lines.map(([productNumber, quantity]) => {
      const product = products.find((p) => p.id === productId(productNumber))!;
      const variant = product.variants[0];
      lineSeq += 1;
      return {
        id: gid("LineItem", LINE_ITEM_BASE + lineSeq),
        productId: product.id,
        variantId: variant.id,
        title: product.title,
        variantTitle: variant.title === "Default Title" ? null : variant.title,
        sku: variant.sku,
        vendor: product.vendor,
        quantity,
        price: presentment === "USD" ? variant.price : variant.marketPrices[country],
        shopPrice: variant.price,
      };
    });
    const sum = (pick: (line: SeedOrderLine) => string) =>
      orderLines.reduce((total, line) => total + Number(pick(line)) * line.quantity, 0).toFixed(2);
    return {
      id: gid("Order", ORDER_BASE + n),
      name: `#${1000 + n}`,
      number: n,
      orderNumber: 1000 + n,
      email: customer.email,
      phone: null,
      customerId: customer.id,
      customerLocale: customer.locale,
      currencyCode: "USD",
      presentmentCurrencyCode: presentment,
      lines: orderLines,
      discountCodes: [],
      subtotal: sum((l) => l.price),
      totalDiscounts: "0.00",
      totalPrice: sum((l) => l.price),
      shopSubtotal: sum((l) => l.shopPrice),
      shopTotalDiscounts: "0.00",
      shopTotalPrice: sum((l) => l.shopPrice),
      financialStatus: "PAID",
      fulfillmentStatus: "FULFILLED",
      tags: [],
      sourceName: "web",
      note: null,
      test: false,
      shippingAddress: customer.address,
      billingAddress: customer.address,
      createdAt,
      processedAt: createdAt,
      updatedAt: createdAt,
      cancelledAt: null,
      cancelReason: null,
      closedAt: null,
      ...extra,
    };
  };
  return [
    order(1, 1, "PLN", [[1, 1], [6, 2]], "2025-09-02T16:42:10Z"),
    order(2, 2, "USD", [[11, 1]], "2025-09-15T21:05:44Z"),
    order(3, 3, "EUR", [[3, 2]], "2025-09-20T07:12:03Z", {
      financialStatus: "REFUNDED",
      fulfillmentStatus: "UNFULFILLED",
      cancelledAt: "2025-09-20T09:00:00Z",
      cancelReason: "CUSTOMER",
      closedAt: "2025-09-20T09:00:00Z",
      updatedAt: "2025-09-20T09:00:00Z",
    }),
    order(4, 1, "PLN", [[15, 1], [18, 2]], "2025-10-01T11:30:00Z", { fulfillmentStatus: "UNFULFILLED" }),
    order(5, 4, "USD", [[19, 1]], "2025-10-03T19:55:21Z", { tags: ["wholesale"], fulfillmentStatus: "UNFULFILLED" }),
  ];
}

function buildSeed(): SeedStore {
  const products = buildProducts();
  const customers = buildCustomers();
  return {
    shop: {
      id: gid("Shop", 71234567890),
      name: "Juniper & Pine",
      email: "owner@juniperandpine.example",
      contactEmail: "hello@juniperandpine.example",
      myshopifyDomain: SIMULATOR_SHOP,
      currencyCode: "USD",
      enabledPresentmentCurrencies: ["USD", "EUR", "PLN"],
      ianaTimezone: "Europe/Warsaw",
      taxesIncluded: false,
      weightUnit: "KILOGRAMS",
      primaryDomain: { id: gid("Domain", 91234567890), host: "juniperandpine.example", url: DOMAIN, sslEnabled: true },
      billingAddress: {
        id: gid("ShopAddress", 71234567890),
        firstName: null,
        lastName: null,
        company: "Juniper & Pine Sp. z o.o.",
        address1: "ul. Złota 44",
        address2: "lok. 7",
        city: "Warszawa",
        province: null,
        provinceCode: null,
        zip: "00-120",
        country: "Poland",
        countryCode: "PL",
        phone: "+48225550199",
      },
      logoUrl: `${CDN}/juniper-and-pine-logo.png?v=1725177600`,
      shopOwnerName: "Marta Zielińska",
      planDisplayName: "Shopify",
      partnerDevelopment: false,
      createdAt: "2023-10-02T09:00:00Z",
    },
    accessToken: SIMULATOR_ACCESS_TOKEN,
    // What shopify.app.toml asks for; a query outside these fails with ACCESS_DENIED.
    accessScopes: ["read_products", "read_customers", "write_customers", "read_orders", "write_discounts", "read_locales", "write_files", "write_marketing_events"],
    markets: [
      { name: "United States", primary: true, countries: ["US"], currencyCode: "USD" },
      { name: "Germany", primary: false, countries: ["DE"], currencyCode: "EUR" },
      { name: "Poland", primary: false, countries: ["PL"], currencyCode: "PLN" },
    ],
    locales: [
      { locale: "pl", name: "Polish", primary: true, published: true },
      { locale: "en", name: "English", primary: false, published: true },
      { locale: "de", name: "German", primary: false, published: false },
    ],
    products,
    collections: buildCollections(),
    customers,
    orders: buildOrders(products, customers),
  };
}

const SEED = buildSeed();

export interface SeedStoreOptions {
  shop?: string; // another myshopify.com domain, for tests with several shops
  accessToken?: string;
  name?: string;
}

// A fresh, independent copy each call: tests may change it freely.
export function createSeedStore(options: SeedStoreOptions = {}): SeedStore {
  const store = structuredClone(SEED);
  if (options.shop) {
    if (!/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(options.shop)) {
      throw new Error(`${options.shop} is not a myshopify.com domain.`);
    }
    store.shop.myshopifyDomain = options.shop;
  }
  if (options.accessToken) store.accessToken = options.accessToken;
  if (options.name) store.shop.name = options.name;
  return store;
}

export function findProduct(store: SeedStore, id: string): SeedProduct | undefined {
  return store.products.find((product) => product.id === id);
}

export function findCustomer(store: SeedStore, id: string): SeedCustomer | undefined {
  return store.customers.find((customer) => customer.id === id);
}

// The market that sells to a country, or the primary market when none does.
export function marketFor(store: SeedStore, countryCode: string | null | undefined): SeedMarket {
  const primary = store.markets.find((market) => market.primary) ?? store.markets[0];
  if (!countryCode) return primary;
  return store.markets.find((market) => market.countries.includes(countryCode)) ?? primary;
}

// A variant's price for buyers in a country: the market's fixed price, or the shop price.
export function variantPriceFor(
  store: SeedStore,
  variant: SeedVariant,
  countryCode: string | null | undefined,
): { amount: string; currencyCode: string } {
  const market = marketFor(store, countryCode);
  if (market.primary || !countryCode) return { amount: variant.price, currencyCode: store.shop.currencyCode };
  const amount = variant.marketPrices[countryCode];
  if (!amount) throw new Error(`Variant ${variant.id} has no ${market.currencyCode} price for ${countryCode}.`);
  return { amount, currencyCode: market.currencyCode };
}

export function variantAvailableForSale(variant: SeedVariant): boolean {
  return !variant.tracked || variant.inventoryPolicy === "CONTINUE" || variant.inventoryQuantity > 0;
}
