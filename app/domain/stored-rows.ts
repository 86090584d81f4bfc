// The JSON columns as stored, decoded and checked in one place, and an order's facts to and from
// its row. A stored value that does not have the shape the app writes (a hand edit, an old
// version's format) stops with the table, row and column to fix, instead of reaching a send.
import { validateAbTest } from "./ab-test";
import { validateConditions, type ConditionGroup } from "./conditions";
import type { FlowExitRules, StepAbTest } from "./flows";
import { validateFrequencyCap, type FrequencyCap } from "./frequency-cap";
import type { OrderFacts, OrderLineItem } from "./order-facts";
import { validateSendWindow, type SendWindow } from "./send-window";

export class StoredValueError extends Error {
  constructor(
    readonly table: string,
    readonly rowId: string,
    readonly column: string,
    readonly problems: string[],
  ) {
    super(`${table} ${rowId}: the stored ${column} is not valid (${problems.join("; ")}). Correct the stored value.`);
    this.name = "StoredValueError";
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

function decode<T>(table: string, rowId: string, column: string, stored: string, problemsOf: (value: unknown) => string[]): T {
  let value: unknown;
  try {
    value = JSON.parse(stored);
  } catch (err) {
    throw new StoredValueError(table, rowId, column, [`not JSON: ${err instanceof Error ? err.message : String(err)}`]);
  }
  const problems = problemsOf(value);
  if (problems.length) throw new StoredValueError(table, rowId, column, problems);
  return value as T;
}

const optionalString = (v: unknown) => v === undefined || v === null || typeof v === "string";
const stringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === "string");

function listProblems(value: unknown): string[] {
  return stringList(value) ? [] : ["must be a list of strings"];
}

function objectProblems(value: unknown): string[] {
  return isObject(value) ? [] : ["must be an object"];
}

// ---- Flow and FlowStep ----

export function flowConditions(flow: { id: string; conditions: string | null }): ConditionGroup | null {
  if (!flow.conditions) return null;
  return decode("Flow", flow.id, "conditions", flow.conditions, (v) => validateConditions(v));
}

export function stepConditions(step: { id: string; conditions: string | null }): ConditionGroup | null {
  if (!step.conditions) return null;
  return decode("FlowStep", step.id, "conditions", step.conditions, (v) => validateConditions(v, "", "step"));
}

function exitRulesProblems(value: unknown): string[] {
  if (!isObject(value)) return ["must be an object"];
  const problems: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (key !== "orderedAgain") problems.push(`/${key}: is not an exit rule (allowed: orderedAgain)`);
    else if (typeof v !== "boolean") problems.push(`/orderedAgain: must be true or false`);
  }
  return problems;
}

export function flowExitRules(flow: { id: string; exitRules: string | null }): FlowExitRules | null {
  if (!flow.exitRules) return null;
  return decode("Flow", flow.id, "exitRules", flow.exitRules, exitRulesProblems);
}

export function stepSendWindow(step: { id: string; sendWindow: string | null }): SendWindow | null {
  if (!step.sendWindow) return null;
  return decode("FlowStep", step.id, "sendWindow", step.sendWindow, (v) => validateSendWindow(v));
}

export function stepContent(step: { id: string; content: string | null }): Record<string, unknown> | null {
  if (!step.content) return null;
  return decode("FlowStep", step.id, "content", step.content, objectProblems);
}

function abTestProblems(value: unknown): string[] {
  const problems = validateAbTest(value);
  if (problems.length) return problems;
  // Each variant's subject, preview text and content replace the step's when it is sent.
  (value as { variants: Json[] }).variants.forEach((variant, i) => {
    if (!optionalString(variant.subject)) problems.push(`/variants/${i}/subject: must be text`);
    if (!optionalString(variant.previewText)) problems.push(`/variants/${i}/previewText: must be text`);
    if (variant.content !== undefined && variant.content !== null && !isObject(variant.content))
      problems.push(`/variants/${i}/content: must be an object`);
  });
  return problems;
}

// `step.id` names the row in the error; a caller holding only the column says whose it is.
export function stepVariants(step: { id: string; variants: string | null }): StepAbTest | null {
  if (!step.variants) return null;
  return decode("FlowStep", step.id, "variants", step.variants, abTestProblems);
}

// ---- Shop ----

export function shopFrequencyCap(shop: { domain: string; frequencyCap: string | null }): FrequencyCap | null {
  if (!shop.frequencyCap) return null;
  return decode("Shop", shop.domain, "frequencyCap", shop.frequencyCap, (v) => validateFrequencyCap(v));
}

export function shopDefaultSendWindow(shop: { domain: string; defaultSendWindow: string | null }): SendWindow | null {
  if (!shop.defaultSendWindow) return null;
  return decode("Shop", shop.domain, "defaultSendWindow", shop.defaultSendWindow, (v) => validateSendWindow(v));
}

// The languages buyers can see, the primary first, as install stored them from Shopify's shopLocales.
export function shopPublishedLocales(shop: { domain: string; publishedLocales: string | null }): string[] {
  if (!shop.publishedLocales) return [];
  return decode("Shop", shop.domain, "publishedLocales", shop.publishedLocales, (v) =>
    Array.isArray(v) && v.every((tag) => typeof tag === "string" && tag.trim()) ? [] : ["must be a list of locale tags such as en or pt-BR"],
  );
}

// ---- Order ----

