import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase } from "../helpers/db";
import { pruneExpiredContent, retentionDays } from "~/services/compliance/retention.server";
import { loadConfig } from "~/platform/config.server";

const SHOP = "retention-test.myshopify.com";
const db = createTestDatabase("retention");
const prisma = db.prisma;
afterAll(() => db.cleanup());

const DAY = 86_400_000;
const now = new Date("2027-03-01T12:00:00Z");
const daysAgo = (n: number) => new Date(now.getTime() - n * DAY);

beforeEach(async () => {
  for (const t of ["followUpEvent", "followUp", "order", "outboxMessage", "messageEvent", "complianceRequest", "flowTriggerFire", "countedEmail"] as const) {
    await (prisma[t] as unknown as { deleteMany(): Promise<unknown> }).deleteMany();
  }
  const order = await prisma.order.create({
    data: { shop: SHOP, orderId: "gid://shopify/Order/1", name: "#1001", email: "ada@example.com", currency: "USD", totalPrice: "10.00", productIds: "[]", orderedAt: daysAgo(200) },
  });
  for (const [key, age] of [["old", 120], ["edge", 90], ["new", 10]] as const) {
    const followUp = await prisma.followUp.create({
      data: {
        id: `f-${key}`,
        shop: SHOP,
        orderRef: order.id,
        orderId: order.orderId,
        flowId: "flow",
        stepId: "step",
        stepKey: key,
        template: "thank-you",
        recipient: "ada@example.com",
        status: "sent",
        skipReason: null,
        lastError: "SendGrid 429 once",
        messageId: `sg-${key}`,
        sentAt: daysAgo(age),
        dueAt: daysAgo(age),
        nextAttemptAt: daysAgo(age),
      },
    });
    await prisma.followUpEvent.create({ data: { followUpId: followUp.id, type: "retry", detail: "SendGrid answered 429 for ada@example.com", at: daysAgo(age) } });
    await prisma.outboxMessage.create({
      data: { messageId: `outbox-${key}`, shop: SHOP, followUpId: followUp.id, toAddress: "Ada <ada@example.com>", fromAddress: "shop@example.com", subject: "Thanks", headers: "{}", html: "<p>Hi Ada</p>", text: "Hi Ada", createdAt: daysAgo(age) },
    });
    await prisma.messageEvent.create({
      data: { dedupeKey: `ev-${key}`, shop: SHOP, followUpId: followUp.id, messageId: `sg-${key}.filter`, event: "open", email: "ada@example.com", detail: '{"useragent":"Mozilla/5.0","ip":"203.0.113.7"}', occurredAt: daysAgo(age) },
    });
    await prisma.complianceRequest.create({
      data: { shop: SHOP, topic: "CUSTOMERS_DATA_REQUEST", webhookId: `wh-${key}`, status: "completed", report: '{"orders":[{"email":"ada@example.com"}]}', completedAt: daysAgo(age), receivedAt: daysAgo(age) },
    });
    await prisma.flowTriggerFire.create({
      data: { shop: SHOP, trigger: "follow-up-sent", factKey: `followUp:f-${key}`, followUpId: followUp.id, payload: '{"Email subject":"Thanks, Ada"}', status: "sent", nextAttemptAt: daysAgo(age), sentAt: daysAgo(age), updatedAt: daysAgo(age) },
    });
  }
});

