// SendGrid Event Webhook events: what each one says and what it means for a shop's suppressions.
// Plain TypeScript; the service stores them, this module only decides.

export const SENDGRID_EVENT_TYPES = [
  "processed",
  "delivered",
  "deferred",
  "bounce",
  "dropped",
  "open",
  "click",
  "spamreport",
  "unsubscribe",
  "group_unsubscribe",
  "group_resubscribe",
] as const;

export type SendGridEventType = (typeof SENDGRID_EVENT_TYPES)[number];

const KNOWN_TYPES = new Set<string>(SENDGRID_EVENT_TYPES);

export type SuppressionScope = "all" | "marketing";
export type SuppressionReason = "unsubscribed" | "hard_bounce" | "spam_report" | "invalid" | "blocked" | "manual";

// How an open reached SendGrid's tracking pixel.
// apple_mpp: Apple Mail Privacy Protection fetched it, whether or not anyone read the email.
// gmail_proxy / yahoo_proxy: the mailbox provider fetched it for a reader, hiding their device.
export type OpenSource = "apple_mpp" | "gmail_proxy" | "yahoo_proxy" | "direct";

// Both providers' events take this one shape (Postmark's are mapped in postmark-events.ts), so one
// path stores them, puts them on timelines and turns them into suppressions.
export type MailProvider = "sendgrid" | "postmark";

export interface MailEvent {
  provider: MailProvider;
  // Postmark's own identity of the event (its bounce ID, or message, type and time), which the
  // dedupe key is built from; null for SendGrid's, keyed by sg_event_id.
  providerKey: string | null;
  event: SendGridEventType;
  // As SendGrid sent it and lower-cased (our suppressions compare lower-cased addresses).
  email: string | null;
  timestamp: number; // unix seconds
  occurredAt: Date;
  sgEventId: string | null;
  // SendGrid's sg_message_id, or Postmark's MessageID.
  sgMessageId: string | null;
  // Our custom_args, which SendGrid echoes as top-level fields of every event (Postmark: Metadata).
  followUpId: string | null;
  shop: string | null;
  flow: string | null;
  step: string | null;
  reason: string | null; // bounce and dropped: why; deferred: the receiving server's answer
  response: string | null; // delivered, deferred
  status: string | null; // bounce: enhanced status code, e.g. 5.1.1
  attempt: number | null; // deferred
  bounceType: "bounce" | "blocked" | null;
  bounceClassification: string | null;
  url: string | null; // click
  useragent: string | null; // open, click
  asmGroupId: number | null; // group_unsubscribe, group_resubscribe
  categories: string[];
  machineOpen: boolean;
  openSource: OpenSource | null; // open only
}

export type SendGridEvent = MailEvent;

