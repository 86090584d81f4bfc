// The gates a claimed follow-up passes before it is sent, in the order they run, each with the
// reads its decision needs (the decisions are in gates.ts). Things change between scheduling and
// the due time, so everything is checked again here. What a gate reads, later gates and the send
// step use: the shop, the order, the step.
import { senderAddress, type SenderAddress } from "~/domain/sender";
import type { PrismaClient, Prisma, Shop } from "@prisma/client";
import { assignVariant } from "~/domain/ab-test";
import { conditionFields, conditionSegments, missingFacts, type ConditionGroup, type SendTimeFacts } from "~/domain/conditions";
import type { ExitState } from "~/domain/exit-rules";
import { exitsOnNewOrder, type EmailCategory, type FlowExitRules } from "~/domain/flows";
import { DEFAULT_FREQUENCY_CAP } from "~/domain/frequency-cap";
import type { OrderLineItem } from "~/domain/order-facts";
import type { RetryPolicy } from "~/domain/retry";
import {
  factsFromOrderRow,
  flowConditions,
  flowExitRules,
  shopDefaultSendWindow,
  shopFrequencyCap,
  stepConditions,
  stepSendWindow,
  stepVariants,
  triggerTime,
} from "~/domain/stored-rows";
import type { Logger } from "~/platform/logger.server";
import { isSuppressed } from "../consent/suppressions.server";
import { verifiedSenderDomain } from "../shop/domain-authentication.server";
import { billingMonth, monthlyAllowance, planName } from "~/domain/plans";
import { countEmail, emailsSentInMonth } from "../billing/email-count.server";
import { currentPlan } from "../billing/plans.server";
import { readOrder, writeWhileClaimed } from "./dispatch-sql.server";
import {
  attemptsGate,
  AWAITING_SHOPIFY,
  conditionsGate,
  DEFAULT_SHOPIFY_WAIT,
  CONTINUE,
  earlyExitGate,
  exitRulesGate,
  flowOnGate,
  frequencyCapGate,
  handoverGate,
  planLimitGate,
  orderGate,
  recipientGate,
  senderGate,
  sendWindowGate,
  shopGate,
  shopifyUnavailableGate,
  stepConditionsGate,
  stepGate,
  type GateResult,
} from "./gates";
import type { ClaimedFollowUp, DispatcherDeps, OrderRow, PassCache, StepWithFlow } from "./types";

// What every delivery of one dispatcher shares.
export interface DispatchContext {
  deps: DispatcherDeps;
  prisma: PrismaClient;
  now: () => Date;
  policy: RetryPolicy;
  handoverEventWaitMs: number;
}

// One follow-up on its way through the gates. The fields below `log` are filled in by the gate
// that reads them; a later gate may count on them.
export interface Delivery {
  ctx: DispatchContext;
  followUp: ClaimedFollowUp;
  cache: PassCache;
  log: Logger;
  shop?: Shop;
  order?: OrderRow;
  step?: StepWithFlow;
  category?: EmailCategory;
  exitRules?: FlowExitRules | null;
  exitState?: ExitState;
  consentRequired?: boolean;
  variantKey?: string | null;
  sender?: SenderAddress;
  // Counted towards the shop's monthly allowance by this attempt: given back if it is not sent.
  counted?: boolean;
}

export type Gate = (delivery: Delivery) => GateResult | Promise<GateResult>;

// A shop or step row serves every follow-up of its pass, so its JSON columns are decoded and
// checked once, on first use, and the result kept with the row for as long as the row is cached.
// A column that does not decode throws for each follow-up, as it would uncached.
export function decodedOnce<Row extends object, T>(d: Delivery, row: Row, decode: (row: Row) => T): T {
  let columns = d.cache.decoded.get(row);
  if (!columns) d.cache.decoded.set(row, (columns = new Map()));
  if (columns.has(decode)) return columns.get(decode) as T;
  const value = decode(row);
  columns.set(decode, value);
  return value;
}