describe("pruneExpiredContent", () => {
  it("removes rendered emails and event details older than the retention, and keeps the facts", async () => {
    const result = await pruneExpiredContent({ prisma, now, days: 90 });
    expect(result).toEqual({ cutoff: daysAgo(90), outboxMessages: 1, messageEventDetails: 1, followUpEventDetails: 1, dataRequestReports: 1, flowTriggerPayloads: 1, countedEmails: 0 });
    const triggers = await prisma.flowTriggerFire.findMany({ orderBy: { factKey: "asc" } });
    expect(triggers.map((t) => [t.factKey, t.payload === null])).toEqual([["followUp:f-edge", false], ["followUp:f-new", false], ["followUp:f-old", true]]);

    expect((await prisma.outboxMessage.findMany({ orderBy: { createdAt: "asc" } })).map((m) => m.messageId)).toEqual(["outbox-edge", "outbox-new"]);
    const events = await prisma.messageEvent.findMany({ orderBy: { occurredAt: "asc" } });
    expect(events.map((e) => [e.dedupeKey, e.detail === null])).toEqual([["ev-old", true], ["ev-edge", false], ["ev-new", false]]);
    expect(events[0]).toMatchObject({ event: "open", messageId: "sg-old.filter", followUpId: "f-old" });
    const timeline = await prisma.followUpEvent.findMany({ orderBy: { at: "asc" } });
    expect(timeline.map((e) => [e.followUpId, e.type, e.detail === null])).toEqual([["f-old", "retry", true], ["f-edge", "retry", false], ["f-new", "retry", false]]);
    // The follow-up itself still says what happened.
    expect(await prisma.followUp.findUniqueOrThrow({ where: { id: "f-old" } })).toMatchObject({ status: "sent", messageId: "sg-old", lastError: "SendGrid 429 once" });
    expect((await prisma.complianceRequest.findUniqueOrThrow({ where: { webhookId: "wh-old" } })).status).toBe("expired");
    expect((await prisma.complianceRequest.findUniqueOrThrow({ where: { webhookId: "wh-old" } })).report).toBeNull();
    expect((await prisma.complianceRequest.findUniqueOrThrow({ where: { webhookId: "wh-new" } })).report).not.toBeNull();
  });

  it("finds nothing more to do when run again, and moves with the clock", async () => {
    await pruneExpiredContent({ prisma, now, days: 90 });
    expect(await pruneExpiredContent({ prisma, now, days: 90 })).toMatchObject({ outboxMessages: 0, messageEventDetails: 0, followUpEventDetails: 0, dataRequestReports: 0, flowTriggerPayloads: 0 });
    const later = new Date(now.getTime() + 1 * DAY);
    expect(await pruneExpiredContent({ prisma, now: later, days: 90 })).toMatchObject({ outboxMessages: 1, messageEventDetails: 1, followUpEventDetails: 1, dataRequestReports: 1, flowTriggerPayloads: 1 });
    expect(await prisma.outboxMessage.count()).toBe(1);
  });

  it("works in batches smaller than the work", async () => {
    const result = await pruneExpiredContent({ prisma, now, days: 5, batchSize: 1 });
    expect(result).toMatchObject({ outboxMessages: 3, messageEventDetails: 3, followUpEventDetails: 3, dataRequestReports: 3, flowTriggerPayloads: 3 });
    expect(await prisma.outboxMessage.count()).toBe(0);
  });

  it("deletes the counted-email marks of months before the previous one, in batches, and keeps the months' totals", async () => {
    const at = new Date("2027-03-10T12:00:00Z");
    const marks: [string, string][] = [["c-dec", "2026-12"], ["c-jan-1", "2027-01"], ["c-jan-2", "2027-01"], ["c-feb", "2027-02"], ["c-mar", "2027-03"]];
    for (const [followUpId, month] of marks) await prisma.countedEmail.create({ data: { followUpId, shop: SHOP, month, countedAt: at } });
    await prisma.monthlyEmailCount.upsert({ where: { shop_month: { shop: SHOP, month: "2027-01" } }, create: { shop: SHOP, month: "2027-01", sent: 2 }, update: { sent: 2 } });
    expect(await pruneExpiredContent({ prisma, now: at, days: 3650, batchSize: 2 })).toMatchObject({ countedEmails: 3 });
    expect((await prisma.countedEmail.findMany({ orderBy: { followUpId: "asc" } })).map((c) => c.month)).toEqual(["2027-02", "2027-03"]);
    expect((await prisma.monthlyEmailCount.findUniqueOrThrow({ where: { shop_month: { shop: SHOP, month: "2027-01" } } })).sent).toBe(2);
    expect(await pruneExpiredContent({ prisma, now: at, days: 3650 })).toMatchObject({ countedEmails: 0 });
    // Early on the 1st (UTC), a shop far west is still in February: January is its previous month, kept.
    await prisma.countedEmail.create({ data: { followUpId: "c-jan-3", shop: SHOP, month: "2027-01", countedAt: at } });
    expect(await pruneExpiredContent({ prisma, now: new Date("2027-03-01T05:00:00Z"), days: 3650 })).toMatchObject({ countedEmails: 0 });
    expect(await pruneExpiredContent({ prisma, now: new Date("2027-03-01T13:00:00Z"), days: 3650 })).toMatchObject({ countedEmails: 1 });
  });

  it("reads RETENTION_DAYS and refuses a retention that would wipe everything", async () => {
    expect(retentionDays(loadConfig({}).housekeeping)).toBe(90);
    expect(retentionDays(loadConfig({ RETENTION_DAYS: "30" }).housekeeping)).toBe(30);
    await expect(pruneExpiredContent({ prisma, now, days: 0 })).rejects.toThrow(/RETENTION_DAYS must be a whole number of days, at least 1 \(got 0\)/);
    expect(() => loadConfig({ RETENTION_DAYS: "ninety" })).toThrow(/RETENTION_DAYS must be a whole number of days of at least 1; got "ninety"/);
    await expect(pruneExpiredContent({ prisma, now, days: Number.NaN })).rejects.toThrow(/got NaN/);
    expect(await prisma.outboxMessage.count()).toBe(3);
  });
});
