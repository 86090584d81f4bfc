// SendGrid's Event Webhook posts as SendGrid makes them: a compact JSON array (keys in sorted
// order, ending in CRLF), signed with ECDSA P-256 over the timestamp header followed by the body.
// The key pair is made here at runtime; SendGrid shows its public key as base64 DER.

import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";

export interface EventWebhookKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
  // What SendGrid's settings page shows as the Verification Key (SENDGRID_WEBHOOK_PUBLIC_KEY).
  publicKeyBase64: string;
  publicKeyPem: string;
}

export function createEventWebhookKeys(): EventWebhookKeys {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  return {
    privateKey,
    publicKey,
    publicKeyBase64: publicKey.export({ format: "der", type: "spki" }).toString("base64"),
    publicKeyPem: publicKey.export({ format: "pem", type: "spki" }).toString(),
  };
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

// The body bytes SendGrid posts: no spaces, keys sorted, a trailing CRLF. Verifying anything
// but these exact bytes (e.g. re-serialised JSON) fails.
export function serialiseEvents(events: unknown[]): string {
  return `${JSON.stringify(sortKeys(events))}\r\n`;
}

// Base64 DER ECDSA-SHA256 signature of timestamp + body.
export function signEventBody(body: string | Uint8Array, timestamp: string, privateKey: KeyObject): string {
  const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : Buffer.from(body);
  return sign("sha256", Buffer.concat([Buffer.from(timestamp, "utf8"), bytes]), { key: privateKey, dsaEncoding: "der" }).toString("base64");
}

export interface SignedEventRequest {
  headers: Record<string, string>;
  body: string;
}

// `events` as objects (serialised as SendGrid does) or an exact body string.
export function signedEventRequest(
  events: unknown[] | string,
  { privateKey, timestamp }: { privateKey: KeyObject; timestamp?: number | string | Date },
): SignedEventRequest {
  const body = typeof events === "string" ? events : serialiseEvents(events);
  const ts =
    timestamp instanceof Date
      ? String(Math.floor(timestamp.getTime() / 1000))
      : timestamp !== undefined
        ? String(timestamp)
        : String(Math.floor(Date.now() / 1000));
  return {
    headers: {
      "Content-Type": "application/json",
      "User-Agent": "SendGrid Event API",
      "X-Twilio-Email-Event-Webhook-Signature": signEventBody(body, ts, privateKey),
      "X-Twilio-Email-Event-Webhook-Timestamp": ts,
    },
    body,
  };
}

export async function postSignedEvents(
  url: string,
  events: unknown[] | string,
  opts: { privateKey: KeyObject; timestamp?: number | string | Date },
): Promise<Response> {
  const { headers, body } = signedEventRequest(events, opts);
  return fetch(url, { method: "POST", headers, body });
}

export interface SampleEventArgs {
  followUpId: string;
  shop: string;
  // The X-Message-Id SendGrid answered the send with.
  messageId: string;
  email: string;
  flow?: string;
  step?: string;
  // When the message was processed; later events follow it by seconds to days.
  at?: Date;
}

export type SampleEventName =
  | "processed"
  | "delivered"
  | "deferred"
  | "bounce"
  | "blocked"
  | "dropped"
  | "open"
  | "machineOpen"
  | "click"
  | "spamreport"
  | "unsubscribe"
  | "group_unsubscribe"
  | "group_resubscribe";

export type SampleEvent = Record<string, unknown>;

// Documentation-range addresses (RFC 5737): no real host is named.
const SENDING_IP = "192.0.2.10";
const READER_IP = "198.51.100.23";
const APPLE_PROXY_IP = "203.0.113.40";

// sg_event_id: base64url, as SendGrid sends it.
function eventId(seed: string): string {
  return createHash("sha256").update(seed).update(randomBytes(8)).digest().subarray(0, 18).toString("base64url");
}

// One realistic event of each kind for one sent follow-up, each with its own sg_event_id.
export function sampleEvents({
  followUpId,
  shop,
  messageId,
  email,
  flow = "thank-you",
  step = "thank-you",
  at = new Date(),
}: SampleEventArgs): Record<SampleEventName, SampleEvent> {
  const t0 = Math.floor(at.getTime() / 1000);
  // "<X-Message-Id>.recvd-…" (older accounts: ".filter…"): one per recipient of the send.
  const sgMessageId = `${messageId}.recvd-${randomBytes(5).toString("hex")}-${randomBytes(3).toString("hex")}-1-${t0.toString(16).toUpperCase()}-0.0`;
  const base = (event: string, offsetSeconds: number): SampleEvent => ({
    email,
    event,
    timestamp: t0 + offsetSeconds,
    sg_event_id: eventId(`${event}-${sgMessageId}-${offsetSeconds}`),
    sg_message_id: sgMessageId,
    "smtp-id": `<${messageId}@geopod-ismtpd-2>`,
    category: ["afterglow", `flow:${flow}`],
    // custom_args come back as top-level fields.
    followUpId,
    shop,
    flow,
    step,
  });
  const delivery = (event: string, offsetSeconds: number, extra: SampleEvent): SampleEvent => ({
    ...base(event, offsetSeconds),
    ip: SENDING_IP,
    tls: 1,
    ...extra,
  });
  const engagement = (event: string, offsetSeconds: number, extra: SampleEvent): SampleEvent => {
    const e = base(event, offsetSeconds);
    delete e["smtp-id"];
    return { ...e, ...extra };
  };
  const readerAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36";
  return {
    processed: { ...base("processed", 0), pool: { name: "transactional", id: 81 } },
    delivered: delivery("delivered", 2, { response: "250 2.0.0 OK  1700000002 d2e1a72fcca58-6ad1 - gsmtp" }),
    deferred: delivery("deferred", 1, { response: "421 4.7.0 Try again later, closing connection.", attempt: "1" }),
    bounce: delivery("bounce", 3, {
      type: "bounce",
      status: "5.1.1",
      reason: "550 5.1.1 user unknown",
      bounce_classification: "Invalid Address",
    }),
    blocked: delivery("bounce", 3, {
      type: "blocked",
      status: "5.7.1",
      reason: "554 5.7.1 Service unavailable; Client host [192.0.2.10] blocked using a DNS block list",
      bounce_classification: "Reputation",
    }),
    dropped: { ...base("dropped", 0), reason: "Bounced Address", status: "5.0.0" },
    open: engagement("open", 600, { ip: READER_IP, useragent: readerAgent, sg_machine_open: false }),
    machineOpen: engagement("open", 5, { ip: APPLE_PROXY_IP, useragent: "Mozilla/5.0", sg_machine_open: true }),
    click: engagement("click", 660, {
      ip: READER_IP,
      useragent: readerAgent,
      url: `https://${shop}/products/linen-apron?utm_source=afterglow&utm_medium=email&utm_campaign=${flow}`,
      url_offset: { index: 0, type: "html" },
    }),
    spamreport: engagement("spamreport", 900, {}),
    unsubscribe: engagement("unsubscribe", 960, { ip: READER_IP, useragent: readerAgent }),
    group_unsubscribe: engagement("group_unsubscribe", 960, { ip: READER_IP, useragent: readerAgent, asm_group_id: 42 }),
    group_resubscribe: engagement("group_resubscribe", 1200, { ip: READER_IP, useragent: readerAgent, asm_group_id: 42 }),
  };
}
