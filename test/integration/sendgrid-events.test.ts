// SendGrid's Event Webhook: the domain rules, the signature, and POST /webhooks/sendgrid called
// with Request objects signed exactly as SendGrid signs them.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { ActionFunctionArgs } from "@remix-run/node";

// The route imports the app's one Prisma client, which reads DATABASE_URL when first imported.
const testDb = await vi.hoisted(async () => (await import("../helpers/env")).appTestEnv({ name: "sendgrid-events" }));

import prisma from "~/db.server";
import { action, loader } from "~/routes/webhooks.sendgrid";
import {
  dedupeKey,
  describeEvent,
  isMachineOpen,
  parseSendGridEvent,
  parseSendGridEvents,
  suppressionEffect,
  xMessageIdCandidates,
  type SendGridEvent,
} from "~/domain/sendgrid-events";
import { parseSendGridPublicKey, verifySendGridSignature } from "~/webhooks/sendgrid-signature.server";
import { receiveSendGridEvents, suppressionThresholds } from "~/services/events/sendgrid-events.server";
import { loadConfig } from "~/platform/config.server";
import { isSuppressed } from "~/services/consent/suppressions.server";
import { followUpTimeline } from "~/services/messages/timeline.server";
import { createEventWebhookKeys, sampleEvents, serialiseEvents, signedEventRequest, type SampleEventArgs } from "../../simulator/sendgrid-events";

const SHOP = "glow-events.myshopify.com";
const OTHER_SHOP = "other-events.myshopify.com";
const keys = createEventWebhookKeys();
const URL = "http://localhost/webhooks/sendgrid";

function event(raw: Record<string, unknown>): SendGridEvent {
  const parsed = parseSendGridEvent(raw);
  if (parsed.kind !== "event") throw new Error(`not an event: ${JSON.stringify(raw)}`);
  return parsed.event;
}

const samples = (over: Partial<SampleEventArgs> = {}) =>
  sampleEvents({ followUpId: "fu_1", shop: SHOP, messageId: "LRzXl_NHStOGhQ4kofSm_A", email: "Ada@Example.com", ...over });

describe("parsing SendGrid events", () => {
  it("reads every event type SendGrid sends about a message", () => {
    const s = samples();
    const batch = parseSendGridEvents(Object.values(s));
    expect(batch.invalid).toBe(0);
    expect(batch.unknownCount).toBe(0);
    expect(batch.events.map((e) => e.event).sort()).toEqual(
      [
        "bounce",
        "bounce",
        "click",
        "deferred",
        "delivered",
        "dropped",
        "group_resubscribe",
        "group_unsubscribe",
        "open",
        "open",
        "processed",
        "spamreport",
        "unsubscribe",
      ].sort(),
    );
    const bounce = event(s.bounce);
    expect(bounce).toMatchObject({
      email: "ada@example.com",
      followUpId: "fu_1",
      shop: SHOP,
      flow: "thank-you",
      bounceType: "bounce",
      reason: "550 5.1.1 user unknown",
      status: "5.1.1",
      bounceClassification: "Invalid Address",
      categories: ["afterglow", "flow:thank-you"],
    });
    expect(bounce.occurredAt.getTime()).toBe((s.bounce.timestamp as number) * 1000);
    expect(event(s.blocked).bounceType).toBe("blocked");
    expect(event(s.deferred)).toMatchObject({ attempt: 1, reason: "421 4.7.0 Try again later, closing connection." });
    expect(event(s.group_unsubscribe).asmGroupId).toBe(42);
  });

  it("counts event types it does not handle, and items that are not events, and ignores both", () => {
    const batch = parseSendGridEvents([
      { event: "account_status_change", timestamp: 1700000000, type: "compliance_suspend" },
      { event: "account_status_change", timestamp: 1700000001 },
      { event: "something_new", timestamp: 1700000002 },
      { event: "open" },
      "open",
      null,
      { event: "delivered", timestamp: 1700000003, email: "a@b.example" },
    ]);
    expect(batch.unknown).toEqual({ account_status_change: 2, something_new: 1 });
    expect(batch.unknownCount).toBe(3);
    expect(batch.invalid).toBe(3);
    expect(batch.events).toHaveLength(1);
  });

  it("treats a bounce without a type as a hard bounce (SendGrid's older payloads)", () => {
    expect(event({ event: "bounce", timestamp: 1700000000, email: "x@y.example", reason: "550" }).bounceType).toBe("bounce");
  });

  it("reads custom args nested by a relay as well as top-level", () => {
    const e = event({ event: "open", timestamp: 1700000000, unique_args: { followUpId: "fu_9", shop: SHOP } });
    expect([e.followUpId, e.shop]).toEqual(["fu_9", SHOP]);
  });
});

