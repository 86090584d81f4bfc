// A failed follow-up keeps why as a code (app/domain/failure-codes.ts) beside the provider's text:
// through the real dispatcher and the SendGrid stand-in, refusing as SendGrid refuses, and read
// back by the message page's service, which offers "Retry now" once a setup cause is fixed.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase } from "../helpers/db";
import { startSendGridStandIn, type SendGridStandIn } from "../../simulator/sendgrid";
import { createSendGridTransport } from "~/adapters/mail/sendgrid.server";
import { createDispatcher } from "~/services/dispatch/dispatcher.server";
import { prepareFollowUp } from "~/email/prepare.server";
import { renderFollowUp } from "~/email/render.server";
import { receiveOrderCreated } from "~/services/intake/intake.server";
import { connectShop } from "~/services/shop/shops.server";
import { setShopSendGridKey } from "~/services/shop/secrets.server";
import { messageDetail, retryFollowUp } from "~/services/messages/messages.server";
import { createLogger } from "~/platform/logger.server";
import { turnOnFlow } from "../helpers/flows";

const SHOP = "failure-codes.myshopify.com";
const db = createTestDatabase("failure-codes");
const prisma = db.prisma;
// Only this address is a verified Sender Identity: the shop's own is refused with 403.
let sendgrid: SendGridStandIn;
let clock = new Date("2026-11-28T12:00:00Z");
let seq = 0;

function dispatcher({ baseUrl = sendgrid.url, apiKey = "SG.test", maxAttempts = 2 } = {}) {
  return createDispatcher({
    prisma,
    transport: createSendGridTransport({ apiKey, baseUrl, timeoutMs: 2000 }),
    recommend: async () => [],
    render: async (req) => renderFollowUp(await prepareFollowUp(req)),
    now: () => clock,
    retryPolicy: { maxAttempts, baseDelayMs: 1000, maxDelayMs: 10_000 },
    logger: createLogger({}, { write: () => {} }),
  });
}

