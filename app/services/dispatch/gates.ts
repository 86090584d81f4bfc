// The checks a due follow-up passes just before it is sent, as decisions on what was read: each
// takes one input object and says continue, skip (with the reason a merchant reads), hold until
// a time, retry or fail. The reads themselves are in gates.server.ts, in the order they run.
import type { FailureCode } from "~/domain/failure-codes";
import type { ConditionGroup, SendTimeFacts } from "~/domain/conditions";
import { evaluateConditions } from "~/domain/conditions";
import { evaluateExitRules, type ExitState } from "~/domain/exit-rules";
import type { EmailCategory } from "~/domain/flows";
import { checkFrequencyCap, type FrequencyCap } from "~/domain/frequency-cap";
import type { OrderFacts } from "~/domain/order-facts";
import { flowTimeZone, orderContext } from "~/domain/scheduling";
import { nextAllowedTime, type SendWindow } from "~/domain/send-window";
import { heldUntil, mayCount, nextMonthStart } from "~/domain/plans";
import { describeSkipReason, type SkipReason, type SkipReasonCode } from "~/domain/skip-reasons";
import type { ShopifyWaitPolicy } from "./types";

export type GateResult =
  // `note`: a line for the follow-up's timeline on the way through.
  | { kind: "continue"; note?: { type: string; detail: string } }
  | { kind: "skip"; code: SkipReasonCode; reason: SkipReason }
  // Back to the queue until `until`, without using an attempt. `event` names the timeline entry
  // that says why; null keeps the reason as the follow-up's last error instead. `returned`: handed
  // back rather than retried (counted as such by a queue). `skip`: the hold is kept on the
  // follow-up as its skip reason and code (what Messages shows and the Plans banner counts).
  | { kind: "hold"; until: Date; reason: string; event: string | null; returned?: boolean; skip?: SkipReason }
  // `code`: why, from the closed set the message page reads (app/domain/failure-codes.ts).
  | { kind: "retry"; reason: string; code: FailureCode }
  | { kind: "fail"; reason: string; code: FailureCode }
  // An earlier attempt's email did reach its provider: recorded as sent, not sent again.
  | { kind: "confirmed"; sentAt: Date; messageId: string | null; provider: string; reason: string };

export const CONTINUE: GateResult = { kind: "continue" };

// The timeline entry of a follow-up waiting for Shopify to answer.
export const AWAITING_SHOPIFY = "awaiting_shopify";

// Minutes, then hours: outlasts an outage of Shopify, or a long throttle, by days.
export const DEFAULT_SHOPIFY_WAIT: ShopifyWaitPolicy = { baseDelayMs: 30_000, maxDelayMs: 2 * 3_600_000, maxWaitMs: 3 * 86_400_000 };

const skip = (reason: SkipReason): GateResult => ({ kind: "skip", code: reason.code, reason });

// A paused shop is looked at again this often; resuming takes effect within it.
export const PAUSED_RECHECK_MS = 15 * 60_000;

// The last attempt handed the email to a provider and never recorded the answer: its worker died
// between the two, or the request timed out. Neither SendGrid nor Postmark has an idempotency
// key, so that provider's events decide: any event of it for this follow-up means it was
// accepted. Until they could have arrived, wait instead of sending a second copy; after that the
// follow-up is sent again through the same provider only (the send step keeps it pinned there).
export function handoverGate({
  handedOverAt,
  provider = "sendgrid",
  seenEvent,
  now,
  eventWaitMs,
}: {
  handedOverAt: Date | null;
  // handedOverTo; null on hand-overs marked before providers were named: SendGrid's.
  provider?: string | null;
  seenEvent: { event: string; messageId: string | null } | null;
  now: Date;
  eventWaitMs: number;
}): GateResult {
  if (!handedOverAt) return CONTINUE;
  const at = handedOverAt.toISOString();
  const name = providerName(provider ?? "sendgrid");
  if (seenEvent) {
    return {
      kind: "confirmed",
      sentAt: handedOverAt,
      provider: provider ?? "sendgrid",
      // sg_message_id is the X-Message-Id followed by SendGrid's own suffix; Postmark's MessageID is the API's.
      messageId: seenEvent.messageId ? ((provider ?? "sendgrid") === "sendgrid" ? seenEvent.messageId.split(".")[0] : seenEvent.messageId) : null,
      reason: `${name} accepted this email at ${at}, but the attempt that sent it stopped before recording it. ${name}'s ${seenEvent.event} event shows it arrived, so it was not sent again.`,
    };
  }
  const waitUntil = new Date(handedOverAt.getTime() + eventWaitMs);
  if (now < waitUntil) {
    return {
      kind: "hold",
      until: waitUntil,
      event: `awaiting_${provider ?? "sendgrid"}`,
      returned: true,
      reason:
        `The last attempt handed this email to ${name} at ${at} and stopped before recording ${name}'s answer. ` +
        `Waiting until ${waitUntil.toISOString()} for ${name}'s events before sending again, so the customer does not get it twice.`,
    };
  }
  return { kind: "continue", note: { type: "resending", detail: `No ${name} event arrived for the attempt handed over at ${at}; sending again through ${name}.` } };
}