describe("dedupe keys", () => {
  it("is sg_event_id when SendGrid sends one", () => {
    const s = samples();
    expect(dedupeKey(event(s.delivered))).toBe(s.delivered.sg_event_id);
  });

  it("falls back to message id, event and second; clicks also by link", () => {
    const raw = { event: "open", timestamp: 1700000000, sg_message_id: "abc.filter1", email: "a@b.example" };
    expect(dedupeKey(event(raw))).toBe("msg:abc.filter1|open|1700000000");
    expect(dedupeKey(event(raw))).toBe(dedupeKey(event({ ...raw })));
    expect(dedupeKey(event({ ...raw, timestamp: 1700000001 }))).not.toBe(dedupeKey(event(raw)));
    const click = { ...raw, event: "click" };
    expect(dedupeKey(event({ ...click, url: "https://a.example/1" }))).not.toBe(dedupeKey(event({ ...click, url: "https://a.example/2" })));
    // SendGrid's dropped events for invalid addresses carry neither id.
    expect(dedupeKey(event({ event: "dropped", timestamp: 1700000000, email: "Not An Address", reason: "Invalid" }))).toBe(
      "msg:email:not an address|dropped|1700000000",
    );
  });
});

describe("X-Message-Id from sg_message_id", () => {
  it("takes what precedes .recvd / .filter", () => {
    expect(xMessageIdCandidates("LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0")).toEqual([
      "LRzXl_NHStOGhQ4kofSm_A",
    ]);
    expect(xMessageIdCandidates("euo2iKxdSayPF4YE4--I7A.recvd-5f54b5d587-pczjm-1-67BADEEA-6.0")).toEqual(["euo2iKxdSayPF4YE4--I7A"]);
    // Older ids had dots of their own.
    expect(xMessageIdCandidates("14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0")).toEqual(["14c5d75ce93", "14c5d75ce93.dfd.64b469"]);
    expect(xMessageIdCandidates(null)).toEqual([]);
  });
});

describe("machine opens", () => {
  it("marks opens SendGrid attributes to Apple Mail Privacy Protection", () => {
    const s = samples();
    expect(isMachineOpen(event(s.machineOpen))).toBe(true);
    expect(isMachineOpen(event(s.open))).toBe(false);
    expect(isMachineOpen(s.machineOpen)).toBe(true);
    expect(isMachineOpen({ ...s.machineOpen, sg_machine_open: "true" })).toBe(true);
    expect(isMachineOpen({ ...s.click, sg_machine_open: true })).toBe(false);
    expect(describeEvent(event(s.machineOpen))).toBe("Opened (machine open: Apple Mail Privacy Protection)");
  });

  it("says when a reader opened through Gmail's image proxy (a reader, not a machine)", () => {
    const gmail = event({
      event: "open",
      timestamp: 1700000000,
      useragent: "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)",
    });
    expect(gmail.machineOpen).toBe(false);
    expect(describeEvent(gmail)).toBe("Opened (through Gmail's image proxy)");
  });
});

describe("what an event means for suppression", () => {
  const s = samples();
  it("suppresses at once on a hard bounce, a spam report or an unsubscribe", () => {
    expect(suppressionEffect(event(s.bounce))).toMatchObject({ kind: "suppress", scope: "all", reason: "hard_bounce" });
    expect(suppressionEffect(event(s.spamreport))).toMatchObject({ kind: "suppress", scope: "all", reason: "spam_report" });
    expect(suppressionEffect(event(s.unsubscribe))).toMatchObject({ kind: "suppress", scope: "all", reason: "unsubscribed" });
    expect(suppressionEffect(event(s.group_unsubscribe))).toMatchObject({ kind: "suppress", scope: "marketing", reason: "unsubscribed" });
    expect(suppressionEffect(event(s.group_resubscribe))).toMatchObject({ kind: "lift", scope: "marketing" });
  });

  it("counts blocks and deferrals instead of suppressing at once", () => {
    expect(suppressionEffect(event(s.blocked))).toMatchObject({ kind: "count", counter: "blocks" });
    expect(suppressionEffect(event(s.deferred))).toMatchObject({ kind: "count", counter: "deferrals" });
  });

  it("mirrors SendGrid's own suppressions from dropped events, and nothing else", () => {
    expect(suppressionEffect(event(s.dropped))).toMatchObject({ kind: "suppress", reason: "hard_bounce" });
    expect(suppressionEffect(event({ ...s.dropped, reason: "Spam Reporting Address" }))).toMatchObject({ reason: "spam_report" });
    expect(suppressionEffect(event({ ...s.dropped, reason: "Invalid" }))).toMatchObject({ reason: "invalid" });
    expect(suppressionEffect(event({ ...s.dropped, reason: "Spam Content (if spam checker app enabled)" }))).toEqual({ kind: "none" });
    for (const name of ["processed", "delivered", "open", "click"] as const) expect(suppressionEffect(event(s[name]))).toEqual({ kind: "none" });
  });

  it("reads thresholds from the environment", () => {
    const thresholds = (env: Record<string, string>) => suppressionThresholds(loadConfig(env).events);
    expect(thresholds({})).toEqual({ blocks: 3, deferrals: 10, windowDays: 30 });
    expect(thresholds({ SUPPRESS_AFTER_BLOCKS: "5", SUPPRESS_AFTER_DEFERRALS: "2" })).toMatchObject({ blocks: 5, deferrals: 2 });
    expect(() => thresholds({ SUPPRESS_AFTER_BLOCKS: "0" })).toThrow(/SUPPRESS_AFTER_BLOCKS/);
  });

  it("describes each event for the merchant", () => {
    expect(describeEvent(event(s.bounce))).toBe("Bounced: 550 5.1.1 user unknown (Invalid Address)");
    expect(describeEvent(event(s.blocked))).toMatch(/^Blocked: 554 5\.7\.1 .* \(Reputation\)$/);
    expect(describeEvent(event(s.click))).toBe(`Clicked ${s.click.url}`);
    expect(describeEvent(event(s.dropped))).toBe("Dropped by SendGrid without sending: Bounced Address");
    expect(describeEvent(event(s.open))).toBe("Opened");
  });
});

