// Afterglow's flows as Shopify's Marketing section shows them: one external marketing activity
// per flow (marketingActivityUpsertExternal), and per day the flow's numbers from our own
// rollups as a marketing engagement (marketingEngagementCreate), both on Admin API 2025-10.
import { DateTime } from "luxon";
import { formatMoneyAmount, parseMoney } from "./analytics";
import { isValidTimeZone } from "./step-timing";

// The access scope both mutations need; shops that installed before it was asked for lack it.
export const MARKETING_SCOPE = "write_marketing_events";

export interface FlowUtm {
  source: string;
  medium: string;
  campaign: string;
}

// The UTM parameters every link of a flow's emails carries (utm_content adds the step) and the
// activity's utm input: the same three values, so Shopify credits the sessions our links bring
// to the flow's activity. Shopify refuses to change an activity's UTM once set.
export function flowUtm(flowKey: string): FlowUtm {
  return { source: "afterglow", medium: "email", campaign: flowKey };
}

export type ActivityStatus = "ACTIVE" | "PAUSED" | "DELETED_EXTERNALLY";

// MarketingActivityUpsertExternalInput as we fill it. Shopify removes what an upsert leaves
// out, so every upsert carries the whole input. No budget, ad spend or referring domain: email
// costs the merchant no ad spend, and clicks come straight from the email. urlParameterValue is
// for selected partners only ("UTMs should continue to be used for most partners").
export interface ActivityInput {
  remoteId: string;
  title: string;
  status: ActivityStatus;
  tactic: "NEWSLETTER" | "TRANSACTIONAL";
  marketingChannelType: "EMAIL";
  remoteUrl: string;
  utm: FlowUtm;
  start: string;
  end?: string;
}

export interface ActivityFlow {
  id: string;
  key: string;
  name: string;
  active: boolean;
  createdAt: Date;
  // The categories of its steps (marketing | service).
  categories: string[];
}

/**
 * The activity of one flow: ACTIVE while it sends, PAUSED while the flow is off or the shop's
 * sending is paused or turned off. A flow of service emails only is TRANSACTIONAL.
 */
export function activityInputFor({
  flow,
  shopSending,
  appUrl,
}: {
  flow: ActivityFlow;
  shopSending: boolean;
  appUrl: string;
}): ActivityInput {
  const serviceOnly = flow.categories.length > 0 && flow.categories.every((c) => c === "service");
  return {
    remoteId: flow.id,
    title: flow.name.trim() || flow.key,
    status: flow.active && shopSending ? "ACTIVE" : "PAUSED",
    tactic: serviceOnly ? "TRANSACTIONAL" : "NEWSLETTER",
    marketingChannelType: "EMAIL",
    remoteUrl: `${appUrl.replace(/\/+$/, "")}/app/flows/${encodeURIComponent(flow.id)}`,
    utm: flowUtm(flow.key),
    start: flow.createdAt.toISOString(),
  };
}

/** A deleted flow's activity, from what Shopify last took: ended, with everything else kept. */
export function endedActivityInput(last: ActivityInput, endedAt: Date): ActivityInput {
  return { ...last, status: "DELETED_EXTERNALLY", end: last.end ?? endedAt.toISOString() };
}

// One day of one flow, summed over its steps and variants (DailyStat). Opens and clicks are
// counted once per follow-up and on the follow-up's day, as on the Analytics page.
export interface DayCounts {
  sent: number;
  delivered: number;
  opens: number;
  clicks: number;
  bounces: number;
  spamReports: number;
  unsubscribes: number;
}

export interface AttributedOrder {
  revenue: string; // decimal
  currency: string;
}

// MarketingEngagementInput as we fill it. Every count is always sent, zeros too: Shopify keeps
// what an engagement leaves out, so a count that went back to 0 must be said.
export interface EngagementInput {
  occurredOn: string;
  utcOffset: string;
  isCumulative: false;
  sendsCount: number;
  impressionsCount: number; // for email: delivered
  viewsCount: number; // for email: opened
  uniqueViewsCount: number;
  clicksCount: number;
  uniqueClicksCount: number;
  failsCount: number; // for email: bounced
  complaintsCount: number; // for email: marked as spam
  unsubscribesCount: number;
  orders: number;
  sales?: { amount: string; currencyCode: string };
}

