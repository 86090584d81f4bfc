// A shop's plan through Shopify's Billing API: asking for a subscription (the merchant approves it
// on Shopify's confirmation page), recording what Shopify says of it (the return URL, the
// app_subscriptions/update webhook), and letting held follow-ups go once the plan allows more.
import type { PrismaClient } from "@prisma/client";
import { adminClientForShop, fetchShopProfile, type AdminClient } from "~/adapters/shopify-admin/index.server";
import { cancelAppSubscription, createAppSubscription, fetchActiveSubscriptions } from "~/adapters/shopify-admin/billing.server";
import {
  billingMonth,
  heldBanner,
  isNewerStatus,
  monthlyAllowance,
  monthUsage,
  nextMonthStart,
  PAID_PLANS,
  paidPlan,
  planName,
  planOfSubscriptionName,
  planOfSubscriptions,
  type MonthUsage,
  type PaidPlanKey,
  type PlanKey,
} from "~/domain/plans";
import { config } from "~/platform/config.server";
import { logger } from "~/platform/logger.server";
import { followUpsScheduled } from "../intake/follow-ups-scheduled.server";
import { emailsSentInMonth } from "./email-count.server";

export async function currentPlan(prisma: PrismaClient, shop: string): Promise<PlanKey> {
  const active = await prisma.planSubscription.findMany({ where: { shop, status: "ACTIVE" }, select: { plan: true, status: true } });
  return planOfSubscriptions(active);
}

// Follow-ups waiting for a bigger plan or the next month.
export async function heldFollowUps(prisma: PrismaClient, shop: string): Promise<number> {
  return prisma.followUp.count({ where: { shop, status: "scheduled", skipCode: "plan_limit" } });
}

export interface PlanOverview {
  plan: PlanKey;
  planName: string;
  month: string; // YYYY-MM in the shop's time zone
  renewsAt: string;
  usage: MonthUsage;
  held: number;
  banner: { title: string; body: string } | null;
  subscription: { name: string; status: string; test: boolean; currentPeriodEnd: string | null } | null;
  plans: Array<{
    key: PlanKey;
    name: string;
    price: string | null; // "$19.00 every 30 days"; null for free
    emailsPerMonth: number | null;
    trialDays: number;
    current: boolean;
  }>;
}

export async function planOverview(
  prisma: PrismaClient,
  { shop, now = new Date(), freeEmailsPerMonth = config().billing.freeEmailsPerMonth }: { shop: string; now?: Date; freeEmailsPerMonth?: number },
): Promise<PlanOverview> {
  const row = await prisma.shop.findUnique({ where: { domain: shop }, select: { ianaTimezone: true } });
  const timeZone = row?.ianaTimezone ?? null;
  const month = billingMonth(now, timeZone);
  const [plan, sent, held, active] = await Promise.all([
    currentPlan(prisma, shop),
    emailsSentInMonth(prisma, { shop, month }),
    heldFollowUps(prisma, shop),
    prisma.planSubscription.findFirst({ where: { shop, status: "ACTIVE" }, orderBy: { createdAt: "desc" } }),
  ]);
  const allowance = monthlyAllowance({ plan, freeEmailsPerMonth });
  return {
    plan,
    planName: planName(plan),
    month,
    renewsAt: nextMonthStart(now, timeZone).toISOString(),
    usage: monthUsage({ sent, allowance }),
    held,
    banner: heldBanner({ held, plan, allowance }),
    subscription: active
      ? { name: active.name, status: active.status, test: active.test, currentPeriodEnd: active.currentPeriodEnd?.toISOString() ?? null }
      : null,
    plans: [
      { key: "free", name: planName("free"), price: null, emailsPerMonth: freeEmailsPerMonth, trialDays: 0, current: plan === "free" },
      ...PAID_PLANS.map((p) => ({
        key: p.key,
        name: p.name,
        price: `$${p.price.amount} every 30 days`,
        emailsPerMonth: p.emailsPerMonth,
        trialDays: p.trialDays,
        current: plan === p.key,
      })),
    ],
  };
}