// The Order columns as stored; Prisma's Order row has this shape.
export interface StoredOrder {
  id: string;
  orderId: string;
  name: string;
  customerId: string | null;
  email: string | null;
  firstName: string | null;
  locale: string | null;
  countryCode: string | null;
  currency: string;
  totalPrice: string;
  subtotalPrice: string | null;
  shopCurrency: string | null;
  totalPriceShop: string | null;
  productIds: string;
  orderedAt: Date;
  cancelledAt: Date | null;
  lineItems: string | null;
  orderTags: string | null;
  customerTags: string | null;
  customerOrdersCount: number | null;
  sourceName: string | null;
  discountCodes: string | null;
  financialStatus: string | null;
}

function lineItemProblems(value: unknown): string[] {
  if (!Array.isArray(value)) return ["must be a list of line items"];
  const problems: string[] = [];
  value.forEach((item: unknown, i) => {
    if (!isObject(item)) {
      problems.push(`/${i}: must be an object`);
      return;
    }
    for (const key of ["productId", "variantId", "title", "vendor", "productType"])
      if (!optionalString(item[key])) problems.push(`/${i}/${key}: must be text or null`);
    if (typeof item.quantity !== "number") problems.push(`/${i}/quantity: must be a number`);
    for (const key of ["productTags", "collectionIds"])
      if (item[key] !== undefined && !stringList(item[key])) problems.push(`/${i}/${key}: must be a list of strings`);
  });
  return problems;
}

export function orderLineItems(order: { id: string; lineItems: string | null }): OrderLineItem[] {
  if (!order.lineItems) return [];
  return decode("Order", order.id, "lineItems", order.lineItems, lineItemProblems);
}

export function orderProductIds(order: { id: string; productIds: string }): string[] {
  return decode("Order", order.id, "productIds", order.productIds, listProblems);
}

function storedList(order: { id: string }, column: string, stored: string | null): string[] {
  return stored ? decode("Order", order.id, column, stored, listProblems) : [];
}

// An order as stored, in the shape scheduling and the entry conditions take.
export function factsFromOrderRow(row: StoredOrder): OrderFacts {
  return {
    orderId: row.orderId,
    name: row.name,
    customerId: row.customerId,
    email: row.email,
    firstName: row.firstName,
    locale: row.locale,
    countryCode: row.countryCode,
    currency: row.currency,
    totalPrice: row.totalPrice,
    subtotalPrice: row.subtotalPrice,
    shopCurrency: row.shopCurrency,
    totalPriceShop: row.totalPriceShop,
    productIds: orderProductIds(row),
    orderedAt: row.orderedAt,
    cancelledAt: row.cancelledAt,
    lineItems: orderLineItems(row),
    orderTags: storedList(row, "orderTags", row.orderTags),
    customerTags: row.customerTags ? storedList(row, "customerTags", row.customerTags) : null,
    customerOrdersCount: row.customerOrdersCount,
    sourceName: row.sourceName,
    discountCodes: storedList(row, "discountCodes", row.discountCodes),
    financialStatus: row.financialStatus,
  };
}

// An order's facts as its row stores them (the id and the trigger times are the caller's).
export function orderRowFromFacts(shop: string, facts: OrderFacts) {
  return {
    shop,
    orderId: facts.orderId,
    name: facts.name,
    customerId: facts.customerId,
    email: facts.email,
    firstName: facts.firstName,
    locale: facts.locale,
    countryCode: facts.countryCode,
    currency: facts.currency,
    totalPrice: facts.totalPrice,
    subtotalPrice: facts.subtotalPrice,
    shopCurrency: facts.shopCurrency,
    totalPriceShop: facts.totalPriceShop,
    productIds: JSON.stringify(facts.productIds),
    orderedAt: facts.orderedAt,
    cancelledAt: facts.cancelledAt,
    lineItems: JSON.stringify(facts.lineItems),
    orderTags: JSON.stringify(facts.orderTags),
    customerTags: facts.customerTags ? JSON.stringify(facts.customerTags) : null,
    customerOrdersCount: facts.customerOrdersCount,
    sourceName: facts.sourceName,
    discountCodes: JSON.stringify(facts.discountCodes),
    financialStatus: facts.financialStatus,
  };
}

const TRIGGER_COLUMN = { order_paid: "paidAt", order_fulfilled: "fulfilledAt", order_delivered: "deliveredAt" } as const;

export type TriggerTimes = { orderedAt: Date; paidAt: Date | null; fulfilledAt: Date | null; deliveredAt: Date | null };

// The column that keeps when a flow's trigger happened (order_created: the order's own time).
export function triggerColumn(trigger: keyof typeof TRIGGER_COLUMN): (typeof TRIGGER_COLUMN)[keyof typeof TRIGGER_COLUMN] {
  return TRIGGER_COLUMN[trigger];
}

// When a flow's trigger happened for an order, from the times intake kept on it. shopify_flow
// has no column: one order can be started by several Flow runs, one per flow, and a run's
// follow-ups are written as it arrives, so their own creation is its time.
export function triggerTime(trigger: string, order: TriggerTimes, followUp?: { createdAt: Date }): Date {
  if (trigger === "shopify_flow" && followUp) return followUp.createdAt;
  const column = TRIGGER_COLUMN[trigger as keyof typeof TRIGGER_COLUMN];
  return (column && order[column]) || order.orderedAt;
}
