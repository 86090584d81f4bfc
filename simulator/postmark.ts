// A local stand-in for Postmark's Email API (POST /email) and its webhooks, strict as Postmark
// is: the server token in X-Postmark-Server-Token (401 otherwise), JSON only, the size limits
// (5 MB per body part, 10 MB per request), at most 50 recipients, a known message stream,
// Metadata and Headers in the shapes the API takes, inactive recipients refused (ErrorCode 406),
// and answers shaped as Postmark's: { To, SubmittedAt, MessageID, ErrorCode: 0, Message: "OK" },
// or { ErrorCode, Message } with 401, 413, 422, 429, 500 or 503.
// Webhooks go out as Postmark sends them: one JSON event per POST, with the basic-auth
// credentials of the webhook URL, retried while the receiver answers anything but 200 (a 403
// stops the retries, as at Postmark).

import { randomUUID } from "node:crypto";
import type http from "node:http";
import { createMailStandInCore, createWebhookQueue, serveMailStandIn } from "./mail-standin";

export const MAX_BODY_PART_BYTES = 5 * 1024 * 1024;
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;
export const MAX_RECIPIENTS = 50;
const TRACK_LINKS = ["None", "HtmlAndText", "HtmlOnly", "TextOnly"];

export interface PostmarkStandInMessage {
  messageId: string;
  from: string;
  to: string;
  subject: string;
  htmlBody?: string;
  textBody?: string;
  replyTo?: string;
  tag?: string;
  messageStream: string;
  metadata: Record<string, string>;
  headers: { Name: string; Value: string }[];
  trackOpens?: boolean;
  trackLinks?: string;
  receivedAt: string;
}

export interface PostmarkStandInRequest {
  status: number;
  errorCode: number;
  receivedAt: string;
}

export interface PostmarkStandInOptions {
  port?: number;
  host?: string;
  // Accepted server tokens. Default: any token but an empty one.
  serverTokens?: string[];
  messageStreams?: string[];
  // When set, From must be one of these addresses or on a listed "@domain" (ErrorCode 400 otherwise).
  verifiedSenders?: string[];
  // Addresses Postmark has marked inactive (ErrorCode 406).
  inactiveRecipients?: string[];
  // Where Delivery events go, with the credentials Postmark takes from the webhook URL.
  webhook?: { url: string; username: string; password: string; retryMs?: number };
  now?: () => Date;
}

export interface PostmarkStandIn {
  readonly url: string;
  readonly port: number;
  readonly messages: PostmarkStandInMessage[];
  readonly requests: PostmarkStandInRequest[];
  // Answers every send with this HTTP status for `ms` (429, 500, 503...).
  failFor(ms: number, status?: number): void;
  failNext(status: number, count?: number): void;
  // Holds the next answers; the email is still accepted after the wait, answered or not.
  delayNext(ms: number, count?: number): void;
  // While down, connections are dropped without an answer.
  setDown(down?: boolean): void;
  // Posts one webhook event as Postmark does (with the credentials); resolves to the receiver's status.
  postEvent(event: Record<string, unknown>, credentials?: { username: string; password: string }): Promise<number>;
  clear(): void;
  close(): Promise<void>;
}

type Answer = { status: number; body: Record<string, unknown> };
const error = (status: number, ErrorCode: number, Message: string): Answer => ({ status, body: { ErrorCode, Message } });
const invalid = (Message: string) => error(422, 300, Message);

const ADDRESS = /^[^\s@<>",]+@[^\s@<>",]+\.[^\s@<>",]+$/;

// "Name <a@b.c>", "\"Name, Jr\" <a@b.c>" or "a@b.c": the address, or null.
function addressOf(value: string): string | null {
  const angle = /<([^<>]+)>\s*$/.exec(value);
  const address = (angle ? angle[1] : value).trim();
  return ADDRESS.test(address) ? address.toLowerCase() : null;
}

// A comma-separated recipient field, commas inside quoted names kept.
function recipients(value: string): string[] {
  return value.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/).map((s) => s.trim()).filter(Boolean);
}

