// Flows in Shopify's Marketing section, through the store simulator (the real 2025-10 schema,
// strict on scopes and input) and a real database: activities, daily engagements from the
// rollups, nothing sent twice, failures kept and retried, older installs left out with a reason.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AdminApiError, AdminApiThrottle, createAdminClient, type AdminClient } from "~/adapters/shopify-admin/client.server";
import { createMarketingEngagements, upsertMarketingActivities } from "~/adapters/shopify-admin/marketing.server";
import { createLogger } from "~/platform/logger.server";
import { storeOfflineToken } from "~/services/shop/shops.server";
import { SCOPE_MISSING_REASON, syncShopMarketing, type MarketingSyncDeps } from "~/services/marketing/marketing-sync.server";
import { marketingOf, startAdminSimulator, type AdminSimulator } from "../../simulator/admin-api";
import { SIMULATOR_ACCESS_TOKEN, SIMULATOR_SHOP, type SeedStore } from "../../simulator/store";
import { createTestDatabase } from "../helpers/db";

const db = createTestDatabase("marketing-sync");
const prisma = db.prisma;
const SCOPES = "read_orders,read_products,read_customers,write_customers,write_marketing_events";
const APP_URL = "https://afterglow.example.com";
const NOW = new Date("2025-10-03T10:00:00Z"); // noon in Warsaw

let simulator: AdminSimulator;
let store: SeedStore;
let lines: string[];
let flowA: string;
let flowB: string;

beforeAll(async () => {
  simulator = await startAdminSimulator();
  store = simulator.stores[0]!;
});
afterAll(async () => {
  await simulator.close();
  await db.cleanup();
});

beforeEach(async () => {
  for (const model of [
    prisma.marketingEngagementReport,
    prisma.marketingActivityReport,
    prisma.marketingSync,
    prisma.attribution,
    prisma.dailyStat,
    prisma.flowStep,
    prisma.flow,
    prisma.session,
    prisma.shop,
  ] as Array<{ deleteMany(): Promise<unknown> }>) {
    await model.deleteMany();
  }
  const kept = marketingOf(store);
  kept.activities.length = 0;
  kept.engagements.length = 0;
  store.accessScopes = [...new Set([...store.accessScopes, "write_marketing_events"])];
  lines = [];
  await prisma.shop.create({ data: { domain: SIMULATOR_SHOP, name: "Juniper & Pine", ianaTimezone: "Europe/Warsaw", currencyCode: "USD" } });
  await storeOfflineToken({ prisma, shop: SIMULATOR_SHOP, accessToken: SIMULATOR_ACCESS_TOKEN, scope: SCOPES });
  flowA = (await createFlow({ key: "thank-you", name: "Thank you", active: true, categories: ["marketing", "marketing"], createdAt: "2025-09-01T08:00:00Z" })).id;
  flowB = (await createFlow({ key: "care-guide", name: "Care guide", active: false, categories: ["service"], createdAt: "2025-09-02T08:00:00Z" })).id;
  // Flow A on 1 October: two steps, one with an A/B variant; on 2 October one step.
  await stat(flowA, "2025-10-01", "s1", "", { sent: 10, delivered: 9, opens: 5, clicks: 3, bounces: 1, spamReports: 0, unsubscribes: 1 });
  await stat(flowA, "2025-10-01", "s2", "b", { sent: 4, delivered: 4, opens: 2, clicks: 1, bounces: 0, spamReports: 1, unsubscribes: 0 });
  await stat(flowA, "2025-10-02", "s1", "", { sent: 6, delivered: 6, opens: 1, clicks: 0, bounces: 0, spamReports: 0, unsubscribes: 0 });
  // Follow-ups due next week (scheduled, nothing sent yet) and a day where nothing happened.
  await stat(flowA, "2025-10-09", "s1", "", { scheduled: 7 });
  await stat(flowB, "2025-09-30", "s1", "", { scheduled: 2, skipped: 2 });
  await stat(flowB, "2025-10-01", "s1", "", { sent: 3, delivered: 3, opens: 3, clicks: 2, bounces: 0, spamReports: 0, unsubscribes: 0 });
  await attribute(flowA, "2025-10-01", "o1", "19.99");
  await attribute(flowA, "2025-10-01", "o2", "5.01");
  await attribute(flowB, "2025-10-02", "o3", "42.50"); // ordered a day after the email: a day with orders only
});

