// Entry conditions: which orders start a flow. A tree of { all: [...] } / { any: [...] } groups
// over leaf conditions on the order, its products and its customer.
import type { OrderFacts } from "./order-facts";

// ---- What an order must carry for conditions ----

export interface LineItemFacts {
  productId: string | null; // gid://shopify/Product/…; null for custom items
  productType: string | null;
  vendor: string | null;
  productTags: string[];
  collectionIds: string[]; // gid://shopify/Collection/…
}

// Kept by intake beyond OrderFacts. Product types, product tags and collections are not in the
// orders/create payload and come from the Admin API.
export interface OrderConditionFacts {
  lineItems: LineItemFacts[];
  orderTags: string[];
  customerTags: string[];
  customerOrdersCount: number | null; // including this order; null for guests or when unknown
  sourceName: string | null; // Shopify's source_name: web, pos, shopify_draft_order, an app id…
  discountCodes: string[];
}

export type OrderContext = Pick<OrderFacts, "productIds" | "totalPriceShop" | "shopCurrency" | "countryCode" | "locale"> &
  OrderConditionFacts & { sendTime?: SendTimeFacts };

// Facts only known when a follow-up is about to go out, read by the dispatcher for the
// conditions that name them. Absent: not looked up, so a condition on them does not match.
export interface SendTimeFacts {
  // Shopify's customer segments named by the conditions: the customer's membership and the name.
  segments?: Record<string, { name: string | null; member: boolean }>;
  // The flow's previous step for this order (step conditions only); null when there is none.
  previousStep?: { name: string; sent: boolean; opened: boolean; clicked: boolean } | null;
  // The customer's first order after this one's trigger (cancelled orders do not count).
  orderedAgainAt?: Date | null;
}

// ---- The condition tree ----

export type SetOperator = "includes_any" | "includes_all" | "includes_none";
export type ValueOperator = "in" | "not_in";
export type AmountOperator = "gt" | "gte" | "lt" | "lte";

export type SetField =
  | "products"
  | "product_types"
  | "vendors"
  | "collections"
  | "product_tags"
  | "order_tags"
  | "customer_tags";
export type ValueField = "shipping_country" | "customer_locale" | "sales_channel";

export type LeafCondition =
  | { field: "order_total"; op: AmountOperator; amount: string } // shop currency, decimal string
  | { field: "order_total"; op: "between"; min: string; max: string } // both ends included
  | { field: SetField; op: SetOperator; values: string[] }
  | { field: ValueField; op: ValueOperator; values: string[] }
  | { field: "customer_type"; op: "is"; value: "first" | "repeat" }
  | { field: "discount_code"; op: "used" | "not_used" }
  | { field: "discount_code"; op: "includes_any" | "includes_none"; values: string[] }
  // Checked when the follow-up goes out, through Shopify's customerSegmentMembership.
  | { field: "customer_segment"; op: "in" | "not_in"; values: string[] } // segment GIDs
  // Only in a step's conditions ("send this step only if…").
  | { field: "previous_step"; op: PreviousStepOperator }
  | { field: "ordered_again"; op: "no" | "yes" };

export type PreviousStepOperator = "opened_or_clicked" | "clicked" | "not_opened_or_clicked";

// Where a condition tree is used: a flow's entry conditions, or a step's own.
export type ConditionScope = "entry" | "step";
export const STEP_ONLY_FIELDS = ["previous_step", "ordered_again"] as const;

export type ConditionGroup = { all: Condition[] } | { any: Condition[] };
export type Condition = ConditionGroup | LeafCondition;

export interface ConditionsResult {
  matched: boolean;
  explanation: string[];
}

export const CONDITION_LIMITS = { maxDepth: 4, maxLeaves: 50, maxValues: 250 } as const;

// ---- Decimal amounts without floating point ----

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

export function isDecimal(value: unknown): value is string {
  return typeof value === "string" && DECIMAL.test(value);
}