async function checkHandover(d: Delivery): Promise<GateResult> {
  const { followUp, ctx } = d;
  if (!followUp.handedOverAt) return CONTINUE;
  // Only the events of the provider it was handed to answer for that hand-over.
  const provider = followUp.handedOverTo ?? "sendgrid";
  const seen = await ctx.prisma.messageEvent.findFirst({
    where: { followUpId: followUp.id, provider },
    orderBy: { occurredAt: "asc" },
    select: { event: true, messageId: true, occurredAt: true },
  });
  const result = handoverGate({ handedOverAt: followUp.handedOverAt, provider, seenEvent: seen, now: ctx.now(), eventWaitMs: ctx.handoverEventWaitMs });
  if (result.kind === "confirmed") d.log.info("the provider had accepted the follow-up; recorded from its events, not sent again", { provider, event: seen!.event });
  if (result.kind === "continue")
    d.log.warn("no event for an unanswered hand-over; sending again through the same provider", { provider, handedOverAt: followUp.handedOverAt.toISOString() });
  return result;
}

function checkAttempts(d: Delivery): GateResult {
  return attemptsGate({ attempt: d.followUp.claim.attempt, maxAttempts: d.ctx.policy.maxAttempts });
}

async function checkShop(d: Delivery): Promise<GateResult> {
  const { cache, followUp, ctx } = d;
  if (!cache.shops.has(followUp.shop)) cache.shops.set(followUp.shop, ctx.prisma.shop.findUnique({ where: { domain: followUp.shop } }));
  const shop = await cache.shops.get(followUp.shop)!;
  if (shop) d.shop = shop;
  return shopGate({ shop, now: ctx.now() });
}

// Read again now, not with the claim: orders/cancelled or orders/updated may have landed a moment ago.
async function checkOrder(d: Delivery): Promise<GateResult> {
  const order = await readOrder(d.ctx.prisma, d.followUp.orderRef);
  if (order) d.order = order;
  return orderGate({ order });
}

async function checkStep(d: Delivery): Promise<GateResult> {
  const { cache, followUp, ctx } = d;
  if (!cache.steps.has(followUp.stepId))
    cache.steps.set(followUp.stepId, ctx.prisma.flowStep.findUnique({ where: { id: followUp.stepId }, include: { flow: true } }));
  const step = await cache.steps.get(followUp.stepId)!;
  if (step) {
    d.step = step;
    d.category = step.category === "service" ? "service" : "marketing";
  }
  return stepGate({ step });
}

function checkRecipient(d: Delivery): GateResult {
  return recipientGate({ recipient: d.followUp.recipient });
}

async function checkEarlyExits(d: Delivery): Promise<GateResult> {
  const { followUp, ctx } = d;
  const shop = d.shop!;
  const step = d.step!;
  const order = d.order!;
  const marketing = d.category === "marketing";
  d.exitRules = decodedOnce(d, step.flow, flowExitRules);
  const suppression = await isSuppressed(ctx.prisma, { shop: followUp.shop, email: followUp.recipient!, marketing });
  d.consentRequired = marketing && shop.marketingConsentRequired && !!ctx.deps.checkConsent;
  d.exitState = {
    orderCancelledAt: order.cancelledAt,
    refundedFully: !!order.refundedAt || order.financialStatus === "refunded",
    customerOrderedAgainAt: null,
    suppression: suppression ? { scope: suppression.scope === "marketing" ? "marketing" : "all", reason: suppression.reason } : null,
    marketingConsent: "SUBSCRIBED",
    marketingConsentRequired: d.consentRequired,
    serviceEmailsAllowed: shop.serviceEmailsAllowed,
    triggeredAt: triggerTime(step.flow.trigger, order, followUp),
  };
  return earlyExitGate({ category: d.category!, state: d.exitState, timeZone: shop.ianaTimezone });
}

function checkFlowOn(d: Delivery): GateResult {
  return flowOnGate({ flow: d.step!.flow });
}