const PROVIDER_NAMES: Record<string, string> = { sendgrid: "SendGrid", postmark: "Postmark" };
const providerName = (provider: string) => PROVIDER_NAMES[provider] ?? provider;

// Crashed or stuck on every attempt (e.g. killed mid-send each time).
export function attemptsGate({ attempt, maxAttempts }: { attempt: number; maxAttempts: number }): GateResult {
  if (attempt > maxAttempts) return { kind: "fail", reason: `Gave up after ${maxAttempts} attempts; the last one did not finish.`, code: "interrupted" };
  return CONTINUE;
}

export interface ShopSending {
  uninstalledAt: Date | null;
  sendingEnabled: boolean;
  sendingPausedAt: Date | null;
  sendingPausedReason: string | null;
}

export function shopGate({ shop, now }: { shop: ShopSending | null; now: Date }): GateResult {
  if (!shop || shop.uninstalledAt) return skip({ code: "app_uninstalled" });
  if (!shop.sendingEnabled) return skip({ code: "sending_disabled" });
  // Paused for deliverability: held (no attempt used) until the merchant resumes sending.
  if (shop.sendingPausedAt) {
    return {
      kind: "hold",
      until: new Date(now.getTime() + PAUSED_RECHECK_MS),
      event: null,
      reason: `Held: sending is paused (${shop.sendingPausedReason ?? "deliverability"}). Resume it on the Analytics page.`,
    };
  }
  return CONTINUE;
}

// An order that is no longer stored counts as cancelled.
export function orderGate({ order }: { order: object | null }): GateResult {
  return order ? CONTINUE : skip({ code: "order_cancelled" });
}

export function stepGate({ step }: { step: object | null }): GateResult {
  return step ? CONTINUE : skip({ code: "step_deleted" });
}

export function recipientGate({ recipient }: { recipient: string | null }): GateResult {
  return recipient ? CONTINUE : skip({ code: "no_email" });
}

// The exit rules that need no Admin API call (cancelled, refunded, suppressed), before the
// others, so such a follow-up costs no consent read.
export function earlyExitGate({
  category,
  state,
  timeZone,
}: {
  category: EmailCategory;
  state: ExitState;
  timeZone: string | null;
}): GateResult {
  const decision = evaluateExitRules({ step: { category }, flow: { exitOnNewOrder: false }, state, timeZone });
  return decision.exit ? skip(decision.detail) : CONTINUE;
}

export function flowOnGate({ flow }: { flow: { active: boolean; name: string } }): GateResult {
  return flow.active ? CONTINUE : skip({ code: "flow_turned_off", flowName: flow.name });
}

// A retry or a late pass can land outside the step's send window (its own, else the shop's
// default): wait for it to open, without counting an attempt.
// Read in the zone scheduling used: the customer's for a flow that sends in the customer's time.
export function sendWindowGate({
  window,
  now,
  shopTimeZone,
  sendTimeZone = "shop",
  customerTimeZone = null,
}: {
  window: SendWindow | null;
  now: Date;
  shopTimeZone: string | null;
  sendTimeZone?: string;
  customerTimeZone?: string | null;
}): GateResult {
  if (!window) return CONTINUE;
  const { zone } = flowTimeZone({ sendTimeZone, customerTimeZone, shopTimeZone });
  const decision = nextAllowedTime({ at: now, window, timeZone: zone });
  if (!decision.moved) return CONTINUE;
  return { kind: "hold", until: decision.at, event: "moved", reason: decision.reason };
}

// The flow's entry conditions, on the order's facts (with the Admin API's, when they needed them).
export function conditionsGate({
  conditions,
  order,
  sendTime,
}: {
  conditions: ConditionGroup | null;
  order: OrderFacts;
  sendTime?: SendTimeFacts;
}): GateResult {
  if (!conditions) return CONTINUE;
  const result = evaluateConditions({ conditions, order: { ...orderContext(order), sendTime } });
  return result.matched ? CONTINUE : skip({ code: "conditions_not_met", failed: result.explanation });
}

