// Customer segments of a simulated store: the merchant's saved audiences, each a ShopifyQL
// query over customer facts. Only the filters below are evaluated; any other query is refused
// when membership is asked, so a test never gets an answer Shopify would not give.
import type { SeedCustomer, SeedOrder, SeedStore } from "./store";

export interface SeedSegment {
  id: string; // gid://shopify/Segment/…
  name: string;
  query: string;
  creationDate: string;
  lastEditDate: string;
}

const SEGMENT_BASE = 5301000000;

const DEFAULT_SEGMENTS: Omit<SeedSegment, "id">[] = [
  { name: "VIP customers", query: "customer_tags CONTAINS 'vip'", creationDate: "2025-02-01T10:00:00Z", lastEditDate: "2025-02-01T10:00:00Z" },
  { name: "Repeat customers", query: "number_of_orders >= 2", creationDate: "2025-02-02T10:00:00Z", lastEditDate: "2025-02-02T10:00:00Z" },
  { name: "Big spenders", query: "amount_spent >= 200", creationDate: "2025-02-03T10:00:00Z", lastEditDate: "2025-02-03T10:00:00Z" },
];

const segmentsByStore = new WeakMap<SeedStore, SeedSegment[]>();

// The store's segments: the three seeded ones until a test changes the list.
export function segmentsOf(store: SeedStore): SeedSegment[] {
  let list = segmentsByStore.get(store);
  if (!list) {
    list = DEFAULT_SEGMENTS.map((s, i) => ({ ...s, id: `gid://shopify/Segment/${SEGMENT_BASE + i + 1}` }));
    segmentsByStore.set(store, list);
  }
  return list;
}

export class UnsupportedSegmentQueryError extends Error {}

const FILTER = /^(customer_tags)\s+(CONTAINS|NOT CONTAINS)\s+'([^']*)'$|^(number_of_orders|amount_spent)\s*(>=|<=|>|<|=|!=)\s*(\d+(?:\.\d+)?)$/;

// Whether the customer matches every filter of the segment's query (joined by AND).
export function isSegmentMember({
  segment,
  customer,
  orders,
}: {
  segment: SeedSegment;
  customer: SeedCustomer;
  orders: SeedOrder[]; // the customer's
}): boolean {
  return segment.query.split(/\s+AND\s+/).every((part) => {
    const m = FILTER.exec(part.trim());
    if (!m) throw new UnsupportedSegmentQueryError(`the store simulator does not evaluate the segment filter "${part.trim()}"`);
    if (m[1]) {
      const has = customer.tags.some((t) => t.toLowerCase() === m[3].toLowerCase());
      return m[2] === "CONTAINS" ? has : !has;
    }
    const live = orders.filter((o) => o.cancelledAt === null);
    const actual = m[4] === "number_of_orders" ? orders.length : live.reduce((sum, o) => sum + Number(o.shopTotalPrice), 0);
    const wanted = Number(m[6]);
    switch (m[5]) {
      case ">=":
        return actual >= wanted;
      case "<=":
        return actual <= wanted;
      case ">":
        return actual > wanted;
      case "<":
        return actual < wanted;
      case "=":
        return actual === wanted;
      default:
        return actual !== wanted;
    }
  });
}