async function checkSendWindow(d: Delivery): Promise<GateResult> {
  const step = d.step!;
  const shop = d.shop!;
  // The step's own window, else the shop's default.
  const window = step.sendWindow !== null ? decodedOnce(d, step, stepSendWindow) : decodedOnce(d, shop, shopDefaultSendWindow);
  const sendTimeZone = step.flow.sendTimeZone;
  const customer =
    window && sendTimeZone === "customer"
      ? await d.ctx.prisma.customerTimeZone.findUnique({ where: { orderRef: d.followUp.orderRef }, select: { timeZone: true } })
      : null;
  return sendWindowGate({ window, now: d.ctx.now(), shopTimeZone: shop.ianaTimezone, sendTimeZone, customerTimeZone: customer?.timeZone ?? null });
}

// Entry conditions, with the Admin API's product and customer facts when they need them.
async function checkConditions(d: Delivery): Promise<GateResult> {
  const conditions = decodedOnce(d, d.step!.flow, flowConditions);
  if (!conditions) return CONTINUE;
  let order = d.order!;
  const facts = factsFromOrderRow(order);
  const missing = missingFacts({ conditions, order: { ...facts, productFactsKnown: !!order.productFactsAt } });
  if (missing.product || missing.customer) {
    try {
      order = d.order = await lookUpOrderFacts({ ctx: d.ctx, order, missing });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      d.log.warn("order facts for entry conditions unavailable; will retry", { attempt: d.followUp.claim.attempt, err });
      return { kind: "retry", reason: `The flow's conditions could not be checked: ${why}`, code: "shopify_unavailable" };
    }
  }
  let sendTime: SendTimeFacts | undefined;
  if (missing.sendTime) {
    try {
      sendTime = await readSendTimeFacts(d, conditions);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      d.log.warn("customer segments for entry conditions unavailable; will retry", { attempt: d.followUp.claim.attempt, err });
      return { kind: "retry", reason: `The flow's conditions could not be checked: ${why}`, code: "shopify_unavailable" };
    }
  }
  return conditionsGate({ conditions, order: factsFromOrderRow(order), sendTime });
}

// "Send this step only if…", with the facts its conditions name, read now.
async function checkStepConditions(d: Delivery): Promise<GateResult> {
  const conditions = decodedOnce(d, d.step!, stepConditions);
  if (!conditions) return CONTINUE;
  let order = d.order!;
  const missing = missingFacts({ conditions, order: { ...factsFromOrderRow(order), productFactsKnown: !!order.productFactsAt } });
  let sendTime: SendTimeFacts;
  try {
    if (missing.product || missing.customer) order = d.order = await lookUpOrderFacts({ ctx: d.ctx, order, missing });
    sendTime = await readSendTimeFacts(d, conditions);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    d.log.warn("facts for the step's conditions unavailable; will retry", { attempt: d.followUp.claim.attempt, err });
    return { kind: "retry", reason: `The step's conditions could not be checked: ${why}`, code: "shopify_unavailable" };
  }
  return stepConditionsGate({ conditions, order: factsFromOrderRow(order), sendTime });
}

// What conditions may ask of the moment of sending: segment membership (Shopify, once per pass
// and customer), the previous step's opens and clicks, and whether the customer ordered again.
async function readSendTimeFacts(d: Delivery, conditions: ConditionGroup): Promise<SendTimeFacts> {
  const { ctx, cache, followUp } = d;
  const order = d.order!;
  const step = d.step!;
  const fields = conditionFields(conditions);
  const facts: SendTimeFacts = {};
  const segmentIds = conditionSegments(conditions).sort();
  if (segmentIds.length && order.customerId) {
    if (!ctx.deps.segmentMembership) throw new Error("no Admin API lookup is configured for customer segments");
    const key = `${followUp.shop}|${order.customerId}|${segmentIds.join(",")}`;
    if (!cache.segments.has(key)) {
      const asked = ctx.deps.segmentMembership({ shop: followUp.shop, customerId: order.customerId, segmentIds });
      // A failed question is asked again by the next follow-up, not answered from the cache.
      asked.catch(() => cache.segments.delete(key));
      cache.segments.set(key, asked);
    }
    facts.segments = await cache.segments.get(key)!;
  }
  if (fields.has("previous_step")) facts.previousStep = await previousStepFacts(d);
  if (fields.has("ordered_again")) {
    facts.orderedAgainAt = await orderedAgainAt({ ctx, order, after: triggerTime(step.flow.trigger, order) });
  }
  return facts;
}

