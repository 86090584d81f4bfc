import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase } from "../helpers/db";
import { followUpTimeline } from "~/services/messages/timeline.server";
import { startSendGridStandIn, type SendGridStandIn } from "../../simulator/sendgrid";
import { createSendGridTransport } from "~/adapters/mail/sendgrid.server";
import { createOutboxTransport } from "~/adapters/mail/outbox.server";
import { createDispatcher, type DispatcherDeps } from "~/services/dispatch/dispatcher.server";
import { claimFollowUp, readOrder, writeWhileClaimed } from "~/services/dispatch/dispatch-sql.server";
import { prepareFollowUp } from "~/email/prepare.server";
import { renderFollowUp } from "~/email/render.server";
import { receiveOrderCancelled, receiveOrderCreated } from "~/services/intake/intake.server";
import { connectShop, disconnectShop } from "~/services/shop/shops.server";
import type { RecommendedProduct } from "~/domain/recommendations.types";
import { createLogger } from "~/platform/logger.server";
import { formatLocalTime } from "~/domain/skip-reasons";
import { receiveSendGridEvents } from "~/services/events/sendgrid-events.server";
import type { MailTransport } from "~/adapters/mail/transport";
import { sampleEvents } from "../../simulator/sendgrid-events";
import { turnOnFlow } from "../helpers/flows";

const SHOP = "dispatch-test.myshopify.com";
const db = createTestDatabase("dispatch");
const prisma = db.prisma;
let sendgrid: SendGridStandIn;
let clock = new Date("2026-11-28T12:00:00Z");
const logLines: string[] = [];

const product: RecommendedProduct = {
  id: "gid://shopify/Product/900",
  title: "Beeswax wrap",
  url: "https://juniper.example/products/beeswax-wrap",
  imageUrl: null,
  imageAlt: null,
  price: { amount: "12.00", currencyCode: "USD" },
  source: "complementary",
};

function dispatcher(overrides: Partial<DispatcherDeps> = {}) {
  return createDispatcher({
    prisma,
    transport: createSendGridTransport({ apiKey: "SG.test", baseUrl: sendgrid.url, timeoutMs: 2000 }),
    recommend: async () => [product],
    render: async (req) => renderFollowUp(await prepareFollowUp(req)),
    now: () => clock,
    retryPolicy: { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 10_000 },
    logger: createLogger({}, { write: (l) => logLines.push(l) }),
    ...overrides,
  });
}

let seq = 0;
async function orderCreated(orderId: number, email = "ada@example.com") {
  const outcome = await receiveOrderCreated({
    prisma,
    delivery: { shop: SHOP, topic: "orders/create", webhookId: `wh-${++seq}` },
    payload: {
      id: orderId,
      name: `#${orderId}`,
      email,
      created_at: clock.toISOString(),
      currency: "USD",
      total_price: "30.00",
      customer: { id: 5, first_name: "Ada" },
      line_items: [{ id: 1, product_id: 100, quantity: 1, price: "30.00" }],
    },
    now: clock,
  });
  if (outcome.kind !== "scheduled") throw new Error(`not scheduled: ${outcome.kind}`);
  return outcome.followUps[0].id;
}

const advance = (ms: number) => (clock = new Date(clock.getTime() + ms));

beforeAll(async () => {
  sendgrid = await startSendGridStandIn();
});
afterAll(async () => {
  await sendgrid.close();
  await db.cleanup();
});
beforeEach(async () => {
  sendgrid.clear();
  logLines.length = 0;
  for (const t of ["messageEvent", "followUpEvent", "followUp", "order", "webhookDelivery", "flowStep", "flow", "shop", "outboxMessage"] as const) {
    await (prisma[t] as unknown as { deleteMany(): Promise<unknown> }).deleteMany();
  }
  await connectShop({
    prisma,
    shop: SHOP,
    profile: { name: "Juniper & Pine", email: "hello@juniper.example", address: "1 Main St, Springfield" },
  });
  await turnOnFlow({ prisma, shop: SHOP });
});