async function createFlow({ key, name, active, categories, createdAt }: { key: string; name: string; active: boolean; categories: string[]; createdAt: string }) {
  return prisma.flow.create({
    data: {
      shop: SIMULATOR_SHOP,
      key,
      name,
      trigger: "order_fulfilled",
      active,
      createdAt: new Date(createdAt),
      steps: {
        create: categories.map((category, i) => ({ key: `s${i + 1}`, position: i, delayAmount: 1, delayUnit: "days", template: "thank-you", category, subject: "Thanks" })),
      },
    },
  });
}

async function stat(flowId: string, day: string, stepKey: string, variant: string, counts: Record<string, number>) {
  await prisma.dailyStat.create({ data: { shop: SIMULATOR_SHOP, day, flowId, stepKey, variant, ...counts } });
}

async function attribute(flowId: string, day: string, order: string, revenue: string) {
  await prisma.attribution.create({
    data: {
      shop: SIMULATOR_SHOP,
      orderRef: `${SIMULATOR_SHOP}:${order}`,
      orderId: `gid://shopify/Order/${order.slice(1)}`,
      followUpId: `fu-${order}`,
      flowId,
      stepKey: "s1",
      reason: "click",
      revenue,
      currency: "USD",
      orderedAt: new Date(`${day}T12:00:00Z`),
      day,
    },
  });
}

function quickClient(): AdminClient {
  return createAdminClient({ shop: SIMULATOR_SHOP, accessToken: SIMULATOR_ACCESS_TOKEN, urlTemplate: simulator.url, throttle: new AdminApiThrottle(), maxRetries: 0 });
}

function deps(over: Partial<MarketingSyncDeps> = {}): MarketingSyncDeps & { shop: string } {
  return {
    prisma,
    shop: SIMULATOR_SHOP,
    appUrl: APP_URL,
    adminApiUrl: simulator.url,
    now: () => NOW,
    logger: createLogger({}, { level: "info", write: (line) => lines.push(line) }),
    ...over,
  };
}

const marketingRequests = () => simulator.requests.filter((r) => r.operationName?.startsWith("Marketing"));
const received = () => marketingOf(store).engagements.map((e) => ({ remoteId: e.remoteId, ...e.engagement }));

function day(occurredOn: string, n: Partial<Record<string, unknown>>) {
  return {
    occurredOn,
    utcOffset: "+02:00",
    isCumulative: false,
    sendsCount: 0,
    impressionsCount: 0,
    viewsCount: 0,
    uniqueViewsCount: 0,
    clicksCount: 0,
    uniqueClicksCount: 0,
    failsCount: 0,
    complaintsCount: 0,
    unsubscribesCount: 0,
    orders: 0,
    sales: { amount: "0.00", currencyCode: "USD" },
    ...n,
  };
}