// -1, 0 or 1, exactly, for decimal strings of any length.
export function compareDecimals(a: string, b: string): -1 | 0 | 1 {
  const pa = DECIMAL.exec(a);
  const pb = DECIMAL.exec(b);
  if (!pa || !pb) throw new Error(`Cannot compare "${a}" and "${b}": amounts must be decimals like 49.90.`);
  const norm = (m: RegExpExecArray) => {
    const int = m[2].replace(/^0+(?=\d)/, "");
    const frac = (m[3] ?? "").replace(/0+$/, "");
    const zero = /^0$/.test(int) && frac === "";
    return { negative: !!m[1] && !zero, int, frac };
  };
  const x = norm(pa);
  const y = norm(pb);
  if (x.negative !== y.negative) return x.negative ? -1 : 1;
  const sign = x.negative ? -1 : 1;
  let c: number;
  if (x.int.length !== y.int.length) c = x.int.length < y.int.length ? -1 : 1;
  else {
    const width = Math.max(x.frac.length, y.frac.length);
    const dx = x.int + x.frac.padEnd(width, "0");
    const dy = y.int + y.frac.padEnd(width, "0");
    c = dx === dy ? 0 : dx < dy ? -1 : 1;
  }
  return (c * sign || 0) as -1 | 0 | 1;
}

// ---- Normalising what merchants type and what Shopify sends ----

const lower = (s: string) => s.trim().toLowerCase();

export function segmentGid(id: string): string {
  const s = id.trim();
  return /^\d+$/.test(s) ? `gid://shopify/Segment/${s}` : s;
}

function productGid(kind: "Product" | "Collection", id: string): string {
  const s = id.trim();
  return /^\d+$/.test(s) ? `gid://shopify/${kind}/${s}` : s;
}

const normaliseLocale = (s: string) => lower(s).replace(/_/g, "-");

// "pl" matches pl-PL and pl; "pl-PL" matches only pl-PL.
function localeMatches(wanted: string, actual: string): boolean {
  const w = normaliseLocale(wanted);
  const a = normaliseLocale(actual);
  return a === w || a.startsWith(`${w}-`);
}

const FIELD_LABEL: Record<SetField | ValueField | "discount_code", string> = {
  products: "Products",
  product_types: "Product types",
  vendors: "Vendors",
  collections: "Collections",
  product_tags: "Product tags",
  order_tags: "Order tags",
  customer_tags: "Customer tags",
  discount_code: "Discount codes",
  shipping_country: "Shipping country",
  customer_locale: "Customer language",
  sales_channel: "Sales channel",
};

const quoted = (values: string[]) => values.map((v) => `"${v}"`).join(", ");

function orderValues(field: SetField | "discount_code", order: OrderContext): { values: string[]; key: (s: string) => string } {
  const items = order.lineItems;
  const unique = (list: (string | null)[]) => [...new Set(list.filter((v): v is string => !!v && v.trim() !== ""))];
  switch (field) {
    case "products": {
      const ids = unique([...order.productIds, ...items.map((i) => i.productId)].map((v) => (v ? productGid("Product", v) : null)));
      return { values: ids, key: (s) => productGid("Product", s) };
    }
    case "collections":
      return { values: unique(items.flatMap((i) => i.collectionIds.map((c) => productGid("Collection", c)))), key: (s) => productGid("Collection", s) };
    case "product_types":
      return { values: unique(items.map((i) => i.productType)), key: lower };
    case "vendors":
      return { values: unique(items.map((i) => i.vendor)), key: lower };
    case "product_tags":
      return { values: unique(items.flatMap((i) => i.productTags)), key: lower };
    case "order_tags":
      return { values: unique(order.orderTags), key: lower };
    case "customer_tags":
      return { values: unique(order.customerTags), key: lower };
    case "discount_code":
      return { values: unique(order.discountCodes), key: lower };
  }
}

