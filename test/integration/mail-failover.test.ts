// Postmark beside SendGrid: the Postmark transport with the real `postmark` client against the
// Postmark stand-in, the failover between the two stand-ins, exactly once across them in the
// dispatcher (an unanswered hand-over to SendGrid never goes to Postmark), and Postmark's
// webhooks posted by the stand-in with their basic-auth credentials.
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase } from "../helpers/db";
import { turnOnFlow } from "../helpers/flows";
import { startSendGridStandIn, type SendGridStandIn } from "../../simulator/sendgrid";
import { bounceEvent, clickEvent, deliveryEvent, openEvent, startPostmarkStandIn, type PostmarkStandIn } from "../../simulator/postmark";
import { createSendGridTransport } from "~/adapters/mail/sendgrid.server";
import { createPostmarkTransport } from "~/adapters/mail/postmark.server";
import { createFailoverTransport } from "~/adapters/mail/failover.server";
import { createMailTransport } from "~/adapters/mail/index.server";
import { SendError, type OutgoingEmail } from "~/adapters/mail/transport";
import { createDispatcher, type DispatcherDeps } from "~/services/dispatch/dispatcher.server";
import { prepareFollowUp } from "~/email/prepare.server";
import { renderFollowUp } from "~/email/render.server";
import { receiveOrderCreated } from "~/services/intake/intake.server";
import { connectShop } from "~/services/shop/shops.server";
import { loadMailProvider, saveMailProvider } from "~/services/shop/mail-provider.server";
import { followUpTimeline } from "~/services/messages/timeline.server";
import { handlePostmarkWebhook } from "~/webhooks/postmark-events.server";
import { loadConfig } from "~/platform/config.server";
import { createLogger } from "~/platform/logger.server";
import { metricsText } from "~/platform/metrics.server";

const SHOP = "failover-test.myshopify.com";
const TOKEN = "2f0d6a3e-5c1b-4d0e-9a7b-8c6d5e4f3a2b";
const HOOK = { username: "postmark-hooks", password: "s3cret-in-the-url" };
const db = createTestDatabase("failover");
const prisma = db.prisma;
const events = loadConfig({ POSTMARK_WEBHOOK_USER: HOOK.username, POSTMARK_WEBHOOK_PASSWORD: HOOK.password }).events;
const quiet = createLogger({}, { write: (l) => { if (process.env.SHOW_LOGS) process.stderr.write(l + "\n"); } });

let sendgrid: SendGridStandIn;
let postmark: PostmarkStandIn;
let receiver: http.Server;
let receiverUrl: string;
let clock = new Date("2026-11-28T12:00:00Z");
const advance = (ms: number) => (clock = new Date(clock.getTime() + ms));

function email(overrides: Partial<OutgoingEmail> = {}): OutgoingEmail {
  return {
    shop: SHOP,
    followUpId: "fu_pm_1",
    to: { email: "ada@example.com", name: "Ada Lovelace" },
    from: { email: "hello@juniper.example", name: "Juniper & Pine" },
    replyTo: { email: "care@juniper.example" },
    subject: "How is your new lamp?",
    html: "<p>Hi Ada</p>",
    text: "Hi Ada",
    headers: { "List-Unsubscribe": "<https://juniper.example/u/abc>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
    categories: ["afterglow", "marketing", "flow:thank-you"],
    customArgs: { shop: SHOP, flow: "thank-you", step: "s1" },
    ...overrides,
  };
}

async function sendError(promise: Promise<unknown>): Promise<SendError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SendError);
    return error as SendError;
  }
  throw new Error("expected the send to fail");
}

const postmarkTransport = (opts: { timeoutMs?: number; baseUrl?: string; serverToken?: string } = {}) =>
  createPostmarkTransport({ serverToken: opts.serverToken ?? TOKEN, baseUrl: opts.baseUrl ?? postmark.url, timeoutMs: opts.timeoutMs ?? 2_000 });
const sendgridTransport = (timeoutMs = 2_000) => createSendGridTransport({ apiKey: "SG.test", baseUrl: sendgrid.url, timeoutMs });