// Only the plans page's Subscribe button asks: the merchant is looking at the admin.
export async function adminClientFor(prisma: PrismaClient, shop: string): Promise<AdminClient> {
  const adminApiUrl = config().shopify.adminApiUrl;
  return adminClientForShop({ prisma, shop, maxRetries: 1, ...(adminApiUrl ? { urlTemplate: adminApiUrl } : {}) });
}

// Asks Shopify for the plan's subscription and keeps it as PENDING; the merchant approves or
// declines it at the returned confirmation URL. A development store is asked for a test charge
// (Shopify never bills those stores); the profile is read now, not from the stored row, because a
// development store that becomes a paying one must be billed for real.
export async function requestSubscription({
  prisma,
  client,
  shop,
  plan: key,
  returnUrl,
}: {
  prisma: PrismaClient;
  client: AdminClient;
  shop: string;
  plan: PaidPlanKey;
  returnUrl: string;
}): Promise<{ confirmationUrl: string; test: boolean }> {
  const plan = paidPlan(key);
  if (!plan) throw new Error(`There is no plan "${key}".`);
  const { developmentStore } = await fetchShopProfile(client);
  const { subscription, confirmationUrl } = await createAppSubscription(client, {
    name: plan.name,
    returnUrl,
    test: developmentStore,
    trialDays: plan.trialDays,
    price: plan.price,
    interval: plan.interval,
  });
  await prisma.planSubscription.upsert({
    where: { id: subscription.id },
    create: {
      id: subscription.id,
      shop,
      plan: plan.key,
      name: subscription.name,
      status: subscription.status,
      test: subscription.test,
      currentPeriodEnd: subscription.currentPeriodEnd,
      statusAt: null,
    },
    update: {},
  });
  logger.info("subscription requested", { shop, plan: plan.key, test: subscription.test, subscriptionId: subscription.id });
  return { confirmationUrl, test: subscription.test };
}

// The merchant's "Switch to Free": each of the shop's paid subscriptions is cancelled in Shopify and
// its CANCELLED status recorded from Shopify's answer (the webhook that follows says the same).
// Follow-ups above the free allowance are held from the next send on, as for any smaller plan.
export async function switchToFree({ prisma, client, shop, now = new Date() }: { prisma: PrismaClient; client: AdminClient; shop: string; now?: Date }): Promise<{ cancelled: number; plan: PlanKey }> {
  const active = await prisma.planSubscription.findMany({ where: { shop, status: "ACTIVE" }, select: { id: true } });
  for (const { id } of active) {
    const cancelled = await cancelAppSubscription(client, id);
    await recordSubscriptionStatus({ prisma, shop, update: { id: cancelled.id, name: cancelled.name, status: cancelled.status, updatedAt: null, currentPeriodEnd: cancelled.currentPeriodEnd }, now });
  }
  const plan = await currentPlan(prisma, shop);
  logger.info("the merchant switched to the free plan", { shop, cancelled: active.length, plan });
  return { cancelled: active.length, plan };
}

export interface StatusUpdate {
  id: string; // gid://shopify/AppSubscription/…
  name: string;
  status: string;
  updatedAt: Date | null; // Shopify's time of the change, when it says
  currentPeriodEnd?: Date | null;
  test?: boolean;
}

export class UnknownSubscriptionError extends Error {
  constructor(readonly shop: string, readonly subscriptionId: string) {
    super(`${subscriptionId} is not a subscription ${shop} was asked for through Afterglow.`);
    this.name = "UnknownSubscriptionError";
  }
}