export interface ParsedSendGridBatch {
  events: MailEvent[];
  // Event types we do not handle (e.g. account events), by name; counted and ignored.
  unknown: Record<string, number>;
  unknownCount: number;
  // Items that are not events at all (no event name or no timestamp); counted and ignored.
  invalid: number;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

function text(v: unknown): string | null {
  if (typeof v === "string") return v.length ? v : null;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  return null;
}

function integer(v: unknown): number | null {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  return Number.isFinite(n) ? Math.trunc(n) : null;
}

// SendGrid sends booleans, but a few integrations relay them as strings.
const truthy = (v: unknown) => v === true || v === "true" || v === 1;

// custom_args normally arrive as top-level fields; some relays nest them.
function customArg(raw: Json, name: string): string | null {
  const top = text(raw[name]);
  if (top) return top;
  for (const nested of ["custom_args", "unique_args"]) {
    const obj = raw[nested];
    if (isObject(obj)) {
      const v = text(obj[name]);
      if (v) return v;
    }
  }
  return null;
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

// Gmail and Yahoo fetch images through their own proxies when the reader opens the email;
// the user agent names the proxy (e.g. "... (via ggpht.com GoogleImageProxy)").
function proxyOf(useragent: string | null): OpenSource | null {
  if (!useragent) return null;
  if (/GoogleImageProxy/i.test(useragent)) return "gmail_proxy";
  if (/YahooMailProxy/i.test(useragent)) return "yahoo_proxy";
  return null;
}

// SendGrid marks opens triggered by Apple Mail Privacy Protection with sg_machine_open: true.
// Those fetches happen when Apple Mail downloads the message, so they say nothing about reading.
export function isMachineOpen(event: Pick<SendGridEvent, "event" | "machineOpen"> | Json): boolean {
  if ("machineOpen" in event && typeof event.machineOpen === "boolean") return event.event === "open" && event.machineOpen;
  return (event as Json).event === "open" && truthy((event as Json).sg_machine_open);
}

export function openSourceOf(raw: Json): OpenSource {
  if (truthy(raw.sg_machine_open)) return "apple_mpp";
  return proxyOf(text(raw.useragent)) ?? "direct";
}

// SendGrid's sg_message_id is the send's X-Message-Id followed by ".filter…" or ".recvd…".
// Returns every prefix that may be the X-Message-Id (older ids contained dots themselves).
export function xMessageIdCandidates(sgMessageId: string | null): string[] {
  if (!sgMessageId) return [];
  const out = new Set<string>();
  const dot = sgMessageId.indexOf(".");
  out.add(dot > 0 ? sgMessageId.slice(0, dot) : sgMessageId);
  const marker = /^(.+?)\.(?:filter|recvd)/.exec(sgMessageId);
  if (marker) out.add(marker[1]);
  return [...out];
}

export function parseSendGridEvent(raw: unknown): { kind: "event"; event: SendGridEvent } | { kind: "unknown"; type: string } | { kind: "invalid" } {
  if (!isObject(raw)) return { kind: "invalid" };
  const type = text(raw.event);
  const timestamp = integer(raw.timestamp);
  if (!type || timestamp === null || timestamp <= 0) return { kind: "invalid" };
  if (!KNOWN_TYPES.has(type)) return { kind: "unknown", type };
  const event = type as SendGridEventType;
  const email = text(raw.email);
  const useragent = text(raw.useragent);
  const bounceTypeRaw = text(raw.type);
  const category = raw.category;
  return {
    kind: "event",
    event: {
      provider: "sendgrid",
      providerKey: null,
      event,
      email: email ? normaliseEmail(email) : null,
      timestamp,
      occurredAt: new Date(timestamp * 1000),
      sgEventId: text(raw.sg_event_id),
      sgMessageId: text(raw.sg_message_id),
      followUpId: customArg(raw, "followUpId"),
      shop: customArg(raw, "shop"),
      flow: customArg(raw, "flow"),
      step: customArg(raw, "step"),
      reason: text(raw.reason) ?? (event === "deferred" ? text(raw.response) : null),
      response: text(raw.response),
      status: text(raw.status),
      attempt: integer(raw.attempt),
      // Bounces without a type predate SendGrid's split into bounce/blocked: all were hard bounces.
      bounceType: event === "bounce" ? (bounceTypeRaw === "blocked" ? "blocked" : "bounce") : null,
      bounceClassification: text(raw.bounce_classification),
      url: text(raw.url),
      useragent,
      asmGroupId: integer(raw.asm_group_id),
      categories: Array.isArray(category) ? category.map(text).filter((c): c is string => !!c) : text(category) ? [text(category)!] : [],
      machineOpen: event === "open" && truthy(raw.sg_machine_open),
      openSource: event === "open" ? openSourceOf(raw) : null,
    },
  };
}

// The body of one Event Webhook POST: a JSON array of events.
export function parseSendGridEvents(items: unknown[]): ParsedSendGridBatch {
  const batch: ParsedSendGridBatch = { events: [], unknown: {}, unknownCount: 0, invalid: 0 };
  for (const item of items) {
    const parsed = parseSendGridEvent(item);
    if (parsed.kind === "event") batch.events.push(parsed.event);
    else if (parsed.kind === "unknown") {
      batch.unknown[parsed.type] = (batch.unknown[parsed.type] ?? 0) + 1;
      batch.unknownCount += 1;
    } else batch.invalid += 1;
  }
  return batch;
}

// SendGrid may post an event more than once; sg_event_id is its dedupe key. Events without one
// (old or test payloads) are keyed by message, type and second (and link, for clicks).
// Postmark's events are keyed by provider and their own identity, so no id of one provider can
// be taken for the other's.
export function dedupeKey(event: SendGridEvent): string {
  if (event.provider === "postmark") return `postmark:${event.providerKey}`;
  if (event.sgEventId) return event.sgEventId;
  const message = event.sgMessageId ?? `email:${event.email ?? ""}`;
  const parts = [message, event.event, String(event.timestamp)];
  if (event.event === "click" && event.url) parts.push(event.url);
  return `msg:${parts.join("|")}`;
}

export interface SuppressionThresholds {
  // Blocked bounces (the receiving server refused the message, not the address) before suppressing.
  blocks: number;
  // Deferrals of messages never delivered afterwards, before suppressing.
  deferrals: number;
  windowDays: number;
}

export const DEFAULT_SUPPRESSION_THRESHOLDS: SuppressionThresholds = { blocks: 3, deferrals: 10, windowDays: 30 };

export type SuppressionEffect =
  | { kind: "none" }
  // Suppress at once: the address is gone or the customer said no.
  | { kind: "suppress"; scope: SuppressionScope; reason: SuppressionReason; detail: string }
  // Suppress only once the shop has seen `counter` often enough for this address.
  | { kind: "count"; counter: "blocks" | "deferrals"; scope: SuppressionScope; reason: SuppressionReason }
  // The customer rejoined marketing emails: lift their marketing unsubscribe.
  | { kind: "lift"; scope: SuppressionScope; reason: SuppressionReason };

// SendGrid drops a message without trying when the address is on its own suppression lists;
// we mirror those so our own check stops the next send before it reaches SendGrid.
const DROP_REASONS: Record<string, { reason: SuppressionReason; detail: string }> = {
  "bounced address": { reason: "hard_bounce", detail: "SendGrid dropped the email: the address bounced before." },
  "spam reporting address": { reason: "spam_report", detail: "SendGrid dropped the email: the recipient reported spam before." },
  invalid: { reason: "invalid", detail: "SendGrid dropped the email: the address is invalid." },
};

export function suppressionEffect(event: SendGridEvent): SuppressionEffect {
  switch (event.event) {
    case "bounce":
      if (event.bounceType === "blocked") return { kind: "count", counter: "blocks", scope: "all", reason: "blocked" };
      return { kind: "suppress", scope: "all", reason: "hard_bounce", detail: describeBounce(event) };
    case "deferred":
      return { kind: "count", counter: "deferrals", scope: "all", reason: "blocked" };
    case "spamreport":
      return { kind: "suppress", scope: "all", reason: "spam_report", detail: "The recipient marked an email as spam." };
    case "unsubscribe":
      return { kind: "suppress", scope: "all", reason: "unsubscribed", detail: "The recipient unsubscribed from all emails." };
    case "group_unsubscribe":
      return {
        kind: "suppress",
        scope: "marketing",
        reason: "unsubscribed",
        detail: `The recipient unsubscribed from marketing emails${event.asmGroupId != null ? ` (group ${event.asmGroupId})` : ""}.`,
      };
    case "group_resubscribe":
      return { kind: "lift", scope: "marketing", reason: "unsubscribed" };
    case "dropped": {
      const mirrored = event.reason ? DROP_REASONS[event.reason.trim().toLowerCase()] : undefined;
      return mirrored ? { kind: "suppress", scope: "all", ...mirrored } : { kind: "none" };
    }
    default:
      return { kind: "none" };
  }
}

const MAX_DETAIL = 500;
const clip = (s: string, max = MAX_DETAIL) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

function describeBounce(event: SendGridEvent): string {
  const why = event.reason ?? (event.status ? `status ${event.status}` : "no reason given");
  return clip(`${why}${event.bounceClassification ? ` (${event.bounceClassification})` : ""}`);
}

const OPEN_SOURCES: Record<OpenSource, string> = {
  apple_mpp: "Opened (machine open: Apple Mail Privacy Protection)",
  gmail_proxy: "Opened (through Gmail's image proxy)",
  yahoo_proxy: "Opened (through Yahoo Mail's image proxy)",
  direct: "Opened",
};

// One line for the follow-up's timeline, written for the merchant.
export function describeEvent(event: SendGridEvent): string {
  switch (event.event) {
    case "processed":
      return "Accepted by SendGrid for delivery.";
    case "delivered":
      return clip(`Delivered${event.response ? `: ${event.response}` : "."}`);
    case "deferred":
      return clip(
        `Delayed by the receiving server${event.attempt ? ` (attempt ${event.attempt})` : ""}; SendGrid keeps trying` +
          `${event.reason ? `: ${event.reason}` : "."}`,
      );
    case "bounce":
      return event.bounceType === "blocked" ? `Blocked: ${describeBounce(event)}` : `Bounced: ${describeBounce(event)}`;
    case "dropped":
      return clip(`Dropped by SendGrid without sending: ${event.reason ?? "no reason given"}`);
    case "open":
      return OPEN_SOURCES[event.openSource ?? "direct"];
    case "click":
      return event.url ? clip(`Clicked ${event.url}`) : "Clicked a link.";
    case "spamreport":
      return "Marked as spam by the recipient.";
    case "unsubscribe":
      return "Unsubscribed from all emails.";
    case "group_unsubscribe":
      return `Unsubscribed from marketing emails${event.asmGroupId != null ? ` (group ${event.asmGroupId})` : ""}.`;
    case "group_resubscribe":
      return `Resubscribed to marketing emails${event.asmGroupId != null ? ` (group ${event.asmGroupId})` : ""}.`;
  }
}

// The fields kept beside the event's own columns. Not the IP address: we have no use for it.
export function eventDetail(event: SendGridEvent): Record<string, unknown> {
  const detail: Record<string, unknown> = {};
  const put = (key: string, value: unknown) => {
    if (value !== null && value !== undefined && !(Array.isArray(value) && value.length === 0)) detail[key] = value;
  };
  put("type", event.bounceType);
  put("bounce_classification", event.bounceClassification);
  put("status", event.status);
  put("response", event.response);
  put("attempt", event.attempt);
  put("url", event.url);
  put("useragent", event.useragent);
  put("open_source", event.openSource);
  put("asm_group_id", event.asmGroupId);
  put("category", event.categories);
  put("flow", event.flow);
  put("step", event.step);
  return detail;
}