let seq = 0;
// An order whose follow-up falls due an hour later (the thank-you flow's delay).
// Each order its own customer: a second order of the same one would end the first's flow.
async function order(orderId: number): Promise<string> {
  const outcome = await receiveOrderCreated({
    prisma,
    delivery: { shop: SHOP, topic: "orders/create", webhookId: `wh-fo-${++seq}` },
    payload: {
      id: orderId,
      name: `#${orderId}`,
      email: `customer${orderId}@example.com`,
      created_at: clock.toISOString(),
      currency: "USD",
      total_price: "30.00",
      customer: { id: orderId, first_name: "Ada" },
      line_items: [{ id: 1, product_id: 100, quantity: 1, price: "30.00" }],
    },
    now: clock,
  });
  if (outcome.kind !== "scheduled") throw new Error(`not scheduled: ${outcome.kind}`);
  return outcome.followUps[0].id;
}
const dueFollowUp = async (orderId: number) => {
  const id = await order(orderId);
  advance(60 * 60_000);
  return id;
};

beforeAll(async () => {
  // The app's webhook route, reached over HTTP as Postmark reaches it.
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const request = new Request(`http://app${req.url}`, {
        method: req.method,
        headers: req.headers as Record<string, string>,
        body: req.method === "POST" ? Buffer.concat(chunks) : undefined,
      });
      const answer = await handlePostmarkWebhook(request, { prisma, settings: events, logger: quiet });
      res.writeHead(answer.status, Object.fromEntries(answer.headers));
      res.end(Buffer.from(await answer.arrayBuffer()));
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/postmark`;
  sendgrid = await startSendGridStandIn();
  postmark = await startPostmarkStandIn({ serverTokens: [TOKEN], webhook: { url: receiverUrl, ...HOOK, retryMs: 60_000 } });
});
afterAll(async () => {
  await sendgrid.close();
  await postmark.close();
  await new Promise((r) => receiver.close(r));
  await db.cleanup();
});
beforeEach(async () => {
  sendgrid.clear();
  postmark.clear();
  for (const t of ["suppression", "messageEvent", "followUpEvent", "followUp", "order", "webhookDelivery", "flowStep", "flow", "shop"] as const) {
    await (prisma[t] as unknown as { deleteMany(): Promise<unknown> }).deleteMany();
  }
  await connectShop({ prisma, shop: SHOP, profile: { name: "Juniper & Pine", email: "hello@juniper.example", address: "1 Main St" } });
  await turnOnFlow({ prisma, shop: SHOP });
});

describe("Postmark transport with the real postmark client", () => {
  it("sends one POST /email with Metadata carrying followUpId, the headers, the stream and the flow as tag", async () => {
    const result = await postmarkTransport().send(email());
    expect(result.transport).toBe("postmark");
    expect(postmark.messages).toHaveLength(1);
    const [m] = postmark.messages;
    expect(result.messageId).toBe(m.messageId);
    expect(m).toMatchObject({
      from: "Juniper & Pine <hello@juniper.example>",
      to: "Ada Lovelace <ada@example.com>",
      replyTo: "care@juniper.example",
      subject: "How is your new lamp?",
      htmlBody: "<p>Hi Ada</p>",
      textBody: "Hi Ada",
      messageStream: "outbound",
      tag: "flow:thank-you",
      trackOpens: true,
      trackLinks: "HtmlAndText",
    });
    expect(m.metadata).toEqual({ shop: SHOP, flow: "thank-you", step: "s1", followUpId: "fu_pm_1" });
    expect(m.headers).toEqual([
      { Name: "List-Unsubscribe", Value: "<https://juniper.example/u/abc>" },
      { Name: "List-Unsubscribe-Post", Value: "List-Unsubscribe=One-Click" },
    ]);
  });

  it("classifies Postmark's answers as the SendGrid transport classifies SendGrid's", async () => {
    const bad = await sendError(postmarkTransport({ serverToken: "not-the-token" }).send(email()));
    expect(bad).toMatchObject({ kind: "permanent", status: 401, mayHaveSent: false });
    expect(bad.message).toMatch(/POSTMARK_SERVER_TOKEN/);

    const invalid = await sendError(postmarkTransport().send(email({ to: { email: "not-an-address" } })));
    expect(invalid).toMatchObject({ kind: "permanent", status: 422 });
    expect(invalid.details).toMatch(/^ErrorCode 300:/);

    for (const [status, errorCode] of [
      [429, 429],
      [500, 0],
      [503, 100],
    ]) {
      postmark.failNext(status);
      const err = await sendError(postmarkTransport().send(email()));
      expect(err, `HTTP ${status}`).toMatchObject({ kind: "retryable", status, mayHaveSent: false });
      if (errorCode) expect(err.details).toMatch(new RegExp(`ErrorCode ${errorCode}`));
    }
    expect(postmark.messages).toHaveLength(0);
  });

  it("refuses an inactive recipient for good (ErrorCode 406)", async () => {
    const strict = await startPostmarkStandIn({ serverTokens: [TOKEN], inactiveRecipients: ["ada@example.com"] });
    try {
      const err = await sendError(postmarkTransport({ baseUrl: strict.url }).send(email()));
      expect(err).toMatchObject({ kind: "permanent", status: 422 });
      expect(err.details).toMatch(/^ErrorCode 406: .*Found inactive addresses: ada@example.com/);
      expect(err.message).toMatch(/inactive after a hard bounce or spam complaint/);
    } finally {
      await strict.close();
    }
  });

  it("no answer is retryable and may have sent; a connection never made has not", async () => {
    postmark.delayNext(1_500);
    const slow = await sendError(postmarkTransport({ timeoutMs: 300 }).send(email()));
    expect(slow).toMatchObject({ kind: "retryable", mayHaveSent: true });
    expect(slow.message).toMatch(/did not answer within 300 ms/);

    const closed = await new Promise<number>((resolve) => {
      const s = net.createServer();
      s.listen(0, "127.0.0.1", () => {
        const { port } = s.address() as AddressInfo;
        s.close(() => resolve(port));
      });
    });
    const refused = await sendError(postmarkTransport({ baseUrl: `http://127.0.0.1:${closed}` }).send(email()));
    expect(refused).toMatchObject({ kind: "retryable", mayHaveSent: false, details: "ECONNREFUSED" });
  });
});