describe("SendGrid's signature", () => {
  // SendGrid's published example (its Python library's test): a real key, body and signature.
  const PUBLISHED = {
    key: "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==",
    signature: "MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM=",
    timestamp: "1600112502",
    events: [
      {
        email: "hello@world.com",
        event: "dropped",
        reason: "Bounced Address",
        sg_event_id: "ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA",
        sg_message_id: "LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0",
        "smtp-id": "<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>",
        timestamp: 1600112492,
      },
    ],
  };
  const at = new Date(1600112502 * 1000);

  it("verifies SendGrid's published example, serialised as the simulator serialises", () => {
    const publicKey = parseSendGridPublicKey(PUBLISHED.key);
    const body = Buffer.from(serialiseEvents(PUBLISHED.events));
    expect(verifySendGridSignature({ publicKey, signature: PUBLISHED.signature, timestamp: PUBLISHED.timestamp, body, now: at })).toEqual({
      ok: true,
      timestamp: 1600112502,
    });
    // The same events re-serialised (no trailing CRLF) are different bytes.
    const reserialised = Buffer.from(JSON.stringify(PUBLISHED.events));
    expect(verifySendGridSignature({ publicKey, signature: PUBLISHED.signature, timestamp: PUBLISHED.timestamp, body: reserialised, now: at })).toMatchObject({
      ok: false,
      failure: "bad_signature",
    });
  });

  it("accepts the key as PEM too, and refuses keys SendGrid would never give", () => {
    expect(parseSendGridPublicKey(keys.publicKeyPem).asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    expect(parseSendGridPublicKey(keys.publicKeyPem.replace(/\n/g, "\\n")).asymmetricKeyType).toBe("ec");
    const p384 = generateKeyPairSync("ec", { namedCurve: "secp384r1" }).publicKey.export({ format: "der", type: "spki" }).toString("base64");
    expect(() => parseSendGridPublicKey(p384)).toThrow(/P-256/);
    expect(() => parseSendGridPublicKey("not a key")).toThrow(/Verification Key/);
  });

  it("refuses missing headers, tampering, and timestamps outside the tolerance", () => {
    const now = new Date();
    const req = signedEventRequest([samples().open], { privateKey: keys.privateKey, timestamp: now });
    const base = {
      publicKey: keys.publicKey,
      signature: req.headers["X-Twilio-Email-Event-Webhook-Signature"],
      timestamp: req.headers["X-Twilio-Email-Event-Webhook-Timestamp"],
      body: Buffer.from(req.body),
      now,
    };
    expect(verifySendGridSignature(base).ok).toBe(true);
    expect(verifySendGridSignature({ ...base, signature: null })).toMatchObject({ failure: "missing_signature" });
    expect(verifySendGridSignature({ ...base, timestamp: null })).toMatchObject({ failure: "missing_timestamp" });
    expect(verifySendGridSignature({ ...base, timestamp: "soon" })).toMatchObject({ failure: "bad_timestamp" });
    expect(verifySendGridSignature({ ...base, body: Buffer.from(req.body.replace("open", "OPEN")) })).toMatchObject({ failure: "bad_signature" });
    expect(verifySendGridSignature({ ...base, signature: "bm90IGEgc2lnbmF0dXJl" })).toMatchObject({ failure: "bad_signature" });
    // The timestamp is signed too: moving it breaks the signature.
    expect(verifySendGridSignature({ ...base, timestamp: String(Number(base.timestamp) + 1) })).toMatchObject({ failure: "bad_signature" });
    const later = new Date(now.getTime() + 601_000);
    expect(verifySendGridSignature({ ...base, now: later })).toMatchObject({ failure: "stale_timestamp" });
    expect(verifySendGridSignature({ ...base, now: later, toleranceSeconds: 900 }).ok).toBe(true);
    const earlier = new Date(now.getTime() - 601_000);
    expect(verifySendGridSignature({ ...base, now: earlier })).toMatchObject({ failure: "stale_timestamp" });
  });

  it("verifies a typical batch in well under a millisecond or two (node:crypto)", () => {
    const timings: Record<string, number> = {};
    for (const size of [1, 100, 1000]) {
      const events = Array.from({ length: size }, (_, i) =>
        Object.values(samples({ followUpId: `fu_${i}`, messageId: randomBytes(16).toString("base64url") }))[i % 13],
      );
      const req = signedEventRequest(events, { privateKey: keys.privateKey });
      const input = {
        publicKey: keys.publicKey,
        signature: req.headers["X-Twilio-Email-Event-Webhook-Signature"],
        timestamp: req.headers["X-Twilio-Email-Event-Webhook-Timestamp"],
        body: Buffer.from(req.body),
      };
      for (let i = 0; i < 20; i++) verifySendGridSignature(input);
      const runs: number[] = [];
      for (let i = 0; i < 200; i++) {
        const t = performance.now();
        expect(verifySendGridSignature(input).ok).toBe(true);
        runs.push(performance.now() - t);
      }
      runs.sort((a, b) => a - b);
      timings[`${size} events (${Math.round(req.body.length / 1024)} KiB)`] = Number(runs[100].toFixed(3));
    }
    console.info("SendGrid signature verify, median ms:", JSON.stringify(timings));
    for (const ms of Object.values(timings)) expect(ms).toBeLessThan(20);
  });
});

// ---------------------------------------------------------------------------------------------
// The route.

let orderSeq = 0;
async function sentFollowUp({ shop = SHOP, email = "ada@example.com", messageId = randomBytes(16).toString("base64url") } = {}) {
  await prisma.shop.upsert({ where: { domain: shop }, create: { domain: shop, name: "Glow" }, update: {} });
  const n = ++orderSeq;
  const order = await prisma.order.create({
    data: {
      shop,
      orderId: `gid://shopify/Order/${n}`,
      name: `#${1000 + n}`,
      email,
      currency: "USD",
      totalPrice: "20.00",
      productIds: "[]",
      orderedAt: new Date(),
    },
  });
  return prisma.followUp.create({
    data: {
      shop,
      orderRef: order.id,
      orderId: order.orderId,
      flowId: "flow_1",
      stepId: "step_1",
      stepKey: "thank-you",
      template: "thank-you",
      recipient: email,
      status: "sent",
      dueAt: new Date(),
      nextAttemptAt: new Date(),
      transport: "sendgrid",
      messageId,
      sentAt: new Date(),
    },
  });
}

type FollowUpRow = Awaited<ReturnType<typeof sentFollowUp>>;
const eventsFor = (f: FollowUpRow, at = new Date()) =>
  sampleEvents({ followUpId: f.id, shop: f.shop, messageId: f.messageId!, email: f.recipient, at: new Date(at.getTime() - 3_600_000) });

function post(init: { headers: Record<string, string>; body: BodyInit | null }, method = "POST") {
  const request = new Request(URL, { method, headers: init.headers, body: init.body, ...(init.body instanceof ReadableStream ? { duplex: "half" } : {}) } as RequestInit);
  return action({ request, params: {}, context: {} } as ActionFunctionArgs);
}

const send = (events: unknown[] | string, opts: { timestamp?: number | Date; privateKey?: typeof keys.privateKey } = {}) =>
  post(signedEventRequest(events, { privateKey: opts.privateKey ?? keys.privateKey, timestamp: opts.timestamp }));

const counts = async () => ({
  messageEvents: await prisma.messageEvent.count(),
  followUpEvents: await prisma.followUpEvent.count(),
  suppressions: await prisma.suppression.count(),
});
const nothing = { messageEvents: 0, followUpEvents: 0, suppressions: 0 };

const ENV_KEYS = ["SENDGRID_WEBHOOK_PUBLIC_KEY", "SENDGRID_WEBHOOK_MAX_BYTES", "SENDGRID_WEBHOOK_TOLERANCE_SECONDS", "SUPPRESS_AFTER_BLOCKS", "SUPPRESS_AFTER_DEFERRALS", "LOG_LEVEL"];
const savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));