function evaluateSet(
  field: SetField | "discount_code",
  op: SetOperator,
  wanted: string[],
  order: OrderContext,
): ConditionsResult {
  const label = FIELD_LABEL[field];
  const { values, key } = orderValues(field, order);
  const have = new Set(values.map(key));
  const wantedKeys = new Set(wanted.map(key));
  // Found values are shown as the order spells them, missing ones as the merchant did.
  const present = values.filter((v) => wantedKeys.has(key(v)));
  const missing = wanted.filter((w) => !have.has(key(w)));
  const owner = field === "customer_tags" ? "the customer" : "the order";
  const has = values.length ? `${owner} has ${quoted(values)}` : `${owner} has none`;
  const result = (matched: boolean, line: string): ConditionsResult => ({ matched, explanation: [`${label}: ${line}`] });
  switch (op) {
    case "includes_any":
      return present.length
        ? result(true, `found ${quoted(present)} (any of ${quoted(wanted)}).`)
        : result(false, `none of ${quoted(wanted)} found; ${has}.`);
    case "includes_all":
      return missing.length
        ? result(false, `${quoted(missing)} not found; the flow needs all of ${quoted(wanted)}.`)
        : result(true, `found all of ${quoted(wanted)}.`);
    case "includes_none":
      return present.length
        ? result(false, `found ${quoted(present)}, which the flow excludes.`)
        : result(true, `none of ${quoted(wanted)} found.`);
  }
}

function evaluateValue(field: ValueField, op: ValueOperator, wanted: string[], order: OrderContext): ConditionsResult {
  const label = FIELD_LABEL[field];
  const actual = field === "shipping_country" ? order.countryCode : field === "customer_locale" ? order.locale : order.sourceName;
  if (!actual) {
    // Unknown is neither in nor out; the flow should not guess.
    return { matched: false, explanation: [`${label}: the order does not say, so it cannot be checked against ${quoted(wanted)}.`] };
  }
  const isIn =
    field === "customer_locale" ? wanted.some((w) => localeMatches(w, actual)) : wanted.some((w) => lower(w) === lower(actual));
  const matched = op === "in" ? isIn : !isIn;
  const relation = isIn ? "is one of" : "is not one of";
  const tail = op === "not_in" && isIn ? ", which the flow excludes." : ".";
  return { matched, explanation: [`${label}: "${actual}" ${relation} ${quoted(wanted)}${tail}`] };
}

const AMOUNT_TEXT: Record<AmountOperator, [string, string]> = {
  gt: ["is more than", "is not more than"],
  gte: ["is at least", "is less than"],
  lt: ["is less than", "is not less than"],
  lte: ["is at most", "is more than"],
};

function evaluateTotal(leaf: Extract<LeafCondition, { field: "order_total" }>, order: OrderContext): ConditionsResult {
  const currency = order.shopCurrency ? ` ${order.shopCurrency}` : "";
  const total = order.totalPriceShop;
  if (!total || !isDecimal(total)) {
    return { matched: false, explanation: ["Order total: the order's total in the shop's currency is not known."] };
  }
  if (leaf.op === "between") {
    const matched = compareDecimals(total, leaf.min) >= 0 && compareDecimals(total, leaf.max) <= 0;
    return {
      matched,
      explanation: [
        `Order total: ${total}${currency} is ${matched ? "" : "not "}between ${leaf.min} and ${leaf.max}${currency}.`,
      ],
    };
  }
  const c = compareDecimals(total, leaf.amount);
  const matched = { gt: c > 0, gte: c >= 0, lt: c < 0, lte: c <= 0 }[leaf.op];
  const [yes, no] = AMOUNT_TEXT[leaf.op];
  return { matched, explanation: [`Order total: ${total}${currency} ${matched ? yes : no} ${leaf.amount}${currency}.`] };
}