// "Send this step only if…": the step's own conditions, with what is known when it is due.
export function stepConditionsGate({
  conditions,
  order,
  sendTime,
}: {
  conditions: ConditionGroup | null;
  order: OrderFacts;
  sendTime: SendTimeFacts;
}): GateResult {
  if (!conditions) return CONTINUE;
  const result = evaluateConditions({ conditions, order: { ...orderContext(order), sendTime }, scope: "step" });
  return result.matched ? CONTINUE : skip({ code: "step_conditions_not_met", failed: result.explanation });
}

// Every exit rule, now with consent and whether the customer ordered again.
export function exitRulesGate({
  category,
  exitOnNewOrder,
  state,
  timeZone,
}: {
  category: EmailCategory;
  exitOnNewOrder: boolean;
  state: ExitState;
  timeZone: string | null;
}): GateResult {
  const decision = evaluateExitRules({ step: { category }, flow: { exitOnNewOrder }, state, timeZone });
  return decision.exit ? skip(decision.detail) : CONTINUE;
}

// Smart sending: at most so many marketing emails per customer in a period, across flows.
export function frequencyCapGate({
  cap,
  recentMarketingSends,
  now,
  timeZone,
}: {
  cap: FrequencyCap;
  recentMarketingSends: readonly Date[];
  now: Date;
  timeZone: string | null;
}): GateResult {
  const decision = checkFrequencyCap({ recentMarketingSends, now, cap, category: "marketing", timeZone });
  return decision.allowed ? CONTINUE : skip(decision.detail);
}

export function senderGate({ fromEmail }: { fromEmail: string | null }): GateResult {
  if (fromEmail) return CONTINUE;
  return { kind: "fail", reason: "No sender address: set the shop's sender email (or AFTERGLOW_FROM_EMAIL).", code: "no_sender" };
}

// Shopify could not say whether the customer consents (down, throttled) and nothing else knows.
// Not a "no": the follow-up waits, without using an attempt, for the longer of its backoff and
// the wait Shopify asked for, until it is too late to send.
export function shopifyUnavailableGate({
  reason,
  retryAfterMs,
  waitsSoFar,
  dueAt,
  now,
  policy,
}: {
  reason: string;
  retryAfterMs: number | null;
  waitsSoFar: number;
  dueAt: Date;
  now: Date;
  policy: ShopifyWaitPolicy;
}): GateResult {
  const deadline = dueAt.getTime() + policy.maxWaitMs;
  if (now.getTime() >= deadline) {
    return {
      kind: "fail",
      reason:
        `Shopify did not answer about the customer's email marketing consent from the due time ${dueAt.toISOString()} ` +
        `until ${new Date(deadline).toISOString()}, so the email was not sent (the customer did not refuse it). Last answer: ${reason}`,
      code: "shopify_unavailable",
    };
  }
  const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(waitsSoFar, 40));
  const until = new Date(Math.min(deadline, now.getTime() + Math.max(backoff, retryAfterMs ?? 0)));
  return {
    kind: "hold",
    until,
    event: AWAITING_SHOPIFY,
    reason: `Waiting for Shopify: it did not answer about the customer's email marketing consent (${reason}); next try at ${until.toISOString()}.`,
  };
}

// The timeline entry of a follow-up held because the shop's monthly allowance is used up.
export const PLAN_LIMIT_EVENT = "plan_limit";

// A held follow-up is looked at again at most this long after, even without a release (a missed
// app_subscriptions/update webhook still lets it go in time); subscribing releases it at once.
export const PLAN_LIMIT_RECHECK_MS = 6 * 3_600_000;

// The shop's plan allows `allowance` emails a month (null: no limit). `sent`: this month's count,
// or null once the count itself refused one more (the race-safe answer at the end of the gates).
// A follow-up already held keeps one timeline entry, however often it is looked at again.
export function planLimitGate({
  category,
  sent,
  allowance,
  planName,
  alreadyHeld,
  now,
  timeZone,
  recheckMs = PLAN_LIMIT_RECHECK_MS,
}: {
  category: EmailCategory;
  sent: number | null;
  allowance: number | null;
  planName: string;
  alreadyHeld: boolean;
  now: Date;
  timeZone: string | null;
  recheckMs?: number;
}): GateResult {
  if (allowance === null || category === "service") return CONTINUE;
  if (sent !== null && mayCount({ category, sent, allowance })) return CONTINUE;
  const reason: SkipReason = { code: "plan_limit", planName, allowance, renewsAt: nextMonthStart(now, timeZone), timeZone };
  return {
    kind: "hold",
    until: heldUntil({ now, timeZone, recheckMs }),
    event: alreadyHeld ? null : PLAN_LIMIT_EVENT,
    reason: describeSkipReason(reason),
    skip: reason,
  };
}