// The flow's step before this one, for this order: sent or not, opened or clicked. Machine opens
// (Apple Mail Privacy Protection) are the mail app's, not the customer's, so they do not count.
async function previousStepFacts(d: Delivery): Promise<SendTimeFacts["previousStep"]> {
  const { ctx, cache, followUp } = d;
  const step = d.step!;
  // Read once per step and pass, like the step itself: every follow-up of the step asks the same.
  if (!cache.previousSteps.has(step.id)) {
    cache.previousSteps.set(
      step.id,
      ctx.prisma.flowStep.findFirst({
        where: { flowId: step.flowId, position: { lt: step.position } },
        orderBy: { position: "desc" },
        select: { key: true, position: true, subject: true },
      }),
    );
  }
  const previous = await cache.previousSteps.get(step.id)!;
  if (!previous) return null;
  const name = `Step ${previous.position + 1} ("${previous.subject.length > 60 ? `${previous.subject.slice(0, 59)}…` : previous.subject}")`;
  const earlier = await ctx.prisma.followUp.findFirst({
    where: { shop: followUp.shop, orderId: d.order!.orderId, flowId: step.flowId, stepKey: previous.key },
    select: { id: true, status: true },
  });
  if (!earlier || earlier.status !== "sent") return { name, sent: false, opened: false, clicked: false };
  const events = await ctx.prisma.messageEvent.findMany({
    where: { followUpId: earlier.id, OR: [{ event: "click" }, { event: "open", machineOpen: false }] },
    select: { event: true },
  });
  return { name, sent: true, opened: events.some((e) => e.event === "open"), clicked: events.some((e) => e.event === "click") };
}

async function checkExitRules(d: Delivery): Promise<GateResult> {
  const { followUp, ctx } = d;
  const shop = d.shop!;
  const order = d.order!;
  const category = d.category!;
  const state = d.exitState!;
  const exitOnNewOrder = exitsOnNewOrder(d.exitRules, category);
  if (exitOnNewOrder) state.customerOrderedAgainAt = await orderedAgainAt({ ctx, order, after: state.triggeredAt });
  if (d.consentRequired) {
    const consent = await ctx.deps.checkConsent!({
      shop: followUp.shop,
      customerId: order.customerId,
      email: followUp.recipient!,
      category,
      marketingConsentRequired: shop.marketingConsentRequired,
      serviceEmailsAllowed: shop.serviceEmailsAllowed,
    });
    if (consent.unavailable) {
      // Another exit rule may end it anyway; else only Shopify's own answer may skip it.
      const other = exitRulesGate({ category, exitOnNewOrder, state, timeZone: shop.ianaTimezone });
      if (other.kind !== "continue") return other;
      const waitsSoFar = await ctx.prisma.followUpEvent.count({ where: { followUpId: followUp.id, type: AWAITING_SHOPIFY } });
      const result = shopifyUnavailableGate({
        ...consent.unavailable,
        waitsSoFar,
        dueAt: followUp.dueAt,
        now: ctx.now(),
        policy: ctx.deps.shopifyWait ?? DEFAULT_SHOPIFY_WAIT,
      });
      d.log.warn("Shopify did not answer about consent; the follow-up waits", { waitsSoFar, outcome: result.kind, err: consent.unavailable.reason });
      return result;
    }
    state.marketingConsent = consent.state;
    state.consentNote = consent.note ?? null;
  }
  return exitRulesGate({ category, exitOnNewOrder, state, timeZone: shop.ianaTimezone });
}