function evaluateSegment(leaf: Extract<LeafCondition, { field: "customer_segment" }>, order: OrderContext): ConditionsResult {
  const known = order.sendTime?.segments;
  const names = leaf.values.map((id) => `"${known?.[segmentGid(id)]?.name ?? id}"`).join(", ");
  if (!known || leaf.values.some((id) => !known[segmentGid(id)])) {
    return { matched: false, explanation: [`Customer segment: the customer's membership of ${names} is not known (a guest checkout, or Shopify was not asked).`] };
  }
  const memberOf = leaf.values.filter((id) => known[segmentGid(id)].member).map((id) => `"${known[segmentGid(id)].name ?? id}"`);
  if (leaf.op === "in") {
    return memberOf.length
      ? { matched: true, explanation: [`Customer segment: the customer is in ${memberOf.join(", ")}.`] }
      : { matched: false, explanation: [`Customer segment: the customer is not in ${names}.`] };
  }
  return memberOf.length
    ? { matched: false, explanation: [`Customer segment: the customer is in ${memberOf.join(", ")}, which the flow excludes.`] }
    : { matched: true, explanation: [`Customer segment: the customer is not in ${names}.`] };
}

const PREVIOUS_STEP_WANTED: Record<PreviousStepOperator, string> = {
  opened_or_clicked: "opened or clicked",
  clicked: "clicked",
  not_opened_or_clicked: "neither opened nor clicked",
};

function evaluatePreviousStep(op: PreviousStepOperator, order: OrderContext): ConditionsResult {
  const previous = order.sendTime?.previousStep;
  const wanted = PREVIOUS_STEP_WANTED[op];
  if (!previous) return { matched: false, explanation: ["Previous step: this step has no previous step to look at."] };
  if (!previous.sent) {
    const matched = op === "not_opened_or_clicked";
    return { matched, explanation: [`Previous step: "${previous.name}" was not sent; this step is for customers who ${wanted} it.`] };
  }
  const did = previous.clicked ? "clicked" : previous.opened ? "opened" : "neither opened nor clicked";
  const matched = op === "clicked" ? previous.clicked : op === "opened_or_clicked" ? previous.opened || previous.clicked : !previous.opened && !previous.clicked;
  return { matched, explanation: [`Previous step: the customer ${did} "${previous.name}"; this step is for customers who ${wanted} it.`] };
}

function evaluateOrderedAgain(op: "no" | "yes", order: OrderContext): ConditionsResult {
  const facts = order.sendTime;
  if (!facts || !("orderedAgainAt" in facts)) return { matched: false, explanation: ["Ordered again: not known."] };
  const again = facts.orderedAgainAt ?? null;
  const fact = again ? `the customer ordered again on ${again.toISOString().slice(0, 10)}` : "the customer has not ordered since";
  const matched = op === "no" ? !again : !!again;
  const wanted = op === "no" ? "customers who have not ordered since" : "customers who ordered again";
  return { matched, explanation: [`Ordered again: ${fact}; this step is for ${wanted}.`] };
}

function evaluateLeaf(leaf: LeafCondition, order: OrderContext): ConditionsResult {
  switch (leaf.field) {
    case "customer_segment":
      return evaluateSegment(leaf, order);
    case "previous_step":
      return evaluatePreviousStep(leaf.op, order);
    case "ordered_again":
      return evaluateOrderedAgain(leaf.op, order);
    case "order_total":
      return evaluateTotal(leaf, order);
    case "customer_type": {
      const count = order.customerOrdersCount;
      if (count === null || count < 1)
        return { matched: false, explanation: ["Customer: it is not known whether this is the customer's first order (guest checkout or no order count)."] };
      const first = count === 1;
      const matched = leaf.value === "first" ? first : !first;
      const fact = first ? "this is the customer's first order" : `the customer has ${count} orders`;
      const wanted = leaf.value === "first" ? "first-time customers" : "repeat customers";
      return { matched, explanation: [`Customer: ${fact}; the flow is for ${wanted}.`] };
    }
    case "discount_code": {
      if (!("values" in leaf)) {
        const codes = orderValues("discount_code", order).values;
        const used = codes.length > 0;
        const matched = leaf.op === "used" ? used : !used;
        const fact = used ? `the order used ${quoted(codes)}` : "the order used no discount code";
        const wanted = leaf.op === "used" ? "orders with a discount code" : "orders without a discount code";
        return { matched, explanation: [`Discount codes: ${fact}; the flow is for ${wanted}.`] };
      }
      return evaluateSet("discount_code", leaf.op, leaf.values, order);
    }
    case "shipping_country":
    case "customer_locale":
    case "sales_channel":
      return evaluateValue(leaf.field, leaf.op, leaf.values, order);
    case "products":
    case "product_types":
    case "vendors":
    case "collections":
    case "product_tags":
    case "order_tags":
    case "customer_tags":
      return evaluateSet(leaf.field, leaf.op, leaf.values, order);
  }
}

