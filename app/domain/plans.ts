// The plans a shop can be on and the arithmetic of their monthly allowance. A shop is on the free
// plan until Shopify reports one of its paid subscriptions ACTIVE; each plan allows so many emails
// a month (the month in the shop's time zone). Past the allowance, marketing follow-ups wait for
// a bigger plan or the next month; service follow-ups always go out, and count.
import { DateTime } from "luxon";
import type { EmailCategory } from "./flows";
import { isValidTimeZone } from "./step-timing";

export type PlanKey = "free" | "growth" | "scale";
export type PaidPlanKey = Exclude<PlanKey, "free">;

export interface PaidPlan {
  key: PaidPlanKey;
  // The subscription's name in Shopify (appSubscriptionCreate's name), which the merchant sees on
  // the approval page and their bill; it is how a subscription is recognised as this plan.
  name: string;
  price: { amount: string; currencyCode: "USD" };
  interval: "EVERY_30_DAYS";
  emailsPerMonth: number | null; // null: no limit
  trialDays: number;
}

// Flat monthly tiers, recurring charges only: the merchant knows the bill before approving it, and
// the dispatcher never calls Shopify per email (usage records would).
export const PAID_PLANS: readonly PaidPlan[] = [
  { key: "growth", name: "Afterglow Growth", price: { amount: "19.00", currencyCode: "USD" }, interval: "EVERY_30_DAYS", emailsPerMonth: 10_000, trialDays: 7 },
  { key: "scale", name: "Afterglow Scale", price: { amount: "59.00", currencyCode: "USD" }, interval: "EVERY_30_DAYS", emailsPerMonth: null, trialDays: 7 },
];

export const FREE_PLAN_NAME = "Free";

export function paidPlan(key: string): PaidPlan | null {
  return PAID_PLANS.find((p) => p.key === key) ?? null;
}

// Which of our plans a Shopify subscription is, by its name; null for one that is not ours.
export function planOfSubscriptionName(name: string): PaidPlan | null {
  return PAID_PLANS.find((p) => p.name === name) ?? null;
}

export function planName(plan: PlanKey): string {
  return plan === "free" ? FREE_PLAN_NAME : paidPlan(plan)!.name;
}

// Emails a month on the plan; null: no limit.
export function monthlyAllowance({ plan, freeEmailsPerMonth }: { plan: PlanKey; freeEmailsPerMonth: number }): number | null {
  return plan === "free" ? freeEmailsPerMonth : paidPlan(plan)!.emailsPerMonth;
}

// The next plan up that allows more, for "choose X to send them": null when there is none.
export function planAbove(plan: PlanKey): PaidPlan | null {
  if (plan === "free") return PAID_PLANS[0];
  const index = PAID_PLANS.findIndex((p) => p.key === plan);
  return PAID_PLANS[index + 1] ?? null;
}

// Shopify's AppSubscriptionStatus values (Admin API 2025-10; ACCEPTED is deprecated and unused).
export const SUBSCRIPTION_STATUSES = ["PENDING", "ACTIVE", "CANCELLED", "DECLINED", "EXPIRED", "FROZEN", "ACCEPTED"] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

export function isSubscriptionStatus(value: unknown): value is SubscriptionStatus {
  return typeof value === "string" && (SUBSCRIPTION_STATUSES as readonly string[]).includes(value);
}

// Only an ACTIVE subscription pays for its plan. FROZEN (the shop's own Shopify bill is unpaid)
// is billed nothing meanwhile, so the free allowance applies until Shopify thaws it.
export function planOfSubscriptions(subscriptions: readonly { plan: string; status: string }[]): PlanKey {
  let best: PlanKey = "free";
  for (const s of subscriptions) {
    if (s.status !== "ACTIVE" || !paidPlan(s.plan)) continue;
    // Two active at once (a replacement between Shopify's two webhooks): the larger one counts.
    if (best === "free" || PAID_PLANS.findIndex((p) => p.key === s.plan) > PAID_PLANS.findIndex((p) => p.key === best)) best = s.plan as PaidPlanKey;
  }
  return best;
}

// A status update applies unless the one we hold is newer (Shopify may deliver out of order).
export function isNewerStatus({ held, incoming }: { held: Date | null; incoming: Date | null }): boolean {
  if (!held || !incoming) return true;
  return incoming.getTime() >= held.getTime();
}

const zoneOf = (timeZone: string | null | undefined) => (isValidTimeZone(timeZone) ? timeZone : "UTC");

// The month an email counts in: YYYY-MM in the shop's time zone.
export function billingMonth(at: Date, timeZone: string | null | undefined): string {
  return DateTime.fromJSDate(at, { zone: zoneOf(timeZone) }).toFormat("yyyy-MM");
}

// The oldest month whose counted emails are kept: the previous one as the shop furthest west
// (UTC−12) sees it. A retry is counted against its own month's row; older months have no retries.
export function oldestKeptBillingMonth(now: Date): string {
  return DateTime.fromJSDate(now, { zone: "Etc/GMT+12" }).startOf("month").minus({ months: 1 }).toFormat("yyyy-MM");
}

// When the allowance renews: the first instant of the next month in the shop's time zone.
export function nextMonthStart(at: Date, timeZone: string | null | undefined): Date {
  return DateTime.fromJSDate(at, { zone: zoneOf(timeZone) }).startOf("month").plus({ months: 1 }).toJSDate();
}

// Whether one more email may be counted: service emails always (they count, but are never held);
// a marketing email only while the month's count is under the allowance.
export function mayCount({ category, sent, allowance }: { category: EmailCategory; sent: number; allowance: number | null }): boolean {
  if (category === "service" || allowance === null) return true;
  return sent < allowance;
}

export interface MonthUsage {
  sent: number;
  allowance: number | null;
  remaining: number | null;
  reached: boolean; // marketing follow-ups are held
  percent: number | null; // of the allowance, 0-100, for a progress bar
}

export function monthUsage({ sent, allowance }: { sent: number; allowance: number | null }): MonthUsage {
  if (allowance === null) return { sent, allowance, remaining: null, reached: false, percent: null };
  const remaining = Math.max(0, allowance - sent);
  const percent = allowance === 0 ? 100 : Math.min(100, Math.round((sent / allowance) * 100));
  return { sent, allowance, remaining, reached: sent >= allowance, percent };
}

// How long a held follow-up waits before it is looked at again without being released: until the
// allowance renews, but at most `recheckMs` (a missed webhook still lets it go in time).
export function heldUntil({ now, timeZone, recheckMs }: { now: Date; timeZone: string | null | undefined; recheckMs: number }): Date {
  return new Date(Math.min(nextMonthStart(now, timeZone).getTime(), now.getTime() + recheckMs));
}

// The banner over the admin when follow-ups are held: how many, and how to let them go.
export function heldBanner({ held, plan, allowance }: { held: number; plan: PlanKey; allowance: number | null }): { title: string; body: string } | null {
  if (held <= 0) return null;
  const emails = held === 1 ? "1 marketing follow-up is" : `${held.toLocaleString("en-US")} marketing follow-ups are`;
  const above = planAbove(plan);
  const limit = allowance === null ? "" : ` (${allowance.toLocaleString("en-US")} emails a month)`;
  const how = above
    ? `Choose ${above.name} or a larger plan on the Plans page and they go out within minutes, each once.`
    : "They go out when the allowance renews at the start of next month.";
  return {
    title: `${emails} held: this month's emails on ${planName(plan)}${limit} are used up`,
    body: `${how} Service follow-ups keep going out.`,
  };
}