export async function startPostmarkStandIn(opts: PostmarkStandInOptions = {}): Promise<PostmarkStandIn> {
  const host = opts.host ?? "127.0.0.1";
  const now = opts.now ?? (() => new Date());
  const streams = new Set(opts.messageStreams ?? ["outbound"]);
  const inactive = new Set((opts.inactiveRecipients ?? []).map((a) => a.toLowerCase()));
  const core = createMailStandInCore<PostmarkStandInMessage, PostmarkStandInRequest, { status: number }>({ now });
  const { messages, requests } = core;

  const authorization = (c: { username: string; password: string }) => `Basic ${Buffer.from(`${c.username}:${c.password}`).toString("base64")}`;

  async function postEvent(event: Record<string, unknown>, credentials = opts.webhook): Promise<number> {
    if (!opts.webhook) throw new Error("the Postmark stand-in has no webhook URL");
    const headers: Record<string, string> = { "Content-Type": "application/json", "User-Agent": "Postmark" };
    if (credentials) headers.Authorization = authorization(credentials);
    const res = await fetch(opts.webhook.url, { method: "POST", headers, body: JSON.stringify(event) });
    await res.arrayBuffer();
    return res.status;
  }

  // One event per POST, in order; a failed one is posted again on the next tick.
  const webhook = opts.webhook
    ? createWebhookQueue<Record<string, unknown>>({
        everyMs: opts.webhook.retryMs ?? 500,
        async post(events) {
          let taken = 0;
          for (const event of events) {
            const status = await postEvent(event).catch(() => 0);
            if (status !== 200 && status !== 403) break;
            taken += 1;
          }
          return taken;
        },
      })
    : null;

  function pendingFailure(): Answer | null {
    const failure = core.takeFailure();
    return failure ? injected(failure.status) : null;
  }

  function injected(status: number): Answer {
    if (status === 429) return error(429, 429, "Rate limit exceeded.");
    if (status === 503) return error(503, 100, "Maintenance.");
    if (status === 401) return error(401, 10, "Bad or missing server or account API token.");
    return error(status, 0, "Internal Server Error.");
  }

  function sendEmail(req: http.IncomingMessage, bytes: Buffer | null): Answer {
    if (!bytes) return error(413, 0, "Request body too large; Postmark accepts 10 MB per email including attachments.");
    const failure = pendingFailure();
    if (failure) return failure;
    const token = req.headers["x-postmark-server-token"];
    const tokenText = Array.isArray(token) ? token[0] : token;
    if (!tokenText || !(opts.serverTokens ? opts.serverTokens.includes(tokenText) : tokenText.trim().length > 0)) {
      return error(401, 10, "Bad or missing server or account API token.");
    }
    const contentType = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
    if (contentType !== "application/json") return error(422, 409, "JSON request required: set Content-Type to application/json.");
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    } catch {
      return error(422, 402, "Invalid JSON.");
    }
    if (!body || typeof body !== "object" || Array.isArray(body)) return error(422, 403, "Incompatible JSON: the body must be one message object.");
    const m = body as Record<string, unknown>;
    const str = (k: string) => (m[k] === undefined || m[k] === null ? undefined : m[k]);
    for (const k of ["From", "To", "Cc", "Bcc", "Subject", "HtmlBody", "TextBody", "ReplyTo", "Tag", "MessageStream"]) {
      if (str(k) !== undefined && typeof m[k] !== "string") return error(422, 403, `Incompatible JSON: '${k}' must be a string.`);
    }
    const from = typeof m.From === "string" ? m.From : "";
    const fromAddress = addressOf(from);
    if (!fromAddress) return invalid(`Invalid 'From' address: '${from}'.`);
    if (opts.verifiedSenders && !opts.verifiedSenders.some((s) => (s.startsWith("@") ? fromAddress.endsWith(s.toLowerCase()) : s.toLowerCase() === fromAddress))) {
      return error(422, 400, `The 'From' address you supplied (${from}) is not a Sender Signature on your account. Please add and confirm this address in order to be able to use it in the 'From' field of your messages.`);
    }
    const to = recipients(typeof m.To === "string" ? m.To : "");
    const all = [...to, ...recipients(typeof m.Cc === "string" ? m.Cc : ""), ...recipients(typeof m.Bcc === "string" ? m.Bcc : "")];
    if (to.length === 0) return invalid("Zero recipients specified.");
    if (all.length > MAX_RECIPIENTS) return invalid(`Too many recipients: at most ${MAX_RECIPIENTS} across To, Cc and Bcc.`);
    const bad = all.find((r) => !addressOf(r));
    if (bad) return invalid(`Error parsing 'To': Illegal email address '${bad}'. It must contain the '@' symbol.`);
    if (typeof m.ReplyTo === "string" && m.ReplyTo && !addressOf(m.ReplyTo)) return invalid(`Invalid 'ReplyTo' address: '${m.ReplyTo}'.`);
    if (!m.Subject) return invalid("Subject is required.");
    if (!m.HtmlBody && !m.TextBody) return invalid("Provide either email TextBody or HtmlBody or both.");
    for (const k of ["HtmlBody", "TextBody"]) {
      if (typeof m[k] === "string" && Buffer.byteLength(m[k] as string) > MAX_BODY_PART_BYTES) return invalid(`'${k}' is larger than 5 MB.`);
    }
    const stream = typeof m.MessageStream === "string" && m.MessageStream ? m.MessageStream : "outbound";
    if (!streams.has(stream)) return invalid(`The message stream for the provided 'MessageStream' ('${stream}') was not found.`);
    if (m.TrackOpens !== undefined && typeof m.TrackOpens !== "boolean") return error(422, 403, "Incompatible JSON: 'TrackOpens' must be true or false.");
    if (m.TrackLinks !== undefined && !TRACK_LINKS.includes(m.TrackLinks as string)) return invalid(`'TrackLinks' must be one of ${TRACK_LINKS.join(", ")}.`);
    const headers = m.Headers ?? [];
    if (!Array.isArray(headers) || !headers.every((h) => h && typeof h.Name === "string" && h.Name && typeof h.Value === "string")) {
      return error(422, 403, "Incompatible JSON: 'Headers' must be a list of { Name, Value } strings.");
    }
    const metadata = m.Metadata ?? {};
    if (typeof metadata !== "object" || Array.isArray(metadata) || !Object.values(metadata).every((v) => typeof v === "string")) {
      return error(422, 403, "Incompatible JSON: 'Metadata' must be an object of string values.");
    }
    const keys = Object.keys(metadata).map((k) => k.toLowerCase());
    if (new Set(keys).size !== keys.length) return invalid("Metadata keys must be unique, whatever their case.");
    const inactiveFound = all.map(addressOf).filter((a): a is string => !!a && inactive.has(a));
    if (inactiveFound.length > 0) {
      return error(
        422,
        406,
        `You tried to send to recipient(s) that have been marked as inactive. Found inactive addresses: ${inactiveFound.join(", ")}. ` +
          "Inactive recipients are ones that have generated a hard bounce, a spam complaint, or a manual suppression.",
      );
    }

    const receivedAt = now().toISOString();
    const messageId = randomUUID();
    const message: PostmarkStandInMessage = {
      messageId,
      from,
      to: to.join(", "),
      subject: m.Subject as string,
      ...(typeof m.HtmlBody === "string" ? { htmlBody: m.HtmlBody } : {}),
      ...(typeof m.TextBody === "string" ? { textBody: m.TextBody } : {}),
      ...(typeof m.ReplyTo === "string" ? { replyTo: m.ReplyTo } : {}),
      ...(typeof m.Tag === "string" ? { tag: m.Tag } : {}),
      messageStream: stream,
      metadata: metadata as Record<string, string>,
      headers: headers as { Name: string; Value: string }[],
      ...(typeof m.TrackOpens === "boolean" ? { trackOpens: m.TrackOpens } : {}),
      ...(typeof m.TrackLinks === "string" ? { trackLinks: m.TrackLinks } : {}),
      receivedAt,
    };
    messages.push(message);
    webhook?.push(deliveryEvent(message));
    return { status: 200, body: { To: to.join(", "), SubmittedAt: receivedAt, MessageID: messageId, ErrorCode: 0, Message: "OK" } };
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://standin").pathname;
    const bytes = await readBody(req);
    if (path !== "/email") return respond(res, error(404, 0, "Not found."));
    if (req.method !== "POST") return respond(res, error(405, 0, "Method not allowed."));
    const receivedAt = now().toISOString();
    const delay = core.takeDelay();
    // Accepted whether or not the client is still waiting, as a real provider would.
    const answer = sendEmail(req, bytes);
    if (delay !== null) await core.wait(delay);
    requests.push({ status: answer.status, errorCode: Number(answer.body.ErrorCode ?? 0), receivedAt });
    respond(res, answer);
  }

  const server = await serveMailStandIn({
    host,
    port: opts.port ?? 0,
    isDown: () => core.down,
    handle,
    internalError: (res) => respond(res, error(500, 0, "Internal Server Error.")),
  });

  return {
    url: server.url,
    port: server.port,
    messages,
    requests,
    failFor(ms, status = 503) {
      core.failFor(ms, status);
    },
    failNext(status, count = 1) {
      core.failNext({ status, count });
    },
    delayNext(ms, count = 1) {
      core.delayNext(ms, count);
    },
    setDown(value = true) {
      core.setDown(value);
    },
    postEvent,
    clear() {
      core.clear();
      webhook?.clear();
    },
    close() {
      webhook?.stop();
      core.stopTimers();
      return server.close();
    },
  };
}