const indent = (lines: string[]) => lines.map((l) => `  ${l}`);

function evaluateNode(node: Condition, order: OrderContext): ConditionsResult {
  if ("all" in node) {
    const results = node.all.map((c) => evaluateNode(c, order));
    const matched = results.every((r) => r.matched);
    // On failure, only the conditions that failed: that is what the merchant needs to see.
    return { matched, explanation: results.filter((r) => r.matched === matched).flatMap((r) => r.explanation) };
  }
  if ("any" in node) {
    const results = node.any.map((c) => evaluateNode(c, order));
    const matching = results.filter((r) => r.matched);
    if (matching.length) return { matched: true, explanation: matching.flatMap((r) => r.explanation) };
    return {
      matched: false,
      explanation: ["None of these matched:", ...indent(results.flatMap((r) => r.explanation))],
    };
  }
  return evaluateLeaf(node, order);
}

export class InvalidConditionsError extends Error {
  constructor(readonly problems: string[]) {
    super(`The flow's conditions are not valid:\n- ${problems.join("\n- ")}`);
    this.name = "InvalidConditionsError";
  }
}

// No conditions (null) means every order enters the flow.
export function evaluateConditions({
  conditions,
  order,
  scope = "entry",
}: {
  conditions: ConditionGroup | null | undefined;
  order: OrderContext;
  scope?: ConditionScope;
}): ConditionsResult {
  if (conditions == null) return { matched: true, explanation: ["The flow has no entry conditions: every order enters."] };
  const problems = validateConditions(conditions, "", scope);
  if (problems.length) throw new InvalidConditionsError(problems);
  return evaluateNode(conditions, order);
}

// ---- Validation, JSON-Schema style: every problem with its path ----

const SET_FIELDS: SetField[] = ["products", "product_types", "vendors", "collections", "product_tags", "order_tags", "customer_tags"];
const VALUE_FIELDS: ValueField[] = ["shipping_country", "customer_locale", "sales_channel"];
const ALL_FIELDS = ["order_total", ...SET_FIELDS, ...VALUE_FIELDS, "customer_type", "discount_code", "customer_segment", ...STEP_ONLY_FIELDS];
const SEGMENT_ID = /^(gid:\/\/shopify\/Segment\/)?\d+$/;

const AMOUNT = /^\d{1,15}(\.\d{1,4})?$/;
const VALUE_FORMAT: Partial<Record<SetField | ValueField, { test: RegExp; hint: string }>> = {
  products: { test: /^(gid:\/\/shopify\/Product\/)?\d+$/, hint: "a product id like gid://shopify/Product/123 or 123" },
  collections: { test: /^(gid:\/\/shopify\/Collection\/)?\d+$/, hint: "a collection id like gid://shopify/Collection/123 or 123" },
  shipping_country: { test: /^[A-Za-z]{2}$/, hint: "a two-letter country code like PL" },
  customer_locale: { test: /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/, hint: "a language like pl or a locale like pl-PL" },
};

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