// Test sends are never capped and never count.
async function checkFrequencyCap(d: Delivery): Promise<GateResult> {
  const { followUp, ctx } = d;
  const shop = d.shop!;
  if (d.category !== "marketing" || followUp.isTest) return CONTINUE;
  const cap = decodedOnce(d, shop, shopFrequencyCap) ?? DEFAULT_FREQUENCY_CAP;
  if (!cap.enabled) return CONTINUE;
  const at = ctx.now();
  const recent = await ctx.prisma.followUp.findMany({
    where: {
      shop: followUp.shop,
      recipient: followUp.recipient,
      category: "marketing",
      status: "sent",
      isTest: false,
      sentAt: { gt: new Date(at.getTime() - cap.periodHours * 3_600_000) },
    },
    select: { sentAt: true },
  });
  return frequencyCapGate({ cap, recentMarketingSends: recent.map((r) => r.sentAt!), now: at, timeZone: shop.ianaTimezone });
}

// Not a check, but it runs here so a malformed A/B test stops the send before the sender is
// looked at, as it always has. The same follow-up always gets the same variant.
function pickVariant(d: Delivery): GateResult {
  const abTest = decodedOnce(d, d.step!, stepVariants);
  d.variantKey = abTest ? assignVariant({ test: abTest, followUpId: d.followUp.id }) : null;
  return CONTINUE;
}

async function checkSender(d: Delivery): Promise<GateResult> {
  const { cache, ctx } = d;
  const shop = d.shop!;
  if (!cache.verifiedDomains.has(shop.domain)) cache.verifiedDomains.set(shop.domain, verifiedSenderDomain(ctx.prisma, shop.domain));
  const verifiedDomain = await cache.verifiedDomains.get(shop.domain)!;
  const sender = senderAddress({ shop, appFromEmail: ctx.deps.defaultFromEmail, verifiedDomain });
  if (sender) d.sender = sender;
  return senderGate({ fromEmail: sender?.from.email ?? null });
}

function shopPlan(d: Delivery) {
  const { cache, followUp, ctx } = d;
  if (!cache.plans.has(followUp.shop)) cache.plans.set(followUp.shop, currentPlan(ctx.prisma, followUp.shop));
  return cache.plans.get(followUp.shop)!;
}

// A marketing follow-up of a shop whose month is already used up waits here, before the reads
// that cost an Admin API call (conditions, consent). The count at the end of the gates decides.
async function checkPlanAllowance(d: Delivery): Promise<GateResult> {
  const { followUp, ctx } = d;
  const plans = ctx.deps.plans;
  if (!plans || followUp.isTest || d.category !== "marketing") return CONTINUE;
  const plan = await shopPlan(d);
  const allowance = monthlyAllowance({ plan, freeEmailsPerMonth: plans.freeEmailsPerMonth });
  if (allowance === null) return CONTINUE;
  const now = ctx.now();
  const timeZone = d.shop!.ianaTimezone;
  const sent = await emailsSentInMonth(ctx.prisma, { shop: followUp.shop, month: billingMonth(now, timeZone) });
  return planLimitGate({ category: "marketing", sent, allowance, planName: planName(plan), alreadyHeld: followUp.skipCode === "plan_limit", now, timeZone, recheckMs: plans.recheckMs });
}