// Records Shopify's status of one of the shop's subscriptions; when the plan now allows more,
// the held follow-ups are released. Only subscriptions this shop asked for through the app are
// taken (their id ties a webhook body to its shop); an older status never replaces a newer one.
export async function recordSubscriptionStatus({
  prisma,
  shop,
  update,
  now = new Date(),
}: {
  prisma: PrismaClient;
  shop: string;
  update: StatusUpdate;
  now?: Date;
}): Promise<{ plan: PlanKey; previous: PlanKey; released: number }> {
  const previous = await currentPlan(prisma, shop);
  const held = await prisma.planSubscription.findUnique({ where: { id: update.id } });
  if (!held || held.shop !== shop) throw new UnknownSubscriptionError(shop, update.id);
  if (isNewerStatus({ held: held.statusAt, incoming: update.updatedAt })) {
    await prisma.planSubscription.update({
      where: { id: update.id },
      data: {
        status: update.status,
        statusAt: update.updatedAt ?? now,
        ...(update.currentPeriodEnd !== undefined ? { currentPeriodEnd: update.currentPeriodEnd } : {}),
        ...(update.test !== undefined ? { test: update.test } : {}),
      },
    });
  }
  const plan = await currentPlan(prisma, shop);
  const freeEmailsPerMonth = config().billing.freeEmailsPerMonth;
  const before = monthlyAllowance({ plan: previous, freeEmailsPerMonth });
  const after = monthlyAllowance({ plan, freeEmailsPerMonth });
  const allowsMore = after === null ? before !== null : before !== null && after > before;
  const released = allowsMore ? await releaseHeldFollowUps({ prisma, shop, now }) : 0;
  if (plan !== previous) logger.info("the shop's plan changed", { shop, from: previous, to: plan, status: update.status, released });
  return { plan, previous, released };
}

// The return URL: Shopify sends the merchant back after approving (or declining). What the shop
// pays now is read from Shopify itself, so the page is right even before the webhook arrives.
export async function syncActiveSubscriptions({ prisma, client, shop, now = new Date() }: { prisma: PrismaClient; client: AdminClient; shop: string; now?: Date }) {
  const active = await fetchActiveSubscriptions(client);
  let released = 0;
  for (const s of active) {
    if (!planOfSubscriptionName(s.name)) continue;
    const known = await prisma.planSubscription.findUnique({ where: { id: s.id }, select: { shop: true } });
    if (!known || known.shop !== shop) continue;
    // No time of change in the query's answer: a webhook's later status still wins over this one.
    const result = await recordSubscriptionStatus({
      prisma,
      shop,
      update: { id: s.id, name: s.name, status: s.status, updatedAt: null, currentPeriodEnd: s.currentPeriodEnd, test: s.test },
      now,
    });
    released += result.released;
  }
  return { plan: await currentPlan(prisma, shop), released };
}

// Held follow-ups go out on the next dispatcher pass: due now, no longer marked held, and the
// queue is told. Each still passes every gate (and the count) again, so none is sent twice and
// none past a new limit.
export async function releaseHeldFollowUps({ prisma, shop, now = new Date() }: { prisma: PrismaClient; shop: string; now?: Date }): Promise<number> {
  const held = await prisma.followUp.findMany({ where: { shop, status: "scheduled", skipCode: "plan_limit" }, select: { id: true } });
  if (held.length === 0) return 0;
  const ids = held.map((f) => f.id);
  const { count } = await prisma.followUp.updateMany({
    where: { shop, status: "scheduled", skipCode: "plan_limit" },
    data: { nextAttemptAt: now, skipCode: null, skipReason: null },
  });
  const plan = planName(await currentPlan(prisma, shop));
  for (let i = 0; i < ids.length; i += 500) {
    const part = ids.slice(i, i + 500);
    await prisma.followUpEvent.createMany({ data: part.map((followUpId) => ({ followUpId, type: "released", detail: `Released: the ${plan} plan allows it.`, at: now })) });
  }
  await followUpsScheduled(ids.map((id) => ({ id, dueAt: now })));
  return count;
}