describe("a shop's flows in Shopify's Marketing section", () => {
  it("shows two flows as two activities with their days' numbers, in one batch each", async () => {
    const before = simulator.requests.length;
    const pass = await syncShopMarketing(deps());
    expect(pass).toMatchObject({ outcome: "done", activities: { sent: 2, failed: 0 }, engagements: { sent: 4, failed: 0, left: 0 } });

    expect(marketingOf(store).activities.map(({ id: _id, createdAt: _c, updatedAt: _u, ...a }) => a)).toEqual([
      {
        remoteId: flowA,
        title: "Thank you",
        status: "ACTIVE",
        tactic: "NEWSLETTER",
        marketingChannelType: "EMAIL",
        remoteUrl: `${APP_URL}/app/flows/${flowA}`,
        utm: { source: "afterglow", medium: "email", campaign: "thank-you" },
        urlParameterValue: null,
        start: "2025-09-01T08:00:00.000Z",
        end: null,
      },
      {
        remoteId: flowB,
        title: "Care guide",
        status: "PAUSED",
        tactic: "TRANSACTIONAL",
        marketingChannelType: "EMAIL",
        remoteUrl: `${APP_URL}/app/flows/${flowB}`,
        utm: { source: "afterglow", medium: "email", campaign: "care-guide" },
        urlParameterValue: null,
        start: "2025-09-02T08:00:00.000Z",
        end: null,
      },
    ]);
    // Newest day first; flow A's 1 October sums both steps; the scheduled-only and empty days are not sent.
    expect(received()).toEqual([
      { remoteId: flowA, ...day("2025-10-02", { sendsCount: 6, impressionsCount: 6, viewsCount: 1, uniqueViewsCount: 1 }) },
      { remoteId: flowB, ...day("2025-10-02", { orders: 1, sales: { amount: "42.50", currencyCode: "USD" } }) },
      {
        remoteId: flowA,
        ...day("2025-10-01", {
          sendsCount: 14,
          impressionsCount: 13,
          viewsCount: 7,
          uniqueViewsCount: 7,
          clicksCount: 4,
          uniqueClicksCount: 4,
          failsCount: 1,
          complaintsCount: 1,
          unsubscribesCount: 1,
          orders: 2,
          sales: { amount: "25.00", currencyCode: "USD" },
        }),
      },
      { remoteId: flowB, ...day("2025-10-01", { sendsCount: 3, impressionsCount: 3, viewsCount: 3, uniqueViewsCount: 3, clicksCount: 2, uniqueClicksCount: 2 }) },
    ]);
    const sent = simulator.requests.slice(before).filter((r) => r.operationName?.startsWith("Marketing"));
    expect(sent.map((r) => [r.operationName, r.status])).toEqual([
      ["MarketingActivityUpsertBatch", 200],
      ["MarketingEngagementCreateBatch", 200],
    ]);
    const rows = await prisma.marketingActivityReport.findMany({ orderBy: { createdAt: "asc" } });
    expect(rows.map((r) => [r.flowId, r.activityId, r.lastError])).toEqual(
      marketingOf(store).activities.map((a) => [a.remoteId, a.id, null]),
    );
    expect(await prisma.marketingEngagementReport.count({ where: { reported: { not: null } } })).toBe(4);
  });

  it("sends nothing on a second pass, then only what changed: a day again whole, a flow turned off, a deleted flow ended", async () => {
    await syncShopMarketing(deps());
    const requests = marketingRequests().length;
    const second = await syncShopMarketing(deps());
    expect(second).toMatchObject({ outcome: "done", activities: { sent: 0 }, engagements: { sent: 0, left: 0 } });
    expect(marketingRequests().length).toBe(requests);

    // A late open and an order attributed the next morning change flow A's 1 October.
    await prisma.dailyStat.updateMany({ where: { flowId: flowA, day: "2025-10-01", stepKey: "s1" }, data: { opens: 6 } });
    await attribute(flowA, "2025-10-01", "o4", "10.00");
    await prisma.flow.update({ where: { id: flowA }, data: { active: false } });
    await prisma.flow.delete({ where: { id: flowB } });
    const engagementsBefore = received().length;
    const third = await syncShopMarketing(deps());
    expect(third).toMatchObject({ outcome: "done", activities: { sent: 2 }, engagements: { sent: 1 } });
    expect(received().slice(engagementsBefore)).toEqual([
      {
        remoteId: flowA,
        ...day("2025-10-01", {
          sendsCount: 14,
          impressionsCount: 13,
          viewsCount: 8,
          uniqueViewsCount: 8,
          clicksCount: 4,
          uniqueClicksCount: 4,
          failsCount: 1,
          complaintsCount: 1,
          unsubscribesCount: 1,
          orders: 3,
          sales: { amount: "35.00", currencyCode: "USD" },
        }),
      },
    ]);
    const [a, b] = marketingOf(store).activities;
    expect(a).toMatchObject({ remoteId: flowA, status: "PAUSED", utm: { campaign: "thank-you" } });
    expect(b).toMatchObject({ remoteId: flowB, status: "DELETED_EXTERNALLY", title: "Care guide", end: NOW.toISOString() });
    const fourth = await syncShopMarketing(deps());
    expect(fourth).toMatchObject({ activities: { sent: 0 }, engagements: { sent: 0 } });
  });

  it("keeps a failure and sends it on the next pass", async () => {
    simulator.failNext(1, 503);
    const failed = await syncShopMarketing(deps({ clientFor: async () => quickClient() }));
    expect(failed).toMatchObject({ outcome: "done", activities: { sent: 0, failed: 2 }, engagements: { sent: 0 } });
    expect(marketingOf(store).activities).toEqual([]);
    const kept = await prisma.marketingActivityReport.findMany();
    expect(kept.map((r) => [r.reported, r.attempts, r.lastError?.includes("HTTP 503")])).toEqual([
      [null, 1, true],
      [null, 1, true],
    ]);
    expect(lines.some((l) => l.includes("next pass tries again"))).toBe(true);

    const retried = await syncShopMarketing(deps({ clientFor: async () => quickClient() }));
    expect(retried).toMatchObject({ outcome: "done", activities: { sent: 2, failed: 0 }, engagements: { sent: 4 } });
    expect((await prisma.marketingActivityReport.findMany()).map((r) => [r.attempts, r.lastError])).toEqual([
      [0, null],
      [0, null],
    ]);

    // The engagement batch fails this time (the activities have nothing new to say).
    await prisma.dailyStat.updateMany({ where: { flowId: flowB, day: "2025-10-01" }, data: { clicks: 3 } });
    simulator.failNext(1, 502);
    const engagementFailed = await syncShopMarketing(deps({ clientFor: async () => quickClient() }));
    expect(engagementFailed).toMatchObject({ activities: { sent: 0 }, engagements: { sent: 0, failed: 1 } });
    const row = await prisma.marketingEngagementReport.findUniqueOrThrow({ where: { shop_flowId_day: { shop: SIMULATOR_SHOP, flowId: flowB, day: "2025-10-01" } } });
    expect(row).toMatchObject({ attempts: 1 });
    expect(row.lastError).toContain("HTTP 502");
    const count = received().length;
    const again = await syncShopMarketing(deps({ clientFor: async () => quickClient() }));
    expect(again).toMatchObject({ engagements: { sent: 1, failed: 0 } });
    expect(received().slice(count)).toEqual([expect.objectContaining({ remoteId: flowB, occurredOn: "2025-10-01", clicksCount: 3, uniqueClicksCount: 3 })]);
    expect(await prisma.marketingEngagementReport.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ attempts: 0, lastError: null });
  });

  it("leaves an older install without write_marketing_events out with one clear log line, asking Shopify nothing", async () => {
    await storeOfflineToken({ prisma, shop: SIMULATOR_SHOP, accessToken: SIMULATOR_ACCESS_TOKEN, scope: "read_orders,read_products" });
    const before = simulator.requests.length;
    const first = await syncShopMarketing(deps());
    const second = await syncShopMarketing(deps());
    expect([first.outcome, second.outcome]).toEqual(["scope_missing", "scope_missing"]);
    expect(first.error).toBe(SCOPE_MISSING_REASON);
    expect(simulator.requests.length).toBe(before);
    expect(lines.filter((l) => l.includes("write_marketing_events")).length).toBe(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: "info", shop: SIMULATOR_SHOP, msg: SCOPE_MISSING_REASON });
    expect(await prisma.marketingSync.findUnique({ where: { shop: SIMULATOR_SHOP } })).toMatchObject({ blockedReason: SCOPE_MISSING_REASON });
  });

  it("takes Shopify's access denied the same way when the granted scopes were not recorded", async () => {
    await prisma.session.updateMany({ data: { scope: null } });
    store.accessScopes = store.accessScopes.filter((s) => s !== "write_marketing_events");
    const pass = await syncShopMarketing(deps());
    expect(pass).toMatchObject({ outcome: "scope_missing", activities: { sent: 0 } });
    expect(marketingOf(store).activities).toEqual([]);
    expect(lines.filter((l) => l.includes(SCOPE_MISSING_REASON.slice(0, 40))).length).toBe(1);
    // Once the merchant approves, the next pass goes through and the reason is cleared.
    store.accessScopes.push("write_marketing_events");
    expect(await syncShopMarketing(deps())).toMatchObject({ outcome: "done", activities: { sent: 2 } });
    expect(await prisma.marketingSync.findUnique({ where: { shop: SIMULATOR_SHOP } })).toMatchObject({ blockedReason: null, claimedUntil: null });
  });

  it("lets one pass at a time work a shop", async () => {
    await prisma.marketingSync.create({ data: { shop: SIMULATOR_SHOP, claimedUntil: new Date(NOW.getTime() + 60_000) } });
    expect(await syncShopMarketing(deps())).toMatchObject({ outcome: "busy" });
    expect(marketingOf(store).activities).toEqual([]);
  });
});

