// Which follow-ups an order gets, and when.
import { stepDelay, type EmailCategory, type FlowExitRules, type FlowStepDefinition, type FlowTrigger, type SendTimeZone } from "./flows";
import { nextAllowedTime, type SendWindow } from "./send-window";
import { stepDueTimes, stepTimeZone } from "./step-timing";
import type { OrderFacts } from "./order-facts";
import { evaluateConditions, missingFacts, type ConditionGroup, type OrderContext } from "./conditions";
import { describeSkipReason, type SkipReason, type SkipReasonCode } from "./skip-reasons";

export interface ScheduledStep {
  id: string; // the stored step's id
  key: string;
  position: number;
  delay: FlowStepDefinition["delay"];
  sendWindow?: SendWindow | null;
  template: string;
  category?: EmailCategory;
}

export interface ScheduledFlow {
  id: string;
  key: string;
  trigger: FlowTrigger;
  active: boolean;
  conditions?: ConditionGroup | null;
  exitRules?: FlowExitRules | null;
  sendTimeZone?: SendTimeZone;
  steps: ScheduledStep[];
}

export interface PlannedFollowUp {
  flowId: string;
  stepId: string;
  stepKey: string;
  template: string;
  category: EmailCategory;
  recipient: string;
  dueAt: Date;
  // Set when the follow-up is recorded but will not be sent, with the merchant-readable reason.
  skipReason: string | null;
  skipCode: SkipReasonCode | null;
  // Set when the step's send window moved the due time, saying from when to when.
  movedReason: string | null;
  // The zone its times of day and send window were read in, and whose it is.
  timeZone: string;
  timeZoneOf: "shop" | "customer";
}

export interface ScheduleInput {
  order: OrderFacts;
  flows: ScheduledFlow[];
  trigger: FlowTrigger;
  // When the trigger happened (the order's time for order_created).
  triggeredAt: Date;
  now: Date;
  timeZone?: string | null; // shop's IANA zone: days, times of day and send windows are read there
  // The order's customer's zone, estimated from its address (customer-time-zone.ts); used by
  // flows that send in the customer's time.
  customerTimeZone?: string | null;
  // The shop's send window for steps without their own.
  defaultSendWindow?: SendWindow | null;
}

// What conditions see of an order: its facts, with product facts once looked up.
export function orderContext(
  order: Pick<
    OrderFacts,
    | "productIds"
    | "totalPriceShop"
    | "shopCurrency"
    | "countryCode"
    | "locale"
    | "lineItems"
    | "orderTags"
    | "customerTags"
    | "customerOrdersCount"
    | "sourceName"
    | "discountCodes"
  >,
): OrderContext {
  return {
    productIds: order.productIds,
    totalPriceShop: order.totalPriceShop,
    shopCurrency: order.shopCurrency,
    countryCode: order.countryCode,
    locale: order.locale,
    lineItems: order.lineItems.map((i) => ({
      productId: i.productId,
      productType: i.productType ?? null,
      vendor: i.vendor,
      productTags: i.productTags ?? [],
      collectionIds: i.collectionIds ?? [],
    })),
    orderTags: order.orderTags,
    customerTags: order.customerTags ?? [],
    customerOrdersCount: order.customerOrdersCount,
    sourceName: order.sourceName,
    discountCodes: order.discountCodes,
  };
}

// Entry conditions on what the order already tells. "pending" when they need facts only the
// Admin API has: the dispatcher looks those up at the first send and decides then.
export function entryDecision({
  conditions,
  order,
  productFactsKnown,
}: {
  conditions: ConditionGroup | null | undefined;
  order: Parameters<typeof orderContext>[0] & { customerId: string | null };
  productFactsKnown: boolean;
}): { state: "matched" } | { state: "pending" } | { state: "not_matched"; reason: SkipReason & { code: "conditions_not_met" } } {
  if (!conditions) return { state: "matched" };
  const missing = missingFacts({ conditions, order: { ...order, productFactsKnown } });
  if (missing.product || missing.customer || missing.sendTime) return { state: "pending" };
  const result = evaluateConditions({ conditions, order: orderContext(order) });
  return result.matched ? { state: "matched" } : { state: "not_matched", reason: { code: "conditions_not_met", failed: result.explanation } };
}

// The zone a flow's follow-ups are timed in: the customer's when the flow says so and the order's
// address told it, else the shop's. Scheduling and the send-window check at dispatch both ask here.
export function flowTimeZone({
  sendTimeZone,
  customerTimeZone,
  shopTimeZone,
}: {
  sendTimeZone: SendTimeZone | string | null | undefined;
  customerTimeZone: string | null | undefined;
  shopTimeZone: string | null | undefined;
}): { zone: string; of: "shop" | "customer" } {
  const customer = sendTimeZone === "customer" ? (customerTimeZone ?? null) : null;
  const zone = stepTimeZone({ customerTimeZone: customer, shopTimeZone: shopTimeZone ?? null });
  return { zone, of: customer && zone === customer ? "customer" : "shop" };
}

export function scheduleFollowUps({
  order,
  flows,
  trigger,
  triggeredAt,
  now,
  timeZone,
  customerTimeZone = null,
  defaultSendWindow = null,
}: ScheduleInput): PlannedFollowUp[] {
  const planned: PlannedFollowUp[] = [];
  for (const flow of flows) {
    if (!flow.active || flow.trigger !== trigger) continue;
    const { zone, of } = flowTimeZone({ sendTimeZone: flow.sendTimeZone, customerTimeZone, shopTimeZone: timeZone });
    const steps = [...flow.steps].sort((a, b) => a.position - b.position);
    const due = stepDueTimes({
      triggeredAt,
      steps: steps.map((s) => ({ delay: stepDelay(s.delay), from: s.delay.from ?? "previous_step" })),
      timeZone: zone,
    });
    const entry = entryDecision({ conditions: flow.conditions, order, productFactsKnown: false });
    steps.forEach((step, i) => {
      let skip: SkipReason | null = null;
      if (!order.email) skip = { code: "no_email" };
      else if (order.cancelledAt) skip = { code: "order_cancelled" };
      else if (entry.state === "not_matched") skip = entry.reason;
      // A late webhook (Shopify retries for up to 48 h) must not schedule into the past.
      const at = due[i].getTime() < now.getTime() ? now : due[i];
      const window = nextAllowedTime({ at, window: step.sendWindow ?? defaultSendWindow, timeZone: zone });
      planned.push({
        flowId: flow.id,
        stepId: step.id,
        stepKey: step.key,
        template: step.template,
        category: step.category ?? "marketing",
        recipient: order.email ?? "",
        dueAt: window.at,
        skipReason: skip ? describeSkipReason(skip) : null,
        skipCode: skip?.code ?? null,
        movedReason: window.moved && !skip ? window.reason : null,
        timeZone: zone,
        timeZoneOf: of,
      });
    });
  }
  return planned;
}