beforeAll(() => {
  process.env.LOG_LEVEL = "error";
});

afterAll(async () => {
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await testDb.cleanup();
});

beforeEach(async () => {
  process.env.SENDGRID_WEBHOOK_PUBLIC_KEY = keys.publicKeyBase64;
  for (const k of ["SENDGRID_WEBHOOK_MAX_BYTES", "SENDGRID_WEBHOOK_TOLERANCE_SECONDS", "SUPPRESS_AFTER_BLOCKS", "SUPPRESS_AFTER_DEFERRALS"]) delete process.env[k];
  await prisma.messageEvent.deleteMany();
  await prisma.suppression.deleteMany();
  await prisma.followUpEvent.deleteMany();
  await prisma.followUp.deleteMany();
  await prisma.order.deleteMany();
  await prisma.shop.deleteMany();
});

describe("POST /webhooks/sendgrid: refusals store nothing", () => {
  it("stores a correctly signed batch and answers 200 with what it did", async () => {
    const f = await sentFollowUp();
    const s = eventsFor(f);
    const res = await send([s.processed, s.delivered, s.open]);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ received: 3, stored: 3, duplicates: 0, unknown: 0, matched: 3, unmatched: 0, suppressed: 0 });
    expect(await counts()).toEqual({ messageEvents: 3, followUpEvents: 3, suppressions: 0 });
  });

  it("403 for a signature by another key, a tampered body, or no signature", async () => {
    const f = await sentFollowUp();
    const s = eventsFor(f);
    const other = createEventWebhookKeys();
    const bySomeoneElse = await send([s.bounce], { privateKey: other.privateKey });
    expect(bySomeoneElse.status).toBe(403);
    expect(await bySomeoneElse.text()).toMatch(/signature does not match/);

    const signed = signedEventRequest([s.bounce], { privateKey: keys.privateKey });
    const tampered = await post({ headers: signed.headers, body: signed.body.replace("ada@example.com", "eve@example.com") });
    expect(tampered.status).toBe(403);

    const { "X-Twilio-Email-Event-Webhook-Signature": _sig, ...unsigned } = signed.headers;
    const missing = await post({ headers: unsigned, body: signed.body });
    expect(missing.status).toBe(403);
    expect(await missing.text()).toMatch(/X-Twilio-Email-Event-Webhook-Signature header is missing/);

    expect(await counts()).toEqual(nothing);
  });

  it("403 for a stale or future timestamp, within SENDGRID_WEBHOOK_TOLERANCE_SECONDS otherwise", async () => {
    const f = await sentFollowUp();
    const s = eventsFor(f);
    const now = Date.now();
    expect((await send([s.bounce], { timestamp: new Date(now - 11 * 60_000) })).status).toBe(403);
    expect((await send([s.bounce], { timestamp: new Date(now + 11 * 60_000) })).status).toBe(403);
    expect(await counts()).toEqual(nothing);
    process.env.SENDGRID_WEBHOOK_TOLERANCE_SECONDS = "900";
    expect((await send([s.bounce], { timestamp: new Date(now - 11 * 60_000) })).status).toBe(200);
  });

  it("413 when Content-Length says too much, or the body turns out bigger than it said", async () => {
    process.env.SENDGRID_WEBHOOK_MAX_BYTES = "2048";
    const f = await sentFollowUp();
    const many = Array.from({ length: 20 }, () => eventsFor(f).open);
    const signed = signedEventRequest(many, { privateKey: keys.privateKey });
    expect(signed.body.length).toBeGreaterThan(2048);

    const declared = await post({ headers: { ...signed.headers, "Content-Length": String(signed.body.length) }, body: signed.body });
    expect(declared.status).toBe(413);
    expect(await declared.text()).toMatch(/larger than 2048 bytes/);

    // Chunked, no Content-Length: the size is counted while reading.
    const bytes = new TextEncoder().encode(signed.body);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < bytes.length; i += 512) c.enqueue(bytes.slice(i, i + 512));
        c.close();
      },
    });
    const chunked = await post({ headers: signed.headers, body: stream });
    expect(chunked.status).toBe(413);
    expect(await counts()).toEqual(nothing);
  });

  it("415 for a body that is not application/json", async () => {
    const signed = signedEventRequest([eventsFor(await sentFollowUp()).open], { privateKey: keys.privateKey });
    const res = await post({ headers: { ...signed.headers, "Content-Type": "application/x-www-form-urlencoded" }, body: signed.body });
    expect(res.status).toBe(415);
    expect(await res.text()).toMatch(/Expected Content-Type application\/json/);
    const withCharset = await post({ headers: { ...signed.headers, "Content-Type": "application/json; charset=utf-8" }, body: signed.body });
    expect(withCharset.status).toBe(200);
  });

  it("400 for signed JSON that is not an array, or not JSON", async () => {
    const s = eventsFor(await sentFollowUp());
    const object = await send(JSON.stringify(s.open));
    expect(object.status).toBe(400);
    expect(await object.text()).toMatch(/JSON array of events/);
    const broken = await send("[{\"event\":");
    expect(broken.status).toBe(400);
    expect(await counts()).toEqual(nothing);
  });

  it("405 for anything but POST", async () => {
    const get = await loader();
    expect(get.status).toBe(405);
    expect(get.headers.get("Allow")).toBe("POST");
    const signed = signedEventRequest([], { privateKey: keys.privateKey });
    expect((await post(signed, "PUT")).status).toBe(405);
  });

  it("503 while the key or a setting is missing or unusable (SendGrid retries meanwhile)", async () => {
    delete process.env.SENDGRID_WEBHOOK_PUBLIC_KEY;
    const res = await send([eventsFor(await sentFollowUp()).bounce]);
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(/SENDGRID_WEBHOOK_PUBLIC_KEY/);
    process.env.SENDGRID_WEBHOOK_PUBLIC_KEY = "garbage";
    expect((await send([eventsFor(await sentFollowUp()).bounce])).status).toBe(503);
    process.env.SENDGRID_WEBHOOK_PUBLIC_KEY = keys.publicKeyBase64;
    process.env.SUPPRESS_AFTER_BLOCKS = "none";
    const misconfigured = await send([eventsFor(await sentFollowUp()).bounce]);
    expect(misconfigured.status).toBe(503);
    expect(await misconfigured.text()).toMatch(/SUPPRESS_AFTER_BLOCKS must be a whole number/);
    expect(await counts()).toEqual(nothing);
  });
});