describe("the store simulator's marketing mutations", () => {
  const activity = {
    remoteId: "flow-1",
    title: "Thank you",
    status: "ACTIVE" as const,
    tactic: "NEWSLETTER",
    marketingChannelType: "EMAIL" as const,
    remoteUrl: "https://afterglow.example.com/app/flows/flow-1",
    utm: { source: "afterglow", medium: "email", campaign: "thank-you" },
  };

  it("answers bad input with Shopify's user errors", async () => {
    const client = quickClient();
    const [noUtm, blank, ok] = await upsertMarketingActivities(client, [
      { ...activity, remoteId: "flow-0", utm: undefined },
      { ...activity, remoteId: "flow-2", title: " ", utm: { ...activity.utm, campaign: "other" } },
      activity,
    ]);
    expect(noUtm).toEqual({ ok: false, userErrors: [expect.objectContaining({ code: "NON_HIERARCHIAL_REQUIRES_UTM_URL_PARAMETER" })] });
    expect(blank).toEqual({ ok: false, userErrors: [expect.objectContaining({ field: ["input", "title"], code: "INVALID" })] });
    expect(ok).toMatchObject({ ok: true, activityId: expect.stringMatching(/^gid:\/\/shopify\/MarketingActivity\/\d+$/) });
    const [changedUtm, sameUtmElsewhere] = await upsertMarketingActivities(client, [
      { ...activity, utm: { ...activity.utm, campaign: "renamed" } },
      { ...activity, remoteId: "flow-3" },
    ]);
    expect(changedUtm).toMatchObject({ ok: false, userErrors: [{ code: "IMMUTABLE_UTM_PARAMETERS" }] });
    expect(sameUtmElsewhere).toMatchObject({ ok: false, userErrors: [{ code: "MARKETING_ACTIVITY_WITH_UTM_CAMPAIGN_ALREADY_EXISTS" }] });
    const [unknown] = await createMarketingEngagements(client, [
      { remoteId: "no-such-flow", engagement: { occurredOn: "2025-10-01", utcOffset: "+02:00", isCumulative: false, sendsCount: 1 } },
    ]);
    expect(unknown).toMatchObject({ ok: false, userErrors: [{ field: ["remoteId"], code: "INVALID_REMOTE_ID" }] });
    await expect(
      createMarketingEngagements(client, [{ remoteId: "flow-1", engagement: { occurredOn: "1 Oct", utcOffset: "+02:00", isCumulative: false } }]),
    ).rejects.toThrow(/Invalid Date/);
    expect(marketingOf(store).engagements).toEqual([]);
  });

  it("refuses both mutations without write_marketing_events", async () => {
    store.accessScopes = store.accessScopes.filter((s) => s !== "write_marketing_events");
    const refused = await upsertMarketingActivities(quickClient(), [activity]).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(AdminApiError);
    expect(refused).toMatchObject({ code: "ACCESS_DENIED", retryable: false });
    expect((refused as Error).message).toContain("write_marketing_events");
    await expect(
      createMarketingEngagements(quickClient(), [{ remoteId: "flow-1", engagement: { occurredOn: "2025-10-01", utcOffset: "+02:00", isCumulative: false } }]),
    ).rejects.toMatchObject({ code: "ACCESS_DENIED" });
    expect(marketingOf(store).activities).toEqual([]);
  });
});