async function orderCreated(email = "ada@example.com"): Promise<string> {
  const orderId = 7000 + ++seq;
  const outcome = await receiveOrderCreated({
    prisma,
    delivery: { shop: SHOP, topic: "orders/create", webhookId: `wh-${orderId}` },
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
const storedCode = async (id: string) => (await prisma.followUpFailure.findUnique({ where: { followUpId: id } }))?.code ?? null;

beforeAll(async () => {
  sendgrid = await startSendGridStandIn({ verifiedSenders: ["hello@juniper.example"] });
});
afterAll(async () => {
  await sendgrid.close();
  await db.cleanup();
});
beforeEach(async () => {
  sendgrid.clear();
  for (const t of ["followUpFailure", "followUpEvent", "followUp", "order", "webhookDelivery", "flowStep", "flow", "senderDomain", "auditLog", "shop"] as const) {
    await (prisma[t] as unknown as { deleteMany(): Promise<unknown> }).deleteMany();
  }
  await connectShop({ prisma, shop: SHOP, profile: { name: "Juniper & Pine", email: "hello@juniper.example", address: "1 Main St, Springfield" } });
  await turnOnFlow({ prisma, shop: SHOP });
});

describe("a failed follow-up's code", () => {
  it("is sender_not_verified for SendGrid's 403; Retry now shows only once the sender is verified after the failure", async () => {
    await prisma.shop.update({ where: { domain: SHOP }, data: { senderEmail: "care@juniper-pine.example" } });
    const id = await orderCreated();
    advance(60 * 60_000);
    expect(await dispatcher().drain()).toMatchObject({ failed: 1 });
    expect(sendgrid.requests.map((r) => r.status)).toEqual([403]);
    expect(await storedCode(id)).toBe("sender_not_verified");
    const failedAt = (await prisma.followUpFailure.findUniqueOrThrow({ where: { followUpId: id } })).at;
    expect(failedAt).toEqual(clock);

    // The provider's text reworded: the page still reads the code.
    await prisma.followUp.update({ where: { id }, data: { lastError: "The mail service said no." } });
    expect(await messageDetail(prisma, { shop: SHOP, id })).toMatchObject({ canRetry: false, failure: { kind: "sender_not_verified", action: "open_sender" } });
    expect(await retryFollowUp({ prisma, shop: SHOP, id, actor: "staff", now: clock })).toMatchObject({ ok: false });

    // Verified before the failure: that was not the fix.
    const domain = { shop: SHOP, domain: "juniper-pine.example", sendgridDomainId: 1, records: "[]" };
    await prisma.senderDomain.create({ data: { ...domain, verifiedAt: new Date(failedAt.getTime() - 60_000) } });
    expect(await messageDetail(prisma, { shop: SHOP, id })).toMatchObject({ canRetry: false });

    // Verified since: the same email can go now.
    await prisma.senderDomain.update({ where: { shop: SHOP }, data: { verifiedAt: new Date(failedAt.getTime() + 60_000) } });
    expect(await messageDetail(prisma, { shop: SHOP, id })).toMatchObject({ canRetry: true, failure: { kind: "sender_not_verified", action: "retry", retryHelps: true } });
    expect(await retryFollowUp({ prisma, shop: SHOP, id, actor: "staff", now: clock })).toEqual({ ok: true });
    expect(await storedCode(id)).toBeNull();
  });

  it("is recipient_rejected for an address SendGrid refuses, and no retry is offered", async () => {
    const id = await orderCreated("ada@exa..mple.com");
    advance(60 * 60_000);
    expect(await dispatcher().drain()).toMatchObject({ failed: 1 });
    expect(await storedCode(id)).toBe("recipient_rejected");
    expect(await messageDetail(prisma, { shop: SHOP, id })).toMatchObject({ canRetry: false, failure: { kind: "invalid_address" } });
  });

  it("is provider_unavailable after the last 503, and a retry is offered", async () => {
    const id = await orderCreated();
    advance(60 * 60_000);
    sendgrid.failNext({ status: 503, count: 10 });
    for (let i = 0; i < 2; i++) {
      await dispatcher().drain();
      // Retried, it is not yet a failure.
      if (i === 0) expect(await storedCode(id)).toBeNull();
      clock = new Date((await prisma.followUp.findUniqueOrThrow({ where: { id } })).nextAttemptAt.getTime() + 1);
    }
    expect((await prisma.followUp.findUniqueOrThrow({ where: { id } })).status).toBe("failed");
    expect(await storedCode(id)).toBe("provider_unavailable");
    expect(await messageDetail(prisma, { shop: SHOP, id })).toMatchObject({ canRetry: true, failure: { kind: "mail_service_down", action: "retry" } });
  });

  it("is api_key_refused for SendGrid's 401; Retry now shows once the shop's key is changed after the failure", async () => {
    const refusing = await startSendGridStandIn({ apiKeys: ["SG.good.key"] });
    try {
      const id = await orderCreated();
      advance(60 * 60_000);
      await dispatcher({ baseUrl: refusing.url, apiKey: "SG.revoked.key", maxAttempts: 1 }).drain();
      expect(refusing.requests.map((r) => r.status)).toEqual([401]);
      expect(await storedCode(id)).toBe("api_key_refused");
      expect(await messageDetail(prisma, { shop: SHOP, id })).toMatchObject({ canRetry: false, failure: { kind: "api_key_refused", action: "open_settings" } });

      // Support sets the shop's own key (the CLI's path, audited): the same email can go now.
      advance(60_000);
      await setShopSendGridKey(prisma, SHOP, "SG.good.key", "support", { now: clock, encryptionKeys: `k1:${Buffer.alloc(32, 7).toString("base64")}` });
      expect(await messageDetail(prisma, { shop: SHOP, id })).toMatchObject({ canRetry: true, failure: { kind: "api_key_refused", action: "retry", retryHelps: true } });
      expect(await retryFollowUp({ prisma, shop: SHOP, id, actor: "staff", now: clock })).toEqual({ ok: true });
    } finally {
      await refusing.close();
    }
  });

  it("is no_sender when the shop has no address to send from", async () => {
    await prisma.shop.update({ where: { domain: SHOP }, data: { email: null, senderEmail: null } });
    const id = await orderCreated();
    advance(60 * 60_000);
    await dispatcher().drain();
    expect(await storedCode(id)).toBe("no_sender");
  });
});