describe("POST /webhooks/sendgrid: storing and matching", () => {
  it("ignores event types it does not handle, and says how many", async () => {
    const f = await sentFollowUp();
    const s = eventsFor(f);
    const res = await send([
      s.delivered,
      { event: "account_status_change", timestamp: Math.floor(Date.now() / 1000), type: "compliance_suspend", sg_event_id: "acct-1" },
      { event: "brand_new_event", timestamp: Math.floor(Date.now() / 1000), sg_event_id: "new-1" },
    ]);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ stored: 1, unknown: 2, unknownTypes: { account_status_change: 1, brand_new_event: 1 } });
    expect(await prisma.messageEvent.count()).toBe(1);
  });

  it("a redelivered batch changes nothing", async () => {
    const f = await sentFollowUp();
    const s = eventsFor(f);
    const batch = [s.processed, s.delivered, s.bounce, s.open, s.click];
    expect(await (await send(batch)).json()).toMatchObject({ stored: 5, duplicates: 0, suppressed: 1 });
    const after = await counts();
    const again = await send(batch);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ stored: 0, duplicates: 5, suppressed: 0 });
    expect(await counts()).toEqual(after);
    // And repeats inside one post.
    expect(await (await send([s.spamreport, s.spamreport])).json()).toMatchObject({ stored: 1, duplicates: 1 });
  });

  it("two deliveries of the same batch at the same moment store it once", async () => {
    const f = await sentFollowUp();
    const s = eventsFor(f);
    const batch = [s.processed, s.delivered, s.open, s.click, s.unsubscribe];
    const [a, b] = await Promise.all([send(batch), send(batch)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const [sa, sb] = [await a.json(), await b.json()];
    expect(sa.stored + sb.stored).toBe(5);
    expect(sa.duplicates + sb.duplicates).toBe(5);
    expect(await counts()).toEqual({ messageEvents: 5, followUpEvents: 5, suppressions: 1 });
  });

  it("matches by custom args, falls back to the message id, and keeps what matches nothing", async () => {
    const byArgs = await sentFollowUp();
    const byMessageId = await sentFollowUp({ email: "grace@example.com" });
    const a = eventsFor(byArgs).delivered;
    const { followUpId: _f, shop: _s, flow: _fl, step: _st, ...noArgs } = eventsFor(byMessageId).delivered;
    const stranger = sampleEvents({ followUpId: "fu_gone", shop: "nobody.myshopify.com", messageId: "zzzzzzzzzzzzzzzzzzzzzz", email: "x@example.com" }).bounce;
    const res = await send([a, noArgs, stranger]);
    expect(await res.json()).toMatchObject({ stored: 3, matched: 2, unmatched: 1, suppressed: 0 });
    const rows = await prisma.messageEvent.findMany({ orderBy: { occurredAt: "asc" } });
    expect(rows.find((r) => r.dedupeKey === a.sg_event_id)).toMatchObject({ followUpId: byArgs.id, shop: SHOP, email: "ada@example.com" });
    expect(rows.find((r) => r.dedupeKey === noArgs.sg_event_id)).toMatchObject({ followUpId: byMessageId.id, shop: SHOP, messageId: noArgs.sg_message_id });
    // An unknown shop named in custom args gets no suppression list entry.
    expect(rows.find((r) => r.dedupeKey === stranger.sg_event_id)).toMatchObject({ followUpId: null, shop: null });
    const timeline = await followUpTimeline(prisma, byMessageId.id);
    expect(timeline.map((e) => e.type)).toContain("delivered");
  });

  it("puts each event on the follow-up's timeline in words a merchant reads", async () => {
    const f = await sentFollowUp();
    const s = eventsFor(f);
    await send([s.processed, s.delivered, s.machineOpen, s.open, s.click]);
    const timeline = await followUpTimeline(prisma, f.id);
    const details = timeline.filter((e) => e.type !== "scheduled" && e.type !== "sent").map((e) => `${e.type}: ${e.detail}`);
    expect(details).toEqual([
      "processed: Accepted by SendGrid for delivery.",
      "delivered: Delivered: 250 2.0.0 OK  1700000002 d2e1a72fcca58-6ad1 - gsmtp",
      "open: Opened (machine open: Apple Mail Privacy Protection)",
      "open: Opened",
      `click: Clicked ${s.click.url}`,
    ]);
    const opens = await prisma.messageEvent.findMany({ where: { event: "open" }, orderBy: { occurredAt: "asc" } });
    expect(opens.map((o) => o.machineOpen)).toEqual([true, false]);
    expect(JSON.parse(opens[0].detail!)).toMatchObject({ open_source: "apple_mpp", useragent: "Mozilla/5.0" });
    // No IP address is kept.
    expect(opens.every((o) => !o.detail!.includes("ip"))).toBe(true);
  });
});