function respond(res: http.ServerResponse, answer: Answer): void {
  if (res.destroyed || res.writableEnded) return;
  const body = Buffer.from(JSON.stringify(answer.body));
  res.writeHead(answer.status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": String(body.length) });
  res.end(body);
}

function readBody(req: http.IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.on("end", () => resolve(size <= MAX_REQUEST_BYTES ? Buffer.concat(chunks) : null));
    req.on("error", reject);
  });
}

// Webhook payloads as Postmark sends them (the fields of the Node client's *Webhook types).
export function deliveryEvent(m: PostmarkStandInMessage, at = new Date()): Record<string, unknown> {
  return {
    RecordType: "Delivery",
    ServerID: 23,
    MessageStream: m.messageStream,
    MessageID: m.messageId,
    Recipient: addressOf(m.to) ?? m.to,
    Tag: m.tag ?? "",
    DeliveredAt: at.toISOString(),
    Details: "Test delivery webhook details",
    Metadata: m.metadata,
  };
}

let bounceIds = 4_323_372_036;

export function bounceEvent(
  m: PostmarkStandInMessage,
  { type = "HardBounce", typeCode = 1, inactive = true, at = new Date(), recordType = "Bounce" }: { type?: string; typeCode?: number; inactive?: boolean; at?: Date; recordType?: "Bounce" | "SpamComplaint" } = {},
): Record<string, unknown> {
  return {
    RecordType: recordType,
    ID: bounceIds++,
    Type: type,
    TypeCode: typeCode,
    Name: type,
    Tag: m.tag ?? "",
    MessageID: m.messageId,
    ServerID: 23,
    MessageStream: m.messageStream,
    Description: recordType === "SpamComplaint" ? "The subscriber explicitly marked this message as spam." : "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
    Details: "Test bounce details",
    Email: addressOf(m.to) ?? m.to,
    From: m.from,
    BouncedAt: at.toISOString(),
    DumpAvailable: false,
    Inactive: inactive,
    CanActivate: true,
    Subject: m.subject,
    Metadata: m.metadata,
  };
}