// The gauge as a Prometheus scrape of /metrics reads it.
async function failoverGauge(): Promise<number | null> {
  const line = (await metricsText()).body.split("\n").find((l) => l.startsWith('afterglow_mail_failover_active{primary="sendgrid",secondary="postmark"}'));
  return line ? Number(line.split(" ").at(-1)) : null;
}

describe("the failover transport between the two stand-ins", () => {
  it("stays on SendGrid through short trouble, moves to Postmark after MAIL_FAILOVER_AFTER_MS, probes and comes back", async () => {
    let now = 0;
    const failover = createFailoverTransport({
      primary: sendgridTransport(),
      secondary: postmarkTransport(),
      policy: { afterMs: 10_000, probeEveryMs: 5_000 },
      now: () => now,
    });
    expect(await failoverGauge()).toBe(0);
    sendgrid.failFor(60_000, 503);
    await sendError(failover.send(email({ followUpId: "a" })));
    now = 9_999;
    await sendError(failover.send(email({ followUpId: "b" })));
    expect(failover.state().mode).toBe("primary");
    now = 10_000;
    await sendError(failover.send(email({ followUpId: "c" })));
    expect(failover.state()).toEqual({ mode: "secondary", since: 10_000, probeAt: 15_000 });
    expect(await failoverGauge()).toBe(1);
    expect((await failover.send(email({ followUpId: "d" }))).transport).toBe("postmark");
    now = 15_000; // the probe: SendGrid still answers 503
    await sendError(failover.send(email({ followUpId: "e" })));
    expect((await failover.send(email({ followUpId: "f" }))).transport).toBe("postmark");
    sendgrid.clear(); // SendGrid is back
    now = 20_000;
    expect((await failover.send(email({ followUpId: "g" }))).transport).toBe("sendgrid");
    expect(failover.state().mode).toBe("primary");
    expect(await failoverGauge()).toBe(0);
    expect(postmark.messages.map((m) => m.metadata.followUpId)).toEqual(["d", "f"]);
    expect(sendgrid.messages.map((m) => m.customArgs.followUpId)).toEqual(["g"]);
  });

  it("an answer about the email itself (HTTP 400) counts as SendGrid being up", async () => {
    let now = 0;
    const failover = createFailoverTransport({ primary: sendgridTransport(), secondary: postmarkTransport(), policy: { afterMs: 1_000, probeEveryMs: 1_000 }, now: () => now });
    sendgrid.failNext({ status: 500 });
    await sendError(failover.send(email()));
    sendgrid.failNext({ status: 400 });
    now = 5_000;
    await sendError(failover.send(email()));
    now = 6_000;
    sendgrid.failNext({ status: 500 });
    await sendError(failover.send(email()));
    expect(failover.state()).toEqual({ mode: "primary", failingSince: 6_000 });
  });

  it("is what the configuration builds when both a SendGrid key and a Postmark token are set", async () => {
    const settings = loadConfig({ SENDGRID_API_KEY: "SG.test", SENDGRID_API_URL: sendgrid.url, POSTMARK_SERVER_TOKEN: TOKEN, POSTMARK_API_URL: postmark.url }).mail;
    const transport = createMailTransport({ prisma, settings });
    expect(transport.route?.({ pinnedTo: null, preferred: "postmark" }).name).toBe("postmark");
    expect(transport.route?.({ pinnedTo: null, preferred: "auto" }).name).toBe("sendgrid");
    const alone = createMailTransport({ prisma, settings: loadConfig({ MAIL_TRANSPORT: "postmark", POSTMARK_SERVER_TOKEN: TOKEN, POSTMARK_API_URL: postmark.url }).mail });
    expect((await alone.send(email())).transport).toBe("postmark");
    expect(() => createMailTransport({ prisma, settings: loadConfig({ MAIL_TRANSPORT: "postmark" }).mail })).toThrow(/POSTMARK_SERVER_TOKEN is not set/);
  });
});