export function validateConditions(input: unknown, path = "", scope: ConditionScope = "entry"): string[] {
  const problems: string[] = [];
  let leaves = 0;
  const at = (p: string) => p || "(conditions)";

  const extraKeys = (node: Json, allowed: string[], p: string) => {
    for (const key of Object.keys(node))
      if (!allowed.includes(key)) problems.push(`${p}/${key}: is not allowed here (allowed: ${allowed.join(", ")})`);
  };

  const values = (node: Json, p: string, format?: { test: RegExp; hint: string }) => {
    const list = node.values;
    if (!Array.isArray(list) || list.length === 0) {
      problems.push(`${p}/values: must be a non-empty list`);
      return;
    }
    if (list.length > CONDITION_LIMITS.maxValues)
      problems.push(`${p}/values: has ${list.length} entries; at most ${CONDITION_LIMITS.maxValues} are allowed`);
    list.forEach((v, i) => {
      if (typeof v !== "string" || v.trim() === "") problems.push(`${p}/values/${i}: must be a non-empty string`);
      else if (format && !format.test.test(v.trim())) problems.push(`${p}/values/${i}: "${v}" is not ${format.hint}`);
    });
  };

  const op = (node: Json, p: string, allowed: string[]) => {
    if (!allowed.includes(node.op as string)) {
      problems.push(`${p}/op: must be one of ${allowed.join(", ")}`);
      return false;
    }
    return true;
  };

  const amount = (node: Json, key: string, p: string) => {
    if (typeof node[key] !== "string" || !AMOUNT.test(node[key] as string)) {
      problems.push(`${p}/${key}: must be an amount as a string, like "50" or "49.90"`);
      return false;
    }
    return true;
  };

  const leaf = (node: Json, p: string) => {
    leaves++;
    const field = node.field;
    if (typeof field !== "string" || !ALL_FIELDS.includes(field)) {
      problems.push(
        "field" in node
          ? `${p}/field: must be one of ${ALL_FIELDS.join(", ")}`
          : `${at(p)}: must be a group ({ "all": [...] } or { "any": [...] }) or a condition with a field`,
      );
      return;
    }
    if (scope === "entry" && (STEP_ONLY_FIELDS as readonly string[]).includes(field)) {
      problems.push(`${p}/field: ${field} can only be used in a step's conditions, not the flow's entry conditions`);
      return;
    }
    if (field === "customer_segment") {
      extraKeys(node, ["field", "op", "values"], p);
      op(node, p, ["in", "not_in"]);
      values(node, p, { test: SEGMENT_ID, hint: "a segment id like gid://shopify/Segment/123 or 123" });
    } else if (field === "previous_step") {
      extraKeys(node, ["field", "op"], p);
      op(node, p, ["opened_or_clicked", "clicked", "not_opened_or_clicked"]);
    } else if (field === "ordered_again") {
      extraKeys(node, ["field", "op"], p);
      op(node, p, ["no", "yes"]);
    } else if (field === "order_total") {
      if (!op(node, p, ["gt", "gte", "lt", "lte", "between"])) {
        extraKeys(node, ["field", "op", "amount", "min", "max"], p);
      } else if (node.op === "between") {
        extraKeys(node, ["field", "op", "min", "max"], p);
        if (amount(node, "min", p) && amount(node, "max", p) && compareDecimals(node.min as string, node.max as string) > 0)
          problems.push(`${p}/max: must not be below min (${node.min as string})`);
      } else {
        extraKeys(node, ["field", "op", "amount"], p);
        amount(node, "amount", p);
      }
    } else if (field === "customer_type") {
      extraKeys(node, ["field", "op", "value"], p);
      op(node, p, ["is"]);
      if (node.value !== "first" && node.value !== "repeat") problems.push(`${p}/value: must be one of first, repeat`);
    } else if (field === "discount_code") {
      if (node.op === "used" || node.op === "not_used") extraKeys(node, ["field", "op"], p);
      else {
        extraKeys(node, ["field", "op", "values"], p);
        if (op(node, p, ["used", "not_used", "includes_any", "includes_none"])) values(node, p);
      }
    } else if ((SET_FIELDS as string[]).includes(field)) {
      extraKeys(node, ["field", "op", "values"], p);
      op(node, p, ["includes_any", "includes_all", "includes_none"]);
      values(node, p, VALUE_FORMAT[field as SetField]);
    } else {
      extraKeys(node, ["field", "op", "values"], p);
      op(node, p, ["in", "not_in"]);
      values(node, p, VALUE_FORMAT[field as ValueField]);
    }
  };

  const node = (value: unknown, p: string, depth: number, root: boolean) => {
    if (!isObject(value)) {
      problems.push(`${at(p)}: must be an object`);
      return;
    }
    const group = "all" in value ? "all" : "any" in value ? "any" : null;
    if (group) {
      if (depth > CONDITION_LIMITS.maxDepth) {
        problems.push(`${at(p)}: groups nest more than ${CONDITION_LIMITS.maxDepth} deep; simplify the conditions`);
        return;
      }
      if ("all" in value && "any" in value) problems.push(`${at(p)}: use either "all" or "any" in one group, not both`);
      extraKeys(value, [group], p);
      const children = value[group];
      if (!Array.isArray(children) || children.length === 0) {
        problems.push(`${p}/${group}: must be a non-empty list of conditions`);
        return;
      }
      children.forEach((child, i) => node(child, `${p}/${group}/${i}`, depth + 1, false));
    } else if (root) {
      problems.push(`${at(p)}: must be a group: { "all": [...] } or { "any": [...] }`);
    } else {
      leaf(value, p);
    }
  };

  node(input, path, 1, true);
  if (leaves > CONDITION_LIMITS.maxLeaves)
    problems.push(`${at(path)}: has ${leaves} conditions; at most ${CONDITION_LIMITS.maxLeaves} are allowed`);
  return problems;
}