export function openEvent(m: PostmarkStandInMessage, at = new Date()): Record<string, unknown> {
  return {
    RecordType: "Open",
    FirstOpen: true,
    Client: { Name: "Chrome 35.0.1916.153", Company: "Google", Family: "Chrome" },
    OS: { Name: "OS X 10.7 Lion", Company: "Apple Computer, Inc.", Family: "OS X 10" },
    Platform: "WebMail",
    UserAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_7_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/35.0.1916.153 Safari/537.36",
    ReadSeconds: 5,
    Geo: {},
    MessageID: m.messageId,
    MessageStream: m.messageStream,
    ReceivedAt: at.toISOString(),
    Tag: m.tag ?? "",
    Recipient: addressOf(m.to) ?? m.to,
    Metadata: m.metadata,
  };
}

export function clickEvent(m: PostmarkStandInMessage, link: string, at = new Date()): Record<string, unknown> {
  return {
    RecordType: "Click",
    ClickLocation: "HTML",
    Client: { Name: "Chrome 35.0.1916.153", Company: "Google", Family: "Chrome" },
    OS: { Name: "OS X 10.7 Lion", Company: "Apple Computer, Inc.", Family: "OS X 10" },
    Platform: "Desktop",
    UserAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_7_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/35.0.1916.153 Safari/537.36",
    OriginalLink: link,
    Geo: {},
    MessageID: m.messageId,
    MessageStream: m.messageStream,
    ReceivedAt: at.toISOString(),
    Tag: m.tag ?? "",
    Recipient: addressOf(m.to) ?? m.to,
    Metadata: m.metadata,
  };
}
