// Postmark's webhook posts (one event per POST, a JSON object with RecordType) mapped onto the
// shape SendGrid's events take (sendgrid-events.ts), so both feed one store, one timeline and
// the same suppressions. Field names as Postmark's Node client types them (DeliveryWebhook,
// BounceWebhook, SpamComplaintWebhook, OpenWebhook, ClickWebhook).

import { normaliseEmail, openSourceOf, type MailEvent, type ParsedSendGridBatch } from "./sendgrid-events";

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const text = (v: unknown): string | null => (typeof v === "string" && v.length > 0 ? v : typeof v === "number" && Number.isFinite(v) ? String(v) : null);

// Bounce types (BounceWebhook.Type) by what they mean for the address. Postmark itself stops
// sending to an address it marked Inactive (hard bounces, complaints), so those suppress here too.
const HARD_BOUNCES = new Set(["HardBounce", "BadEmailAddress", "ManuallyDeactivated"]);
// The message was refused or could not be delivered now, not the address: counted, as SendGrid's blocks.
const BLOCKS = new Set(["Blocked", "DMARCPolicy", "SoftBounce", "Transient", "DnsError"]);
const COMPLAINTS = new Set(["SpamComplaint", "SpamNotification"]);

export type ParsedPostmarkEvent = { kind: "event"; event: MailEvent } | { kind: "unknown"; type: string } | { kind: "invalid" };

export function parsePostmarkEvent(raw: unknown): ParsedPostmarkEvent {
  if (!isObject(raw)) return { kind: "invalid" };
  const recordType = text(raw.RecordType);
  const messageId = text(raw.MessageID);
  if (!recordType || !messageId) return { kind: "invalid" };
  const metadata = isObject(raw.Metadata) ? raw.Metadata : {};
  const tag = text(raw.Tag);
  const base = {
    provider: "postmark" as const,
    sgEventId: null,
    sgMessageId: messageId,
    followUpId: text(metadata.followUpId),
    shop: text(metadata.shop),
    flow: text(metadata.flow),
    step: text(metadata.step),
    reason: null,
    response: null,
    status: null,
    attempt: null,
    bounceType: null,
    bounceClassification: null,
    url: null,
    useragent: null,
    asmGroupId: null,
    categories: tag ? [tag] : [],
    machineOpen: false,
    openSource: null,
  };
  const at = (field: string) => {
    const value = text(raw[field]);
    const ms = value ? Date.parse(value) : NaN;
    return Number.isFinite(ms) ? { occurredAt: new Date(ms), timestamp: Math.floor(ms / 1000) } : null;
  };
  const address = (field: string) => {
    const value = text(raw[field]);
    return value ? normaliseEmail(value) : null;
  };

  switch (recordType) {
    case "Delivery": {
      const when = at("DeliveredAt");
      if (!when) return { kind: "invalid" };
      const email = address("Recipient");
      return {
        kind: "event",
        event: { ...base, ...when, event: "delivered", email, response: text(raw.Details), providerKey: `Delivery:${messageId}:${email ?? ""}` },
      };
    }
    case "Bounce":
    case "SpamComplaint": {
      const when = at("BouncedAt");
      const id = text(raw.ID);
      if (!when || !id) return { kind: "invalid" };
      const type = text(raw.Type) ?? "";
      const common = {
        ...base,
        ...when,
        email: address("Email"),
        reason: text(raw.Description) ?? text(raw.Details),
        response: text(raw.Details),
        bounceClassification: type || null,
        // Bounces and complaints share one ID space at Postmark (both are bounce records).
        providerKey: `Bounce:${id}`,
      };
      if (recordType === "SpamComplaint" || COMPLAINTS.has(type)) return { kind: "event", event: { ...common, event: "spamreport" } };
      if (HARD_BOUNCES.has(type) || raw.Inactive === true) return { kind: "event", event: { ...common, event: "bounce", bounceType: "bounce" } };
      if (BLOCKS.has(type)) return { kind: "event", event: { ...common, event: "bounce", bounceType: "blocked" } };
      // Auto-replies, address changes, challenge mails and the like say nothing about delivery.
      return { kind: "unknown", type: `Bounce:${type || "untyped"}` };
    }
    case "Open": {
      const when = at("ReceivedAt");
      if (!when) return { kind: "invalid" };
      const useragent = text(raw.UserAgent);
      return {
        kind: "event",
        event: {
          ...base,
          ...when,
          event: "open",
          email: address("Recipient"),
          useragent,
          openSource: openSourceOf({ useragent }),
          providerKey: `Open:${messageId}:${text(raw.ReceivedAt)}`,
        },
      };
    }
    case "Click": {
      const when = at("ReceivedAt");
      if (!when) return { kind: "invalid" };
      const url = text(raw.OriginalLink);
      return {
        kind: "event",
        event: {
          ...base,
          ...when,
          event: "click",
          email: address("Recipient"),
          url,
          useragent: text(raw.UserAgent),
          providerKey: `Click:${messageId}:${text(raw.ReceivedAt)}:${url ?? ""}`,
        },
      };
    }
    default:
      return { kind: "unknown", type: recordType };
  }
}

// The batch shape the store takes; Postmark posts one event at a time.
export function parsePostmarkEvents(items: unknown[]): ParsedSendGridBatch {
  const batch: ParsedSendGridBatch = { events: [], unknown: {}, unknownCount: 0, invalid: 0 };
  for (const item of items) {
    const parsed = parsePostmarkEvent(item);
    if (parsed.kind === "event") batch.events.push(parsed.event);
    else if (parsed.kind === "unknown") {
      batch.unknown[parsed.type] = (batch.unknown[parsed.type] ?? 0) + 1;
      batch.unknownCount += 1;
    } else batch.invalid += 1;
  }
  return batch;
}