// Last: the email is counted in the shop's month, or held if the allowance ran out meanwhile
// (another dispatcher took the last one). Test sends are never counted.
async function countTowardsPlan(d: Delivery): Promise<GateResult> {
  const { followUp, ctx } = d;
  const plans = ctx.deps.plans;
  if (!plans || followUp.isTest) return CONTINUE;
  const plan = await shopPlan(d);
  const allowance = monthlyAllowance({ plan, freeEmailsPerMonth: plans.freeEmailsPerMonth });
  const now = ctx.now();
  const timeZone = d.shop!.ianaTimezone;
  const category = d.category!;
  const answer = await countEmail(ctx.prisma, { followUpId: followUp.id, shop: followUp.shop, month: billingMonth(now, timeZone), category, allowance, at: now });
  const alreadyHeld = followUp.skipCode === "plan_limit";
  if (answer === "over allowance") {
    return planLimitGate({ category, sent: null, allowance, planName: planName(plan), alreadyHeld, now, timeZone, recheckMs: plans.recheckMs });
  }
  if (answer === "counted") d.counted = true;
  if (!alreadyHeld) return CONTINUE;
  // It was held: it stops counting as held now that it goes out.
  await writeWhileClaimed(ctx.prisma, { id: followUp.id, token: followUp.claim.token, at: now, data: { skipCode: null, skipReason: null }, release: false });
  return { kind: "continue", note: { type: "released", detail: `Released: the ${planName(plan)} plan allows it this month.` } };
}

// In this order. Those that need no Admin API call come before consent, so a cancelled,
// refunded or suppressed follow-up costs no consent read.
export const DISPATCH_GATES: readonly Gate[] = [
  checkHandover,
  checkAttempts,
  checkShop,
  checkOrder,
  checkStep,
  checkRecipient,
  checkEarlyExits,
  checkFlowOn,
  checkSendWindow,
  checkPlanAllowance,
  checkConditions,
  checkStepConditions,
  checkExitRules,
  checkFrequencyCap,
  pickVariant,
  checkSender,
  countTowardsPlan,
];

// The customer's first order after the trigger, other than this one; cancelled orders do not count.
async function orderedAgainAt({ ctx, order, after }: { ctx: DispatchContext; order: OrderRow; after: Date }): Promise<Date | null> {
  const who = order.customerId ? { customerId: order.customerId } : order.email ? { email: order.email } : null;
  if (!who) return null;
  const again = await ctx.prisma.order.findFirst({
    where: { shop: order.shop, ...who, id: { not: order.id }, cancelledAt: null, orderedAt: { gt: after } },
    orderBy: { orderedAt: "asc" },
    select: { orderedAt: true },
  });
  return again?.orderedAt ?? null;
}

// Reads what the conditions need from the Admin API and keeps it on the order, so each order
// is looked up once (Order.productFactsAt).
async function lookUpOrderFacts({
  ctx,
  order,
  missing,
}: {
  ctx: DispatchContext;
  order: OrderRow;
  missing: { product: boolean; customer: boolean };
}): Promise<OrderRow> {
  if (!ctx.deps.lookupFacts) throw new Error("no Admin API lookup is configured for product and customer facts");
  const facts = factsFromOrderRow(order);
  const answer = await ctx.deps.lookupFacts({
    shop: order.shop,
    productIds: missing.product ? facts.productIds : null,
    customerId: missing.customer ? order.customerId : null,
  });
  const data: Prisma.OrderUpdateInput = {};
  if (missing.product && answer.products) {
    const items: OrderLineItem[] = facts.lineItems.map((item) => {
      const p = item.productId ? answer.products!.get(item.productId) : undefined;
      return { ...item, productType: p?.productType ?? null, productTags: p?.tags ?? [], collectionIds: p?.collectionIds ?? [] };
    });
    data.lineItems = JSON.stringify(items);
    data.productFactsAt = ctx.now();
  }
  if (missing.customer && answer.customer) {
    // Shopify counts the customer's orders now; orders placed after this one do not make it a repeat.
    const later = await ctx.prisma.order.count({
      where: { shop: order.shop, customerId: order.customerId, orderedAt: { gt: order.orderedAt } },
    });
    data.customerTags = JSON.stringify(answer.customer.tags);
    data.customerOrdersCount = Math.max(1, answer.customer.numberOfOrders - later);
  }
  return ctx.prisma.order.update({ where: { id: order.id }, data });
}