describe("POST /webhooks/sendgrid: suppressions", () => {
  it("a hard bounce suppresses the address for every email of that shop, at once", async () => {
    const f = await sentFollowUp({ email: "Ada@Example.com" });
    const s = eventsFor(f);
    expect(await (await send([s.bounce])).json()).toMatchObject({ suppressed: 1 });
    const hit = await isSuppressed(prisma, { shop: SHOP, email: "ADA@example.com", marketing: false });
    expect(hit).toMatchObject({ scope: "all", reason: "hard_bounce", email: "ada@example.com", source: `sendgrid:${s.bounce.sg_event_id}` });
    expect(hit!.detail).toBe("550 5.1.1 user unknown (Invalid Address)");
    expect(await isSuppressed(prisma, { shop: OTHER_SHOP, email: "ada@example.com", marketing: false })).toBeNull();
    const entry = (await followUpTimeline(prisma, f.id)).find((e) => e.type === "bounce");
    expect(entry?.detail).toBe("Bounced: 550 5.1.1 user unknown (Invalid Address) This address is now suppressed for the shop.");
  });

  it("a spam report and an unsubscribe suppress at once", async () => {
    const a = await sentFollowUp({ email: "spam@example.com" });
    const b = await sentFollowUp({ email: "leave@example.com" });
    expect(await (await send([eventsFor(a).spamreport, eventsFor(b).unsubscribe])).json()).toMatchObject({ suppressed: 2 });
    expect(await isSuppressed(prisma, { shop: SHOP, email: "spam@example.com", marketing: false })).toMatchObject({ reason: "spam_report", scope: "all" });
    expect(await isSuppressed(prisma, { shop: SHOP, email: "leave@example.com", marketing: false })).toMatchObject({ reason: "unsubscribed", scope: "all" });
  });

  it("a group unsubscribe stops marketing only, and a later resubscribe lifts it", async () => {
    const f = await sentFollowUp({ email: "mkt@example.com" });
    const s = eventsFor(f);
    await send([s.group_unsubscribe]);
    expect(await isSuppressed(prisma, { shop: SHOP, email: "mkt@example.com", marketing: true })).toMatchObject({ scope: "marketing" });
    expect(await isSuppressed(prisma, { shop: SHOP, email: "mkt@example.com", marketing: false })).toBeNull();
    expect(await (await send([s.group_resubscribe])).json()).toMatchObject({ lifted: 1 });
    expect(await isSuppressed(prisma, { shop: SHOP, email: "mkt@example.com", marketing: true })).toBeNull();
  });

  it("an unsubscribe that arrives after a later resubscribe does not suppress", async () => {
    const f = await sentFollowUp({ email: "late@example.com" });
    const s = eventsFor(f);
    await send([s.group_resubscribe]);
    expect(await (await send([s.group_unsubscribe])).json()).toMatchObject({ stored: 1, suppressed: 0 });
    expect(await isSuppressed(prisma, { shop: SHOP, email: "late@example.com", marketing: true })).toBeNull();
  });

  it("blocked bounces suppress only at SUPPRESS_AFTER_BLOCKS within 30 days", async () => {
    const blockedOnce = async (at: Date) => {
      const f = await sentFollowUp({ email: "blocked@example.com" });
      return (await send([eventsFor(f, at).blocked])).json();
    };
    const now = new Date();
    // One from 40 days ago does not count.
    await blockedOnce(new Date(now.getTime() - 40 * 86_400_000));
    expect(await blockedOnce(now)).toMatchObject({ suppressed: 0 });
    expect(await blockedOnce(now)).toMatchObject({ suppressed: 0 });
    expect(await isSuppressed(prisma, { shop: SHOP, email: "blocked@example.com", marketing: false })).toBeNull();
    expect(await blockedOnce(now)).toMatchObject({ suppressed: 1 });
    const hit = await isSuppressed(prisma, { shop: SHOP, email: "blocked@example.com", marketing: false });
    expect(hit).toMatchObject({ reason: "blocked", scope: "all" });
    expect(hit!.detail).toMatch(/^3 blocked deliveries in 30 days; the last: 554 5\.7\.1/);
    // Blocks for the same address in another shop are counted for that shop alone.
    const elsewhere = await sentFollowUp({ shop: OTHER_SHOP, email: "blocked@example.com" });
    expect(await (await send([eventsFor(elsewhere).blocked])).json()).toMatchObject({ suppressed: 0 });
  });

  it("SUPPRESS_AFTER_BLOCKS changes the threshold", async () => {
    process.env.SUPPRESS_AFTER_BLOCKS = "1";
    const f = await sentFollowUp({ email: "once@example.com" });
    expect(await (await send([eventsFor(f).blocked])).json()).toMatchObject({ suppressed: 1 });
  });

  it("deferrals suppress at SUPPRESS_AFTER_DEFERRALS, not counting messages delivered in the end", async () => {
    process.env.SUPPRESS_AFTER_DEFERRALS = "3";
    const deferred = async (delivered: boolean) => {
      const f = await sentFollowUp({ email: "slow@example.com" });
      const s = eventsFor(f);
      return (await send(delivered ? [s.deferred, s.delivered] : [s.deferred])).json();
    };
    await deferred(true);
    await deferred(true);
    await deferred(true);
    expect(await prisma.suppression.count()).toBe(0);
    await deferred(false);
    await deferred(false);
    expect(await deferred(false)).toMatchObject({ suppressed: 1 });
    expect(await isSuppressed(prisma, { shop: SHOP, email: "slow@example.com", marketing: false })).toMatchObject({ reason: "blocked" });
  });

  it("an address already suppressed keeps its first reason", async () => {
    const f = await sentFollowUp({ email: "twice@example.com" });
    const s = eventsFor(f);
    await send([s.unsubscribe]);
    expect(await (await send([s.bounce])).json()).toMatchObject({ stored: 1, suppressed: 0 });
    expect(await prisma.suppression.findMany({ where: { email: "twice@example.com" } })).toHaveLength(1);
    expect(await isSuppressed(prisma, { shop: SHOP, email: "twice@example.com", marketing: false })).toMatchObject({ reason: "unsubscribed" });
  });
});

describe("receiveSendGridEvents", () => {
  it("can be called without the route, e.g. to replay stored posts", async () => {
    const f = await sentFollowUp();
    const s = eventsFor(f);
    const summary = await receiveSendGridEvents({ prisma, events: [s.delivered, s.spamreport, 42], now: new Date() });
    expect(summary).toMatchObject({ received: 3, stored: 2, invalid: 1, suppressed: 1, matched: 2 });
  });

  it("stores a batch of 1000 events quickly", async () => {
    // One after another: concurrent upserts of the same shop race on a database with a pool.
    const followUps = [];
    for (let i = 0; i < 50; i++) followUps.push(await sentFollowUp({ email: `bulk${i}@example.com` }));
    const events = followUps.flatMap((f) => {
      const s = eventsFor(f);
      return Array.from({ length: 20 }, (_, i) => ({ ...s.open, sg_event_id: `${s.open.sg_event_id}-${i}`, timestamp: (s.open.timestamp as number) + i }));
    });
    const t = performance.now();
    const res = await send(events);
    const ms = performance.now() - t;
    expect(await res.json()).toMatchObject({ stored: 1000, matched: 1000 });
    console.info(`SendGrid webhook: 1000 events verified and stored in ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(10_000);
  });
});