describe("exactly once across the two providers", () => {
  const WAIT_MS = 40 * 60_000;

  function dispatcher(transport: DispatcherDeps["transport"]) {
    return createDispatcher({
      prisma,
      transport,
      recommend: async () => [],
      render: async (req) => renderFollowUp(await prepareFollowUp(req)),
      now: () => clock,
      retryPolicy: { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 10_000 },
      handoverEventWaitMs: WAIT_MS,
      logger: quiet,
    });
  }

  it("an unanswered hand-over to SendGrid is retried through SendGrid only, even while new mail goes to Postmark", async () => {
    const failover = createFailoverTransport({
      primary: sendgridTransport(300),
      secondary: postmarkTransport(),
      policy: { afterMs: 1, probeEveryMs: 24 * 3_600_000 },
      now: () => clock.getTime(),
    });
    const id = await order(70);
    advance(30 * 60_000);
    const other = await order(71);
    advance(30 * 60_000);
    // SendGrid takes the first email but its answer never comes in time.
    sendgrid.delayNext(1_500);
    expect(await dispatcher(failover).drain()).toMatchObject({ claimed: 1, retried: 1 });
    await new Promise((r) => setTimeout(r, 1_600));
    expect(sendgrid.messages.map((m) => m.customArgs.followUpId)).toEqual([id]);
    let row = await prisma.followUp.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: "scheduled", handedOverTo: "sendgrid" });
    expect(row.handedOverAt).not.toBeNull();

    // SendGrid keeps failing: the pinned one waits for SendGrid's events, new mail moves to Postmark.
    sendgrid.failFor(24 * 3_600_000, 503);
    advance(30 * 60_000);
    await dispatcher(failover).drain();
    expect(failover.state().mode).toBe("secondary");
    advance(15_000);
    await dispatcher(failover).drain();
    expect(postmark.messages.map((m) => m.metadata.followUpId)).toEqual([other]);
    expect(await prisma.followUp.findUniqueOrThrow({ where: { id: other } })).toMatchObject({ status: "sent", transport: "postmark" });

    // No event by the end of the wait: tried again at SendGrid, never at Postmark.
    advance(WAIT_MS);
    for (let i = 0; i < 2; i++) {
      await dispatcher(failover).drain();
      advance(15_000);
    }
    row = await prisma.followUp.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: "scheduled", handedOverTo: "sendgrid" });
    expect(postmark.messages.map((m) => m.metadata.followUpId)).toEqual([other]);
    expect(sendgrid.requests.filter((r) => r.status === 503).length).toBeGreaterThanOrEqual(3);

    // SendGrid answers again: the pinned follow-up goes out there, once.
    sendgrid.clear();
    advance(60_000);
    await dispatcher(failover).drain();
    row = await prisma.followUp.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: "sent", transport: "sendgrid", handedOverTo: "sendgrid" });
    expect(postmark.messages.map((m) => m.metadata.followUpId)).toEqual([other]);
    const types = (await followUpTimeline(prisma, id)).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(["awaiting_sendgrid", "resending", "sent"]));
  });

  it("a pinned follow-up whose provider is gone fails with the reason instead of going elsewhere", async () => {
    const id = await dueFollowUp(72);
    await prisma.followUp.update({ where: { id }, data: { handedOverTo: "postmark" } });
    expect(await dispatcher(sendgridTransport()).drain()).toMatchObject({ failed: 1 });
    const row = await prisma.followUp.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: "failed", handedOverTo: "postmark" });
    expect(row.lastError).toMatch(/was handed to postmark and its answer never came/);
    expect(sendgrid.messages).toHaveLength(0);
  });

  it("a shop that chose Postmark sends through it; Postmark's Delivery event settles an unanswered hand-over there", async () => {
    await prisma.shop.update({ where: { domain: SHOP }, data: { mailProvider: "postmark" } });
    const failover = createFailoverTransport({ primary: sendgridTransport(), secondary: postmarkTransport({ timeoutMs: 300 }), policy: { afterMs: 60_000, probeEveryMs: 30_000 } });
    const id = await dueFollowUp(73);
    postmark.delayNext(1_000);
    expect(await dispatcher(failover).drain()).toMatchObject({ retried: 1 });
    await new Promise((r) => setTimeout(r, 1_100));
    expect(postmark.messages).toHaveLength(1);
    expect(await prisma.followUp.findUniqueOrThrow({ where: { id } })).toMatchObject({ handedOverTo: "postmark" });
    // Postmark's Delivery webhook arrives with the basic-auth credentials.
    expect(await postmark.postEvent(deliveryEvent(postmark.messages[0]))).toBe(200);
    advance(1_000);
    expect(await dispatcher(failover).drain()).toMatchObject({ sent: 1 });
    const row = await prisma.followUp.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: "sent", transport: "postmark", messageId: postmark.messages[0].messageId });
    expect(postmark.messages).toHaveLength(1);
    expect(sendgrid.messages).toHaveLength(0);
  });

  it("a choice saved in Settings is used by the next send: Postmark when chosen, SendGrid when chosen again, and nothing else is accepted", async () => {
    const failover = () => createFailoverTransport({ primary: sendgridTransport(), secondary: postmarkTransport(), policy: { afterMs: 60_000, probeEveryMs: 30_000 } });
    expect(await saveMailProvider({ prisma, shop: SHOP, actor: "staff@juniper.example", choice: "postmark" })).toEqual({ ok: true, changed: true });
    const first = await dueFollowUp(90);
    expect(await dispatcher(failover()).drain()).toMatchObject({ sent: 1 });
    expect(await prisma.followUp.findUniqueOrThrow({ where: { id: first } })).toMatchObject({ status: "sent", transport: "postmark" });
    expect([postmark.messages.length, sendgrid.messages.length]).toEqual([1, 0]);

    expect(await saveMailProvider({ prisma, shop: SHOP, actor: "staff@juniper.example", choice: "sendgrid" })).toEqual({ ok: true, changed: true });
    const second = await dueFollowUp(91);
    expect(await dispatcher(failover()).drain()).toMatchObject({ sent: 1 });
    expect(await prisma.followUp.findUniqueOrThrow({ where: { id: second } })).toMatchObject({ status: "sent", transport: "sendgrid" });
    expect([postmark.messages.length, sendgrid.messages.length]).toEqual([1, 1]);

    expect(await saveMailProvider({ prisma, shop: SHOP, actor: "staff@juniper.example", choice: "mailgun" })).toMatchObject({ ok: false, error: expect.stringMatching(/auto, sendgrid or postmark/) });
    expect(await loadMailProvider(prisma, SHOP)).toBe("sendgrid");
    const audited = await prisma.auditLog.findMany({ where: { shop: SHOP, action: "settings.updated" }, orderBy: { at: "asc" } });
    expect(audited.map((a) => JSON.parse(a.detail ?? "{}").mailProvider)).toEqual(["postmark", "sendgrid"]);
  });
});