/** "+02:00": the shop's offset from UTC when the day starts there (Shopify wants "±HH:MM"). */
export function utcOffsetOn(day: string, timeZone: string | null | undefined): string {
  const zone = isValidTimeZone(timeZone) ? timeZone : "UTC";
  const start = DateTime.fromISO(day, { zone }).startOf("day");
  if (!start.isValid) throw new Error(`"${day}" is not a day (YYYY-MM-DD).`);
  return start.toFormat("ZZ");
}

/**
 * One day's engagement of one flow. Non-cumulative: the numbers are the day's own, as the
 * 2025-10 schema asks ("cumulative metrics are deprecated"). A day whose numbers change later
 * (a late open, an order attributed the next morning) is sent again whole, never as a
 * difference. Our open and click counts are once per email, so views and clicks equal their
 * unique counts. Sales are in the shop's currency; an order attributed in another currency
 * (the shop changed it) still counts as an order but adds no sales.
 */
export function engagementInputFor({
  day,
  timeZone,
  counts,
  orders,
  currency,
}: {
  day: string;
  timeZone: string | null | undefined;
  counts: DayCounts;
  orders: AttributedOrder[];
  currency: string | null;
}): EngagementInput {
  const input: EngagementInput = {
    occurredOn: day,
    utcOffset: utcOffsetOn(day, timeZone),
    isCumulative: false,
    sendsCount: counts.sent,
    impressionsCount: counts.delivered,
    viewsCount: counts.opens,
    uniqueViewsCount: counts.opens,
    clicksCount: counts.clicks,
    uniqueClicksCount: counts.clicks,
    failsCount: counts.bounces,
    complaintsCount: counts.spamReports,
    unsubscribesCount: counts.unsubscribes,
    orders: orders.length,
  };
  const currencyCode = currency ?? orders[0]?.currency ?? null;
  if (currencyCode) {
    const total = orders.filter((o) => o.currency === currencyCode).reduce((sum, o) => sum + parseMoney(o.revenue), 0n);
    input.sales = { amount: formatMoneyAmount(total), currencyCode };
  }
  return input;
}

/** Nothing happened that day: not worth a first report (a report of it changing to this is). */
export function isEmptyEngagement(input: EngagementInput): boolean {
  const { sendsCount, impressionsCount, viewsCount, clicksCount, failsCount, complaintsCount, unsubscribesCount, orders } = input;
  return [sendsCount, impressionsCount, viewsCount, clicksCount, failsCount, complaintsCount, unsubscribesCount, orders].every((n) => n === 0);
}

/** A stable text of what was sent, to tell whether Shopify already has it. */
export function fingerprint(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

export interface DayToReport {
  flowId: string;
  day: string;
  input: EngagementInput;
}

/**
 * The days Shopify does not have yet, newest first, at most `limit`: never reported, or
 * reported with other numbers. Days after `today` (follow-ups scheduled ahead) are not reported,
 * nor empty days Shopify never heard of.
 */
export function daysToReport({
  current,
  reported,
  today,
  limit,
}: {
  current: DayToReport[];
  reported: Map<string, string | null>; // `${flowId} ${day}` -> fingerprint Shopify took
  today: string;
  limit: number;
}): DayToReport[] {
  return current
    .filter((d) => d.day <= today)
    .filter((d) => {
      const taken = reported.get(engagementKey(d.flowId, d.day)) ?? null;
      if (taken === null) return !isEmptyEngagement(d.input);
      return taken !== fingerprint(d.input);
    })
    .sort((a, b) => (a.day === b.day ? a.flowId.localeCompare(b.flowId) : a.day < b.day ? 1 : -1))
    .slice(0, Math.max(0, limit));
}

export function engagementKey(flowId: string, day: string): string {
  return `${flowId} ${day}`;
}

/** Whether a shop's granted scopes (Shopify's comma list) let the app write marketing activities. */
export function grantsMarketingScope(scope: string | null | undefined): boolean | null {
  if (scope == null) return null; // not recorded: only Shopify can tell
  return scope.split(",").map((s) => s.trim()).includes(MARKETING_SCOPE);
}