describe("dispatcher", () => {
  it("sends nothing before the follow-up is due, then sends it once with its id in custom_args", async () => {
    const id = await orderCreated(1);
    expect((await dispatcher().drain()).claimed).toBe(0);
    advance(60 * 60_000);
    const summary = await dispatcher().drain();
    expect(summary).toMatchObject({ claimed: 1, sent: 1 });
    expect(sendgrid.messages).toHaveLength(1);
    const mail = sendgrid.messages[0];
    expect(mail.to[0].email).toBe("ada@example.com");
    expect(mail.from.email).toBe("hello@juniper.example");
    expect(mail.subject).toBe("Thank you for your order #1");
    expect(mail.customArgs.followUpId).toBe(id);
    expect(mail.html).toContain("Beeswax wrap");
    expect(mail.text).toContain("Beeswax wrap");
    const f = await prisma.followUp.findUniqueOrThrow({ where: { id }, include: { events: { orderBy: { at: "asc" } } } });
    expect(f).toMatchObject({ status: "sent", messageId: mail.messageId, transport: "sendgrid", attempts: 1 });
    expect(f.sentAt).toEqual(clock);
    expect((await followUpTimeline(prisma, id)).map((e) => e.type)).toEqual(["scheduled", "sent"]);
    expect((await dispatcher().drain()).claimed).toBe(0);
    expect(sendgrid.messages).toHaveLength(1);
  });

  it("retries a 429 no earlier than X-RateLimit-Reset, then sends once", async () => {
    const id = await orderCreated(2);
    advance(60 * 60_000);
    sendgrid.failNext({ status: 429, count: 1, resetInSeconds: 30 });
    expect(await dispatcher().drain()).toMatchObject({ claimed: 1, retried: 1, sent: 0 });
    const waiting = await prisma.followUp.findUniqueOrThrow({ where: { id } });
    expect(waiting.status).toBe("scheduled");
    expect(waiting.lastError).toMatch(/429|rate/i);
    expect(waiting.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(Date.now() + 25_000 - 5_000);
    clock = new Date(waiting.nextAttemptAt.getTime() + 1);
    expect(await dispatcher().drain()).toMatchObject({ claimed: 1, sent: 1 });
    expect(sendgrid.messages).toHaveLength(1);
    expect(sendgrid.requests.map((r) => r.status)).toEqual([429, 202]);
    const f = await prisma.followUp.findUniqueOrThrow({ where: { id }, include: { events: true } });
    expect(f.attempts).toBe(2);
    expect((await followUpTimeline(prisma, id)).map((e) => e.type)).toEqual(["scheduled", "retry", "sent"]);
  });

  it("retries 5xx with backoff and fails with the error kept after the last attempt", async () => {
    const id = await orderCreated(3);
    advance(60 * 60_000);
    sendgrid.failNext({ status: 503, count: 10 });
    for (let i = 0; i < 3; i++) {
      await dispatcher().drain();
      const f = await prisma.followUp.findUniqueOrThrow({ where: { id } });
      clock = new Date(f.nextAttemptAt.getTime() + 1);
    }
    const f = await prisma.followUp.findUniqueOrThrow({ where: { id } });
    expect(f.status).toBe("failed");
    expect(f.attempts).toBe(3);
    expect(f.lastError).toMatch(/Gave up after 3 attempts/);
    expect(sendgrid.messages).toHaveLength(0);
  });

  it("fails permanently on a 400 and keeps SendGrid's error", async () => {
    const id = await orderCreated(4, "ada@exa..mple.com");
    advance(60 * 60_000);
    expect(await dispatcher().drain()).toMatchObject({ failed: 1 });
    const f = await prisma.followUp.findUniqueOrThrow({ where: { id } });
    expect(f.status).toBe("failed");
    expect(f.attempts).toBe(1);
    expect(f.lastError).toMatch(/personalizations\.0\.to\.0\.email|email address/i);
  });

  it("re-checks just before sending: a cancelled order or a turned-off flow is skipped with its reason", async () => {
    const a = await orderCreated(5);
    const b = await orderCreated(6);
    // The cancellation lands between claim-time checks and intake: mark the order directly.
    await prisma.order.updateMany({ where: { orderId: "gid://shopify/Order/5" }, data: { cancelledAt: clock } });
    await prisma.flow.updateMany({ data: { active: false } });
    advance(60 * 60_000);
    await dispatcher().drain();
    expect(sendgrid.messages).toHaveLength(0);
    const [fa, fb] = await Promise.all([a, b].map((id) => prisma.followUp.findUniqueOrThrow({ where: { id } })));
    expect([fa.status, fa.skipReason]).toEqual(["cancelled", "The order was cancelled."]);
    expect(fb.status).toBe("skipped");
    expect(fb.skipReason).toMatch(/turned off/);
  });

  it("orders/cancelled and app/uninstalled stop pending sends", async () => {
    const a = await orderCreated(7);
    await orderCreated(8);
    await receiveOrderCancelled({
      prisma,
      delivery: { shop: SHOP, topic: "orders/cancelled", webhookId: "c-7" },
      payload: { id: 7, cancelled_at: clock.toISOString() },
      now: clock,
    });
    expect((await prisma.followUp.findUniqueOrThrow({ where: { id: a } })).status).toBe("cancelled");
    await disconnectShop({ prisma, shop: SHOP });
    advance(60 * 60_000);
    expect((await dispatcher().drain()).claimed).toBe(0);
    expect(sendgrid.messages).toHaveLength(0);
    expect(await prisma.followUp.count({ where: { status: "cancelled" } })).toBe(2);
  });

  it("waits for the Admin API, then sends without recommendations and says so", async () => {
    const id = await orderCreated(9);
    advance(60 * 60_000);
    const d = dispatcher({
      recommend: async () => {
        throw new Error("Admin API unavailable for dispatch-test.myshopify.com (503)");
      },
      recommendationAttempts: 2,
    });
    expect(await d.drain()).toMatchObject({ retried: 1 });
    const f1 = await prisma.followUp.findUniqueOrThrow({ where: { id } });
    clock = new Date(f1.nextAttemptAt.getTime() + 1);
    expect(await d.drain()).toMatchObject({ sent: 1 });
    expect(sendgrid.messages).toHaveLength(1);
    expect(sendgrid.messages[0].html).not.toContain("Beeswax wrap");
    const events = await prisma.followUpEvent.findMany({ where: { followUpId: id } });
    expect(events.map((e) => e.type)).toContain("recommendations_unavailable");
    expect(logLines.some((l) => l.includes("sending without them") && l.includes(id))).toBe(true);
    expect(logLines.join("\n")).not.toContain("ada@example.com");
  });

  it("takes a follow-up again once an abandoned claim's lease expires", async () => {
    const id = await orderCreated(10);
    advance(60 * 60_000);
    // A dispatcher claimed it and died before finishing.
    await prisma.followUp.update({
      where: { id },
      data: { status: "sending", claimToken: "dead", leaseUntil: new Date(clock.getTime() + 60_000), attempts: 1 },
    });
    expect((await dispatcher().drain()).claimed).toBe(0);
    advance(61_000);
    expect(await dispatcher().drain()).toMatchObject({ claimed: 1, sent: 1 });
    const f = await prisma.followUp.findUniqueOrThrow({ where: { id }, include: { events: true } });
    expect(f.attempts).toBe(2);
    expect(f.events.map((e) => e.type)).toContain("reclaimed");
  });

  it("a queue job claims its follow-up only when due, or when the claim holding it has expired", async () => {
    const id = await orderCreated(12);
    // Not due yet: the job takes nothing and says when to come back.
    expect(await dispatcher().dispatchFollowUp({ id })).toMatchObject({ outcome: "not-due" });
    advance(60 * 60_000);
    await prisma.followUp.update({
      where: { id },
      data: { status: "sending", claimToken: "dead", leaseUntil: new Date(clock.getTime() + 60_000), attempts: 1 },
    });
    // Held by a live claim: left alone until its lease ends.
    expect(await dispatcher().dispatchFollowUp({ id })).toEqual({ outcome: "held", lookAgainAt: new Date(clock.getTime() + 60_000) });
    expect(await prisma.followUp.findUniqueOrThrow({ where: { id } })).toMatchObject({ claimToken: "dead", attempts: 1 });
    advance(61_000);
    expect(await dispatcher().dispatchFollowUp({ id })).toMatchObject({ outcome: "sent" });
    const f = await prisma.followUp.findUniqueOrThrow({ where: { id }, include: { events: true } });
    expect(f).toMatchObject({ status: "sent", attempts: 2, claimToken: null });
    expect(f.events.filter((e) => e.type === "reclaimed")).toHaveLength(1);
    expect(sendgrid.messages).toHaveLength(1);
  });

  it("writes nothing for a claim it has lost", async () => {
    const id = await orderCreated(11);
    advance(60 * 60_000);
    const d = dispatcher({
      recommend: async () => {
        // Another dispatcher took the follow-up over meanwhile.
        await prisma.followUp.update({ where: { id }, data: { claimToken: "someone-else" } });
        return [];
      },
    });
    const summary = await d.drain();
    expect(summary.sent).toBe(0);
    expect((await prisma.followUp.findUniqueOrThrow({ where: { id } })).status).toBe("sending");
  });

  it("keeps messages in the outbox when that is the transport", async () => {
    const id = await orderCreated(12);
    advance(60 * 60_000);
    await dispatcher({ transport: createOutboxTransport(prisma) }).drain();
    const f = await prisma.followUp.findUniqueOrThrow({ where: { id } });
    expect(f.transport).toBe("outbox");
    const kept = await prisma.outboxMessage.findUniqueOrThrow({ where: { messageId: f.messageId! } });
    expect(kept.toAddress).toContain("ada@example.com");
    expect(kept.html).toContain("Beeswax wrap");
    expect(sendgrid.messages).toHaveLength(0);
  });

  it("skips a suppressed address with the reason, and a marketing-only suppression spares service email", async () => {
    const a = await orderCreated(13, "bounced@example.com");
    await prisma.suppression.create({ data: { shop: SHOP, email: "bounced@example.com", scope: "all", reason: "hard_bounce" } });
    const b = await orderCreated(14, "quiet@example.com");
    await prisma.suppression.create({ data: { shop: SHOP, email: "quiet@example.com", scope: "marketing", reason: "unsubscribed" } });
    advance(60 * 60_000);
    await dispatcher().drain();
    const fa = await prisma.followUp.findUniqueOrThrow({ where: { id: a } });
    expect([fa.status, fa.skipReason]).toEqual(["skipped", expect.stringMatching(/suppressed/)]);
    const fb = await prisma.followUp.findUniqueOrThrow({ where: { id: b } });
    expect([fb.status, fb.skipReason]).toEqual(["skipped", expect.stringMatching(/unsubscribed from marketing/)]);
    expect(sendgrid.messages).toHaveLength(0);

    // The same marketing-only unsubscribe does not stop a service step.
    await prisma.flowStep.updateMany({ data: { category: "service" } });
    const c = await orderCreated(15, "quiet@example.com");
    advance(60 * 60_000);
    expect(await dispatcher().drain()).toMatchObject({ sent: 1 });
    expect(sendgrid.messages.map((m) => m.customArgs.followUpId)).toEqual([c]);
    expect(sendgrid.messages[0].categories).toContain("service");
  });

  it("asks for consent before a marketing send and keeps the refusal as the reason", async () => {
    const id = await orderCreated(16);
    advance(60 * 60_000);
    const asked: unknown[] = [];
    await dispatcher({
      checkConsent: async (req) => {
        asked.push(req);
        return { state: "NOT_SUBSCRIBED" };
      },
    }).drain();
    expect(asked).toEqual([
      {
        shop: SHOP,
        customerId: "gid://shopify/Customer/5",
        email: "ada@example.com",
        category: "marketing",
        marketingConsentRequired: true,
        serviceEmailsAllowed: true,
      },
    ]);
    const f = await prisma.followUp.findUniqueOrThrow({ where: { id } });
    expect([f.status, f.skipReason, f.skipCode]).toEqual([
      "skipped",
      "The customer has not subscribed to email marketing, and this step is a marketing email.",
      "no_marketing_consent",
    ]);
    expect(sendgrid.messages).toHaveLength(0);
  });

  it("sends marketing and service mail as separate streams with List-Unsubscribe headers", async () => {
    const id = await orderCreated(17);
    advance(60 * 60_000);
    await dispatcher({
      streams: { marketing: { ipPool: "marketing-pool", asmGroupId: 4242 }, service: { ipPool: "service-pool" } },
      unsubscribe: (req) => ({
        pageUrl: `https://app.example/unsubscribe/t-${req.followUpId}?lang=${req.lang ?? ""}`,
        headers: { "List-Unsubscribe": `<https://app.example/unsubscribe/t-${req.followUpId}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
      }),
    }).drain();
    const mail = sendgrid.messages[0];
    expect(mail.ipPoolName).toBe("marketing-pool");
    expect(mail.asm).toEqual({ group_id: 4242 });
    expect(mail.categories).toEqual(expect.arrayContaining(["afterglow", "marketing"]));
    expect(mail.headers).toMatchObject({ "List-Unsubscribe": `<https://app.example/unsubscribe/t-${id}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" });
    expect(mail.html).toContain(`https://app.example/unsubscribe/t-${id}`);
  });

  it("waits for the step's send window without counting an attempt, then sends", async () => {
    // The Saturday noon (UTC, the shop's zone) after wherever earlier tests left the clock: the
    // 429 tests move it to SendGrid's reset time, which follows the real clock.
    const saturday = new Date(clock);
    saturday.setUTCDate(saturday.getUTCDate() + ((6 - saturday.getUTCDay() + 7) % 7 || 7));
    saturday.setUTCHours(12, 0, 0, 0);
    clock = saturday;
    const monday9 = new Date(saturday.getTime() + 45 * 3_600_000);
    const id = await orderCreated(18, "window@example.com");
    await prisma.flowStep.updateMany({ data: { sendWindow: JSON.stringify({ days: ["mon", "tue", "wed", "thu", "fri"], start: "09:00", end: "17:00" }) } });
    advance(60 * 60_000);
    expect(await dispatcher().drain()).toMatchObject({ sent: 0 });
    const waiting = await prisma.followUp.findUniqueOrThrow({ where: { id } });
    expect(waiting).toMatchObject({ status: "scheduled", attempts: 0, nextAttemptAt: monday9 });
    const timeline = await followUpTimeline(prisma, id);
    expect(timeline.map((e) => e.type)).toEqual(["scheduled", "moved"]);
    expect(timeline[1].detail).toMatch(/send window/);
    clock = new Date(monday9.getTime() + 1000);
    expect(await dispatcher().drain()).toMatchObject({ sent: 1 });
    expect((await prisma.followUp.findUniqueOrThrow({ where: { id } })).attempts).toBe(1);
  });

  it("smart sending caps the next marketing email, and never caps or counts a test send", async () => {
    await orderCreated(30);
    advance(60 * 60_000);
    expect(await dispatcher().drain()).toMatchObject({ sent: 1 });
    const test = await orderCreated(31);
    await prisma.followUp.update({ where: { id: test }, data: { isTest: true } });
    advance(60 * 60_000);
    expect(await dispatcher().drain()).toMatchObject({ sent: 1 });
    const capped = await orderCreated(32);
    advance(60 * 60_000);
    expect(await dispatcher().drain()).toMatchObject({ sent: 0, skipped: 1 });
    const f = await prisma.followUp.findUniqueOrThrow({ where: { id: capped } });
    expect([f.status, f.skipCode]).toEqual(["skipped", "frequency_cap"]);
    // The first send was 2 hours ago: the next may go 14 hours from now.
    expect(f.skipReason).toBe(
      `Smart sending: the customer already received 1 marketing email in the last 16 hours (limit 1); the next may go out from ${formatLocalTime(new Date(clock.getTime() + 14 * 3_600_000), null)}.`,
    );
    expect(sendgrid.messages).toHaveLength(2);
  });
});

// SendGrid has no idempotency key: a worker that dies between SendGrid's 202 and recording it
// leaves the follow-up "sending", and the next attempt must not simply send it again.
describe("an email handed to SendGrid without a recorded answer", () => {
  const WAIT_MS = 5 * 60_000;
  // Sends for real, then never returns: the worker died after SendGrid accepted.
  const dyingAfterSend = (): MailTransport => {
    const real = createSendGridTransport({ apiKey: "SG.test", baseUrl: sendgrid.url, timeoutMs: 2000 });
    return {
      name: "sendgrid",
      send: async (email) => {
        await real.send(email);
        return new Promise(() => {});
      },
    };
  };
  async function killedMidSend(orderId: number) {
    const id = await orderCreated(orderId);
    advance(60 * 60_000);
    void dispatcher({ transport: dyingAfterSend() }).drain();
    for (let i = 0; i < 200 && sendgrid.messages.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(sendgrid.messages).toHaveLength(1);
    const row = await prisma.followUp.findUniqueOrThrow({ where: { id } });
    expect(row.status).toBe("sending");
    expect(row.handedOverAt).toEqual(clock);
    return { id, handedOverAt: clock };
  }
  const types = async (id: string) => (await followUpTimeline(prisma, id)).map((e) => e.type);
  const processedEvent = (id: string) =>
    sampleEvents({ followUpId: id, shop: SHOP, messageId: sendgrid.messages[0].messageId, email: "ada@example.com", at: clock }).processed;

  it("waits for SendGrid's events, then records the email as sent instead of sending it twice", async () => {
    const { id, handedOverAt } = await killedMidSend(40);
    advance(121_000); // the dead worker's lease runs out
    expect(await dispatcher({ handoverEventWaitMs: WAIT_MS }).drain()).toMatchObject({ claimed: 1, sent: 0, retried: 1 });
    let row = await prisma.followUp.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: "scheduled", attempts: 1 });
    expect(row.nextAttemptAt).toEqual(new Date(handedOverAt.getTime() + WAIT_MS));
    expect(await types(id)).toEqual(expect.arrayContaining(["reclaimed", "awaiting_sendgrid"]));

    // SendGrid's Event Webhook brings the processed event.
    expect((await receiveSendGridEvents({ prisma, events: [processedEvent(id)] })).matched).toBe(1);
    advance(WAIT_MS);
    expect(await dispatcher({ handoverEventWaitMs: WAIT_MS }).drain()).toMatchObject({ claimed: 1, sent: 1 });
    row = await prisma.followUp.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: "sent", messageId: sendgrid.messages[0].messageId, transport: "sendgrid", handedOverAt: null });
    expect(row.sentAt).toEqual(handedOverAt);
    expect(await types(id)).toContain("confirmed");
    expect(sendgrid.messages).toHaveLength(1);
  });

  it("an event that arrived before the lease ran out settles it at once", async () => {
    const { id } = await killedMidSend(41);
    await receiveSendGridEvents({ prisma, events: [processedEvent(id)] });
    advance(121_000);
    expect(await dispatcher({ handoverEventWaitMs: WAIT_MS }).drain()).toMatchObject({ claimed: 1, sent: 1 });
    expect(sendgrid.messages).toHaveLength(1);
    expect((await prisma.followUp.findUniqueOrThrow({ where: { id } })).status).toBe("sent");
  });

  it("with no event by the end of the wait, sends again and says why", async () => {
    const { id } = await killedMidSend(42);
    advance(121_000);
    await dispatcher({ handoverEventWaitMs: WAIT_MS }).drain();
    expect(sendgrid.messages).toHaveLength(1);
    advance(WAIT_MS);
    expect(await dispatcher({ handoverEventWaitMs: WAIT_MS }).drain()).toMatchObject({ claimed: 1, sent: 1 });
    expect(sendgrid.messages).toHaveLength(2);
    expect(await types(id)).toEqual(expect.arrayContaining(["awaiting_sendgrid", "resending", "sent"]));
    expect((await prisma.followUp.findUniqueOrThrow({ where: { id } })).handedOverAt).toBeNull();
  });

  it("a send SendGrid refused (HTTP 500) is retried without waiting: SendGrid did not take it", async () => {
    const id = await orderCreated(43);
    advance(60 * 60_000);
    sendgrid.failNext({ status: 500 });
    expect(await dispatcher({ handoverEventWaitMs: WAIT_MS }).drain()).toMatchObject({ retried: 1 });
    expect((await prisma.followUp.findUniqueOrThrow({ where: { id } })).handedOverAt).toBeNull();
    advance(2_000);
    expect(await dispatcher({ handoverEventWaitMs: WAIT_MS }).drain()).toMatchObject({ sent: 1 });
    expect(sendgrid.messages).toHaveLength(1);
    expect(await types(id)).not.toContain("awaiting_sendgrid");
  });

  it("a send whose answer timed out (SendGrid took it anyway) is not sent twice", async () => {
    const id = await orderCreated(44);
    advance(60 * 60_000);
    sendgrid.delayNext(2_500); // longer than the client's 2 s timeout; the stand-in still accepts
    expect(await dispatcher({ handoverEventWaitMs: WAIT_MS }).drain()).toMatchObject({ retried: 1 });
    for (let i = 0; i < 200 && sendgrid.messages.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(sendgrid.messages).toHaveLength(1);
    expect((await prisma.followUp.findUniqueOrThrow({ where: { id } })).handedOverAt).not.toBeNull();
    advance(2_000); // the retry is due, SendGrid's events are not in yet
    expect(await dispatcher({ handoverEventWaitMs: WAIT_MS }).drain()).toMatchObject({ sent: 0 });
    expect(await types(id)).toContain("awaiting_sendgrid");
    await receiveSendGridEvents({ prisma, events: [processedEvent(id)] });
    advance(WAIT_MS);
    expect(await dispatcher({ handoverEventWaitMs: WAIT_MS }).drain()).toMatchObject({ sent: 1 });
    expect(sendgrid.messages).toHaveLength(1);
    expect((await prisma.followUp.findUniqueOrThrow({ where: { id } })).status).toBe("sent");
  });
});

describe("the dispatcher's SQL", () => {
  it("claims when due or when the lease ran out, counts the attempt and moves updatedAt", async () => {
    const id = await orderCreated(70);
    const created = await prisma.followUp.findUniqueOrThrow({ where: { id } });
    const claim = (token: string, reclaim: boolean) =>
      claimFollowUp(prisma, { id, token, at: clock, leaseUntil: new Date(clock.getTime() + 60_000), reclaim });

    expect(await claim("early", false)).toEqual([]);
    advance(60 * 60_000);
    const [taken] = await claim("first", false);
    // The same row Prisma reads, with the claim on it.
    expect(taken).toEqual(await prisma.followUp.findUniqueOrThrow({ where: { id } }));
    expect(taken).toMatchObject({ status: "sending", claimToken: "first", attempts: 1, updatedAt: clock });
    expect(taken.dueAt).toEqual(created.dueAt);
    expect(await claim("second", false)).toEqual([]);
    expect(await claim("second", true)).toEqual([]); // its lease still holds
    advance(61_000);
    expect(await claim("second", true)).toMatchObject([{ claimToken: "second", attempts: 2 }]);
  });

  it("writes only while the claim holds, releases it, and refuses columns it does not own", async () => {
    const id = await orderCreated(71);
    advance(60 * 60_000);
    await claimFollowUp(prisma, { id, token: "mine", at: clock, leaseUntil: new Date(clock.getTime() + 60_000), reclaim: false });
    advance(1_000);
    const write = (token: string, data: Record<string, unknown>, release = true) => writeWhileClaimed(prisma, { id, token, at: clock, data, release });
    expect(await write("theirs", { status: "sent" })).toBe(0);
    expect(await write("mine", { handedOverAt: clock }, false)).toBe(1);
    expect(await prisma.followUp.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "sending", claimToken: "mine", handedOverAt: clock });
    await expect(write("mine", { recipient: "eve@example.com" })).rejects.toThrow(/not a column a dispatcher writes/);
    await expect(write("mine", { attempts: { increment: 1 } })).rejects.toThrow(/plain value/);
    advance(1_000);
    expect(await write("mine", { status: "sent", sentAt: clock, messageId: "m-1", handedOverAt: null })).toBe(1);
    expect(await prisma.followUp.findUniqueOrThrow({ where: { id } })).toMatchObject({
      status: "sent",
      sentAt: clock,
      messageId: "m-1",
      handedOverAt: null,
      claimToken: null,
      leaseUntil: null,
      updatedAt: clock, // what the analytics rollup reads to find changed follow-ups
      recipient: "ada@example.com",
    });
    expect(await write("mine", { status: "failed" })).toBe(0);
  });

  it("reads an order as Prisma does", async () => {
    const id = await orderCreated(72);
    const { orderRef } = await prisma.followUp.findUniqueOrThrow({ where: { id } });
    expect(await readOrder(prisma, orderRef)).toEqual(await prisma.order.findUnique({ where: { id: orderRef } }));
    expect(await readOrder(prisma, "missing")).toBeNull();
  });
});

describe("stored settings that are not valid", () => {
  it("retries a follow-up whose step has a malformed A/B test, naming the step's row and column, and sends nothing", async () => {
    const id = await orderCreated(81);
    const { stepId } = await prisma.followUp.findUniqueOrThrow({ where: { id } });
    await prisma.flowStep.update({ where: { id: stepId }, data: { variants: JSON.stringify({ id: "t", variants: [{ key: "a", weight: 60 }] }) } });
    advance(60 * 60_000);
    expect(await dispatcher().drain()).toMatchObject({ claimed: 1, sent: 0, retried: 1 });
    expect(sendgrid.messages).toHaveLength(0);
    const f = await prisma.followUp.findUniqueOrThrow({ where: { id } });
    expect(f.status).toBe("scheduled");
    expect(f.lastError).toContain(`FlowStep ${stepId}: the stored variants is not valid`);
  });

  it("retries a follow-up whose shop keeps a frequency cap that is not JSON, naming the shop and the column", async () => {
    const id = await orderCreated(82);
    await prisma.shop.update({ where: { domain: SHOP }, data: { frequencyCap: "{enabled: true}" } });
    advance(60 * 60_000);
    expect(await dispatcher().drain()).toMatchObject({ claimed: 1, sent: 0, retried: 1 });
    const f = await prisma.followUp.findUniqueOrThrow({ where: { id } });
    expect(f.lastError).toMatch(new RegExp(`^Unexpected error: Shop ${SHOP}: the stored frequencyCap is not valid \\(not JSON`));
  });
});