describe("Postmark's webhooks", () => {
  // A follow-up of the shop's, so the shop holds the address the events name.
  async function sentThroughPostmark() {
    const followUpId = await order(80);
    await postmarkTransport().send(email({ followUpId, to: { email: "customer80@example.com" } }));
    return postmark.messages[0];
  }

  it("with the credentials: stored once per event, on one path with SendGrid's, a hard bounce suppressing the address", async () => {
    const m = await sentThroughPostmark();
    const bounce = bounceEvent(m);
    for (const event of [deliveryEvent(m), openEvent(m), clickEvent(m, "https://juniper.example/p/1"), bounce, bounce]) {
      expect(await postmark.postEvent(event)).toBe(200);
    }
    const stored = await prisma.messageEvent.findMany({ orderBy: { occurredAt: "asc" } });
    // Events of the same second have no order between them (PostgreSQL returns them either way).
    expect(stored.map((e) => `${e.provider} ${e.event}`).sort()).toEqual(["postmark bounce", "postmark click", "postmark delivered", "postmark open"]);
    expect(stored.every((e) => e.messageId === m.messageId && e.shop === SHOP && e.dedupeKey.startsWith("postmark:"))).toBe(true);
    const suppression = await prisma.suppression.findFirstOrThrow({ where: { shop: SHOP } });
    expect(suppression).toMatchObject({ email: "customer80@example.com", scope: "all", reason: "hard_bounce" });
    expect(suppression.source).toMatch(/^postmark:Bounce:/);
  });

  it("a spam complaint suppresses the address too", async () => {
    const m = await sentThroughPostmark();
    expect(await postmark.postEvent(bounceEvent(m, { recordType: "SpamComplaint", type: "SpamComplaint", typeCode: 512 }))).toBe(200);
    expect(await prisma.suppression.findFirstOrThrow({ where: { shop: SHOP } })).toMatchObject({ reason: "spam_report" });
  });

  it("without the right credentials: 401 and nothing stored", async () => {
    const m = await sentThroughPostmark();
    expect(await postmark.postEvent(deliveryEvent(m), { username: HOOK.username, password: "guess" })).toBe(401);
    expect(await postmark.postEvent(deliveryEvent(m), { username: "someone", password: HOOK.password })).toBe(401);
    const bare = await fetch(receiverUrl, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(deliveryEvent(m)) });
    expect(bare.status).toBe(401);
    expect(bare.headers.get("www-authenticate")).toMatch(/^Basic/);
    expect(await prisma.messageEvent.count()).toBe(0);
  });

  it("malformed bodies are 400, and missing credentials in the settings refuse with 503 so Postmark retries", async () => {
    const auth = { Authorization: `Basic ${Buffer.from(`${HOOK.username}:${HOOK.password}`).toString("base64")}`, "Content-Type": "application/json" };
    expect((await fetch(receiverUrl, { method: "POST", headers: auth, body: "{not json" })).status).toBe(400);
    expect((await fetch(receiverUrl, { method: "POST", headers: auth, body: JSON.stringify([{ RecordType: "Delivery" }]) })).status).toBe(400);
    expect((await fetch(receiverUrl, { method: "POST", headers: auth, body: JSON.stringify({ RecordType: "Delivery", MessageID: "x" }) })).status).toBe(400);
    const unset = await handlePostmarkWebhook(new Request("http://app/webhooks/postmark", { method: "POST", headers: auth, body: "{}" }), {
      prisma,
      settings: loadConfig({}).events,
      logger: quiet,
    });
    expect(unset.status).toBe(503);
    expect(await prisma.messageEvent.count()).toBe(0);
  });
});