// ---- Which facts a condition tree needs ----

export function conditionFields(conditions: Condition | null | undefined): Set<string> {
  const fields = new Set<string>();
  const walk = (node: Condition) => {
    if ("all" in node) node.all.forEach(walk);
    else if ("any" in node) node.any.forEach(walk);
    else fields.add(node.field);
  };
  if (conditions) walk(conditions);
  return fields;
}

// Never in a webhook payload: read from the Admin API once per order, at its first send.
export const PRODUCT_FACT_FIELDS = ["product_types", "product_tags", "collections"] as const;

// Which facts the conditions need that the order does not hold yet: "product" (types, tags,
// collections of its products) and "customer" (tags, order count, which 2025-01+ webhooks omit).
export function missingFacts({
  conditions,
  order,
}: {
  conditions: Condition | null | undefined;
  order: { productFactsKnown: boolean; customerTags: string[] | null; customerOrdersCount: number | null; customerId: string | null };
}): { product: boolean; customer: boolean; sendTime: boolean } {
  const fields = conditionFields(conditions);
  const product = !order.productFactsKnown && PRODUCT_FACT_FIELDS.some((f) => fields.has(f));
  const customer =
    !!order.customerId &&
    ((fields.has("customer_tags") && order.customerTags === null) ||
      (fields.has("customer_type") && order.customerOrdersCount === null));
  // Segment membership changes over time and is asked of Shopify when the follow-up goes out.
  const sendTime = SEND_TIME_FIELDS.some((f) => fields.has(f));
  return { product, customer, sendTime };
}

export const SEND_TIME_FIELDS = ["customer_segment", ...STEP_ONLY_FIELDS] as const;

// The segments a condition tree names, as GIDs, for one membership question to Shopify.
export function conditionSegments(conditions: Condition | null | undefined): string[] {
  const ids = new Set<string>();
  const walk = (node: Condition) => {
    if ("all" in node) node.all.forEach(walk);
    else if ("any" in node) node.any.forEach(walk);
    else if (node.field === "customer_segment") node.values.forEach((v) => ids.add(segmentGid(v)));
  };
  if (conditions) walk(conditions);
  return [...ids];
}
