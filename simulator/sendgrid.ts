// A local stand-in for SendGrid's v3 Mail Send API (POST /v3/mail/send).
// It answers as SendGrid does: the same status codes, headers, error bodies, messages and
// field paths, so the real @sendgrid/mail client and our transport can be tested offline.
// Messages and limits follow SendGrid's published Mail Send reference and error table.

import { randomBytes, type KeyObject } from "node:crypto";
import type http from "node:http";
import { createMailStandInCore, createWebhookQueue, serveMailStandIn } from "./mail-standin";
import { createWhitelabel, type StandInAuthenticatedDomain, type StandInLinkBranding } from "./sendgrid-domains";
import { postSignedEvents, sampleEvents, type SampleEvent } from "./sendgrid-events";

export interface StandInAddress {
  email: string;
  name?: string;
}

export interface StandInContent {
  type: string;
  value: string;
}

// One accepted mail. SendGrid sends one email per personalization, so a request with
// three personalizations becomes three messages sharing the request's X-Message-Id.
export interface StandInMessage {
  messageId: string;
  personalizationIndex: number;
  from: StandInAddress;
  to: StandInAddress[];
  cc: StandInAddress[];
  bcc: StandInAddress[];
  replyTo?: StandInAddress;
  subject: string;
  text?: string;
  html?: string;
  content: StandInContent[];
  // Message-level custom_args merged with the personalization's, as SendGrid merges them.
  customArgs: Record<string, string>;
  categories: string[];
  // Message-level headers merged with the personalization's.
  headers: Record<string, string>;
  asm?: { group_id: number; groups_to_display?: number[] };
  ipPoolName?: string;
  sendAt?: number;
  templateId?: string;
  batchId?: string;
  receivedAt: string;
  // The request body exactly as received.
  raw: string;
}

export interface StandInRequest {
  method: string;
  path: string;
  status: number;
  receivedAt: string;
  messageId?: string;
}

export interface StandInFailure {
  status: number;
  count?: number;
  // For 429: seconds until X-RateLimit-Reset. Defaults to 1.
  resetInSeconds?: number;
  // Replaces the body SendGrid would send for this status.
  body?: string;
}

export interface SendGridStandInOptions {
  port?: number;
  host?: string;
  // Accepted API keys. Default: any key starting with "SG.".
  apiKeys?: string[];
  // When set, `from` must be one of these addresses, or an address on a listed "@domain";
  // otherwise 403 as for an unverified Sender Identity.
  verifiedSenders?: string[];
  // X-RateLimit-Limit reported on 429 answers.
  rateLimit?: number;
  now?: () => Date;
  // SendGrid's signed Event Webhook: every accepted message's processed and delivered events,
  // posted in batches every batchMs (default 1 s) and posted again while the receiver fails.
  eventWebhook?: { url: string; privateKey: KeyObject; batchMs?: number };
  // Where Domain Authentication and Link Branding validation look records up (default: the
  // system's resolvers), e.g. the test DNS server of simulator/dns-server.ts.
  dnsServers?: string[];
}

export interface SendGridStandIn {
  // Base URL for the @sendgrid client's baseUrl, e.g. http://127.0.0.1:4010
  readonly url: string;
  readonly port: number;
  readonly messages: StandInMessage[];
  // Every request to /v3/mail/send with the status it got; shows retries and duplicates.
  readonly requests: StandInRequest[];
  failNext(failure: StandInFailure): void;
  failFor(ms: number, status?: number): void;
  delayNext(ms: number, count?: number): void;
  // While down, connections are dropped without an answer (the client sees "socket hang up").
  setDown(down?: boolean): void;
  // Authenticated domains and link brandings created through /v3/whitelabel/, by id.
  readonly authenticatedDomains: Map<number, StandInAuthenticatedDomain>;
  readonly linkBrandings: Map<number, StandInLinkBranding>;
  // Every /v3/whitelabel/ call answered (after the API key was accepted), oldest first.
  readonly whitelabelCalls: Array<{ method: string; path: string; status: number }>;
  // Forgets messages, requests, domains and any failures, delays or downtime still pending.
  clear(): void;
  close(): Promise<void>;
}

export interface SendGridError {
  message: string;
  field: string | null;
  help: string | null;
}

// SendGrid: "The total size of your email, including attachments, must be less than 30MB."
export const MAX_REQUEST_BYTES = 30 * 1024 * 1024;
export const MAX_PERSONALIZATIONS = 1000;
export const MAX_RECIPIENTS = 1000;
export const MAX_CATEGORIES = 10;
export const MAX_CATEGORY_LENGTH = 255;
export const MAX_CUSTOM_ARGS_BYTES = 10_000;
export const MAX_EMAIL_LENGTH = 320;
export const MAX_SCHEDULE_AHEAD_SECONDS = 72 * 60 * 60;

// SendGrid's list of header keys that may not be set through `headers`.
export const RESERVED_HEADERS = [
  "x-sg-id",
  "x-sg-eid",
  "received",
  "dkim-signature",
  "content-type",
  "content-transfer-encoding",
  "to",
  "from",
  "subject",
  "reply-to",
  "cc",
  "bcc",
];

const MAIL_SEND_PATH = "/v3/mail/send";
// The stand-in's own inspection endpoint; SendGrid has nothing like it.
const STANDIN_MESSAGES_PATH = "/__standin/messages";

const HELP_BASE = "http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html#";
const help = (anchor: string) => HELP_BASE + anchor;

const FROM_REQUIRED =
  'The from object must be provided for every email send. It is an object that requires the email parameter, but may also contain a name parameter.  e.g. {"email" : "example@example.com"}  or {"email" : "example@example.com", "name" : "Example Recipient"}.';
const TO_REQUIRED =
  "The to array is required for all personalization objects, and must have at least one email object with a valid email address.";
const SUBJECT_REQUIRED =
  "The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.";
const CONTENT_REQUIRED =
  "Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block. We typically suggest both text/plain and text/html blocks are included, but only one block is required.";
const CONTENT_ORDER =
  "Following RFC 1341, section 7.2, if either text/html or text/plain are to be sent in your email: text/plain needs to be first, followed by text/html, followed by any other content.";
const SENDER_IDENTITY =
  "The from address does not match a verified Sender Identity. Mail cannot be sent until this error is resolved. Visit https://sendgrid.com/docs/for-developers/sending-email/sender-identity/ to see the Sender Identity requirements";

const CORS_HEADERS: Record<string, string> = {
  Server: "nginx",
  "Access-Control-Allow-Origin": "https://sendgrid.api-docs.io",
  "Access-Control-Allow-Methods": "POST",
  "Access-Control-Allow-Headers": "Authorization, Content-Type, On-behalf-of, x-sg-elas-acl",
  "Access-Control-Max-Age": "600",
  "X-No-CORS-Reason": "https://sendgrid.com/docs/Classroom/Basics/API/cors.html",
};

const REASONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  413: "Request Entity Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Temporarily Unavailable",
  504: "Gateway Time-out",
};

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body: string;
  messageId?: string;
}

function jsonAnswer(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
  return { status, headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body) };
}

function errorsAnswer(status: number, errors: SendGridError[]): Answer {
  return jsonAnswer(status, { errors });
}

// What nginx in front of SendGrid answers for oversized bodies and unreachable upstreams.
function nginxPage(status: number): Answer {
  const title = `${status} ${REASONS[status] ?? "Error"}`;
  return {
    status,
    headers: { "Content-Type": "text/html" },
    body: `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
  };
}

// SendGrid's X-Message-Id: 22 URL-safe base64 characters, e.g. "moW00FY9Sqyr2r5ekgRDLg".
export function newSendGridMessageId(): string {
  return randomBytes(16).toString("base64url");
}

const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uFFFF-]+$/;
const DOMAIN_LABEL = /^[A-Za-z0-9\u0080-\uFFFF](?:[A-Za-z0-9\u0080-\uFFFF-]{0,61}[A-Za-z0-9\u0080-\uFFFF])?$/;

// An addr-spec with a dotted domain; SendGrid refuses bare hosts such as "user@localhost".
export function isValidEmailAddress(value: string): boolean {
  if (value.length === 0 || value !== value.trim()) return false;
  const at = value.lastIndexOf("@");
  if (at <= 0 || at === value.length - 1) return false;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (local.length > 64 || domain.length > 255) return false;
  if (local.split(".").some((atom) => !LOCAL_PART.test(atom))) return false;
  const labels = domain.split(".");
  if (labels.length < 2 || labels.some((label) => !DOMAIN_LABEL.test(label))) return false;
  return !/^[0-9]+$/.test(labels[labels.length - 1]);
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function isObject(value: unknown): value is Record<string, Json> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isAscii(value: string): boolean {
  return [...value].every((c) => c.charCodeAt(0) < 0x80);
}

interface Validation {
  errors: SendGridError[];
  add(message: string, field: string | null, anchor: string | null): void;
  // SendGrid's schema check for a value of the wrong JSON type; false when it fired.
  type(value: unknown, expected: "object" | "array" | "string" | "integer", field: string, anchor: string): boolean;
}

function newValidation(): Validation {
  const errors: SendGridError[] = [];
  return {
    errors,
    add(message, field, anchor) {
      errors.push({ message, field, help: anchor ? help(anchor) : null });
    },
    type(value, expected, field, anchor) {
      const given = jsonType(value);
      if (given === expected) return true;
      errors.push({ message: `Invalid type. Expected: ${expected}, given: ${given}.`, field, help: help(anchor) });
      return false;
    },
  };
}

type RecipientKind = "to" | "cc" | "bcc";

function checkAddress(
  v: Validation,
  value: unknown,
  field: string,
  anchor: string,
  invalidMessage: string,
  tooLongLabel: string,
): value is StandInAddress {
  if (!isObject(value) || typeof value.email !== "string" || value.email.length === 0) {
    v.add(invalidMessage, field, anchor);
    return false;
  }
  if (value.email.length > MAX_EMAIL_LENGTH) {
    v.add(`The ${tooLongLabel} email exceeds the maximum total length of ${MAX_EMAIL_LENGTH} characters`, field, anchor);
    return false;
  }
  if (!isValidEmailAddress(value.email)) {
    v.add(invalidMessage, field, anchor);
    return false;
  }
  return true;
}

function checkHeaders(v: Validation, headers: unknown, field: string, anchor: string): void {
  if (headers === undefined) return;
  if (!v.type(headers, "object", field, anchor)) return;
  const seen = new Set<string>();
  let reservedReported = false;
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (typeof value !== "string") v.add("The header values must be strings.", field, anchor);
    if (!isAscii(key) || /\s/.test(key) || key.length === 0) {
      v.add("Header keys cannot contain non-ASCII characters and empty spaces.", field, anchor);
    }
    const lower = key.toLowerCase();
    if (seen.has(lower)) v.add("The headers cannot contain duplicate keys.", field, anchor);
    seen.add(lower);
    if (RESERVED_HEADERS.includes(lower) && !reservedReported) {
      v.add("Header can not be one of the reserved keys.", field, anchor);
      reservedReported = true;
    }
  }
}

function checkCustomArgsValues(v: Validation, args: unknown, field: string, anchor: string): args is Record<string, string> {
  if (args === undefined) return true;
  if (!v.type(args, "object", field, anchor)) return false;
  const values = Object.values(args as Record<string, unknown>);
  if (values.length === 0) {
    v.add("custom_args cannot be empty.", field, anchor);
    return false;
  }
  if (values.some((value) => typeof value !== "string")) {
    v.add("All values of custom arguments object must be strings", field, anchor);
    return false;
  }
  return true;
}

function checkSendAt(v: Validation, sendAt: unknown, field: string, anchor: string, nowSeconds: number): void {
  if (sendAt === undefined) return;
  if (typeof sendAt !== "number" || !Number.isInteger(sendAt)) {
    v.add(
      "The send_at parameter is expecting a Unix timestamp as an integer. We will send immediately if you include a send_at timestamp that is in the past.",
      field,
      anchor,
    );
    return;
  }
  if (sendAt - nowSeconds > MAX_SCHEDULE_AHEAD_SECONDS) {
    v.add("Scheduling more than 72 hours in advance is forbidden.", field, anchor);
  }
}

// Validates a Mail Send body and collects every error, as SendGrid answers them all at once.
export function validateMailSend(body: unknown, now: Date = new Date()): SendGridError[] {
  const v = newValidation();
  if (!isObject(body)) {
    v.add("Bad Request", null, null);
    return v.errors;
  }
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const hasTemplate = typeof body.template_id === "string" && body.template_id.length > 0;
  if (body.template_id !== undefined && typeof body.template_id !== "string") {
    v.add(`The template ID must be a string, you provided ${JSON.stringify(body.template_id)}.`, "template_id", "message.template_id");
  }

  // personalizations
  const personalizations = body.personalizations;
  let everyPersonalizationHasSubject = false;
  if (personalizations === undefined || (Array.isArray(personalizations) && personalizations.length === 0)) {
    v.add(
      "The personalizations field is required and must have at least one personalization.",
      "personalizations",
      "-Personalizations-Errors",
    );
  } else if (v.type(personalizations, "array", "personalizations", "-Personalizations-Errors")) {
    const list = personalizations as Json[];
    if (list.length > MAX_PERSONALIZATIONS) {
      v.add(
        `The personalization block is limited to ${MAX_PERSONALIZATIONS} personalizations per API request. You have provided ${list.length} personalizations. Please consider splitting this into multiple requests and resending your request.`,
        "personalizations",
        "-Personalizations-Errors",
      );
    } else {
      let recipients = 0;
      everyPersonalizationHasSubject = true;
      list.forEach((p, i) => {
        const base = `personalizations.${i}`;
        if (!v.type(p, "object", base, "-Personalizations-Errors")) {
          everyPersonalizationHasSubject = false;
          return;
        }
        const personalization = p as Record<string, Json>;
        const seen = new Map<string, RecipientKind>();
        let duplicate: { email: string; kind: RecipientKind } | null = null;
        for (const kind of ["to", "cc", "bcc"] as const) {
          const addresses = personalization[kind];
          const field = `${base}.${kind}`;
          const anchor = `message.personalizations.${kind}`;
          if (addresses === undefined) {
            if (kind === "to") v.add(TO_REQUIRED, field, anchor);
            continue;
          }
          if (!Array.isArray(addresses) || addresses.length === 0) {
            if (kind === "to") v.add(TO_REQUIRED, field, anchor);
            else if (!v.type(addresses, "array", field, anchor)) continue;
            else
              v.add(
                `The ${kind} array, when used, must at least have an email parameter with a valid email address and it may also contain a name parameter. e.g. {"email" : "example@example.com"}  or {"email" : "example@example.com", "name" : "Example Recipient"}.`,
                field,
                anchor,
              );
            continue;
          }
          recipients += addresses.length;
          addresses.forEach((recipient, j) => {
            const label = kind === "to" ? "To" : kind.toUpperCase();
            if (!checkAddress(v, recipient, `${field}.${j}.email`, anchor, "Does not contain a valid address.", label)) return;
            const key = recipient.email.toLowerCase();
            if (seen.has(key) && !duplicate) duplicate = { email: recipient.email, kind };
            seen.set(key, kind);
          });
        }
        if (duplicate) {
          const { email, kind } = duplicate as { email: string; kind: RecipientKind };
          v.add(
            `Each email address in the personalization block should be unique between to, cc, and bcc. We found the first duplicate instance of [${email}] in the personalizations.${i}.${kind} field.`,
            base,
            "message.recipient-errors",
          );
        }
        if (personalization.from !== undefined) {
          checkAddress(v, personalization.from, `${base}.from.email`, "message.from", "The from email does not contain a valid address.", "From");
        }
        if (personalization.subject === undefined) {
          everyPersonalizationHasSubject = false;
        } else if (typeof personalization.subject !== "string" || personalization.subject.length === 0) {
          everyPersonalizationHasSubject = false;
          v.add(
            "The subject of your email must be a string at least one character in length.",
            `${base}.subject`,
            "message.personalizations.subject",
          );
        }
        checkHeaders(v, personalization.headers, `${base}.headers`, "message.personalizations.headers");
        const argsOk = checkCustomArgsValues(v, personalization.custom_args, `${base}.custom_args`, "message.personalizations.custom_args");
        if (argsOk && (body.custom_args === undefined || isObject(body.custom_args))) {
          const merged = { ...((body.custom_args as object) ?? {}), ...((personalization.custom_args as object) ?? {}) };
          if (Buffer.byteLength(JSON.stringify(merged), "utf8") > MAX_CUSTOM_ARGS_BYTES) {
            v.add(
              "The combined size of both global and personalization custom arguments may not exceed 10,000 bytes per personalization.",
              `${base}.custom_args`,
              "message.personalizations.custom_args",
            );
          }
        }
        checkSendAt(v, personalization.send_at, `${base}.send_at`, "message.personalizations.send_at", nowSeconds);
      });
      if (recipients > MAX_RECIPIENTS) {
        v.add(
          `There is a limit of ${MAX_RECIPIENTS} total recipients (to + cc + bcc) per request.`,
          "personalizations",
          "-Personalizations-Errors",
        );
      }
    }
  }

  // from
  if (body.from === undefined || (isObject(body.from) && (body.from.email === undefined || body.from.email === ""))) {
    v.add(FROM_REQUIRED, "from.email", "message.from");
  } else if (v.type(body.from, "object", "from", "message.from")) {
    checkAddress(v, body.from, "from.email", "message.from", "The from email does not contain a valid address.", "From");
  }

  // reply_to and reply_to_list
  if (body.reply_to !== undefined && v.type(body.reply_to, "object", "reply_to", "message.reply_to")) {
    checkAddress(v, body.reply_to, "reply_to.email", "message.reply_to", "The reply_to email does not contain a valid address.", "Reply-To");
  }
  if (body.reply_to_list !== undefined && v.type(body.reply_to_list, "array", "reply_to_list", "message.reply_to_list")) {
    (body.reply_to_list as Json[]).forEach((entry, i) => {
      checkAddress(v, entry, `reply_to_list.${i}.email`, "message.reply_to_list", "Does not contain a valid address.", "Reply-To");
    });
  }

  // subject
  if (body.subject !== undefined && body.subject !== "" && typeof body.subject !== "string") {
    v.add("The subject of your email must be a string at least one character in length.", "subject", "message.subject");
  } else if (!hasTemplate && !everyPersonalizationHasSubject && (typeof body.subject !== "string" || body.subject === "")) {
    v.add(SUBJECT_REQUIRED, "subject", "message.subject");
  }

  // content
  const content = body.content;
  if (content === undefined || (Array.isArray(content) && content.length === 0)) {
    if (!hasTemplate) v.add(CONTENT_REQUIRED, "content", "message.content");
  } else if (v.type(content, "array", "content", "message.content")) {
    const blocks = content as Json[];
    const types: string[] = [];
    blocks.forEach((block, i) => {
      if (!v.type(block, "object", `content.${i}`, "message.content")) return;
      const { type, value } = block as Record<string, Json>;
      if (typeof type !== "string" || type.length === 0) {
        v.add("A content type is required, this tells email clients how to display the email.", `content.${i}.type`, "message.content.type");
      } else {
        if (/[;\r\n]/.test(type)) v.add("Cannot contain ';', or CRLF characters.", `content.${i}.type`, "message.content.type");
        types.push(type.toLowerCase());
      }
      if (typeof value !== "string" || value.length === 0) {
        v.add("The content value must be a string at least one character in length.", `content.${i}.value`, "message.content.value");
      }
    });
    const plain = types.filter((t) => t === "text/plain").length;
    const html = types.filter((t) => t === "text/html").length;
    const expectedHead = [...(plain ? ["text/plain"] : []), ...(html ? ["text/html"] : [])];
    const orderOk = plain <= 1 && html <= 1 && expectedHead.every((t, i) => types[i] === t);
    if (!orderOk) v.add(CONTENT_ORDER, "content", "message.content.value");
  }

  // custom_args (message level; per personalization size checked above)
  checkCustomArgsValues(v, body.custom_args, "custom_args", "message.custom_args");

  // categories
  if (body.categories !== undefined && v.type(body.categories, "array", "categories", "message.categories")) {
    const categories = body.categories as Json[];
    if (categories.length > MAX_CATEGORIES) {
      v.add(
        `There is a limit of ${MAX_CATEGORIES} categories for each email that is sent. You provided ${categories.length} categories.`,
        "categories",
        "message.categories",
      );
    }
    if (categories.some((c) => typeof c !== "string")) {
      v.add("Categories must be an array of strings.", "categories", "message.categories");
    }
    const seen = new Set<string>();
    for (const category of categories) {
      if (typeof category !== "string") continue;
      if (category.length > MAX_CATEGORY_LENGTH) {
        v.add(
          `Each category must not be longer than ${MAX_CATEGORY_LENGTH} characters. ${category} exceeds this limit`,
          "categories",
          "message.categories",
        );
      }
      if (!isAscii(category)) v.add("Categories can not contain non-ASCII characters.", "categories", "message.categories");
      if (seen.has(category)) {
        v.add(
          `The categories must be a unique list, and you have included ${category} more than once.`,
          "categories",
          "message.categories",
        );
      }
      seen.add(category);
    }
  }

  checkHeaders(v, body.headers, "headers", "message.headers");
  checkSendAt(v, body.send_at, "send_at", "message.send_at", nowSeconds);

  if (body.batch_id !== undefined && typeof body.batch_id !== "string") {
    v.add("The batch_id must be a string.", "batch_id", "message.batch_id");
  }
  if (body.ip_pool_name !== undefined && typeof body.ip_pool_name !== "string") {
    v.add("The name of your IP pool must be a string.", "ip_pool_name", "message.ip_pool_name");
  }
  if (body.asm !== undefined && v.type(body.asm, "object", "asm", "message.asm.group_id")) {
    const asm = body.asm as Record<string, Json>;
    if (typeof asm.group_id !== "number" || !Number.isInteger(asm.group_id)) {
      v.add("The ASM group ID must be an integer.", "asm.group_id", "message.asm.group_id");
    }
    if (asm.groups_to_display !== undefined) {
      const groups = asm.groups_to_display;
      if (!Array.isArray(groups) || groups.some((g) => typeof g !== "number" || !Number.isInteger(g))) {
        v.add("The ASM Group IDs to display must be an array of integers.", "asm.groups_to_display", "message.asm.groups_to_display");
      } else if (groups.length > 25) {
        v.add(
          "There is a limit of 25 unsubscribe groups that can be displayed to a user at a time.",
          "asm.groups_to_display",
          "message.asm.groups_to_display",
        );
      }
    }
  }
  return v.errors;
}

function toAddress(value: Json | undefined): StandInAddress | undefined {
  if (!isObject(value) || typeof value.email !== "string") return undefined;
  return typeof value.name === "string" && value.name !== "" ? { email: value.email, name: value.name } : { email: value.email };
}

function toAddresses(value: Json | undefined): StandInAddress[] {
  return Array.isArray(value) ? value.map(toAddress).filter((a): a is StandInAddress => !!a) : [];
}

function toMessages(body: Record<string, Json>, raw: string, messageId: string, receivedAt: string): StandInMessage[] {
  const content = ((body.content as Json[] | undefined) ?? []).map((block) => {
    const { type, value } = block as Record<string, string>;
    return { type, value };
  });
  const text = content.find((c) => c.type.toLowerCase() === "text/plain")?.value;
  const html = content.find((c) => c.type.toLowerCase() === "text/html")?.value;
  return (body.personalizations as Record<string, Json>[]).map((p, index) => {
    const message: StandInMessage = {
      messageId,
      personalizationIndex: index,
      from: toAddress(p.from ?? body.from)!,
      to: toAddresses(p.to),
      cc: toAddresses(p.cc),
      bcc: toAddresses(p.bcc),
      subject: (p.subject as string | undefined) ?? (body.subject as string | undefined) ?? "",
      content,
      customArgs: { ...(body.custom_args as Record<string, string>), ...(p.custom_args as Record<string, string>) },
      categories: (body.categories as string[] | undefined) ?? [],
      headers: { ...(body.headers as Record<string, string>), ...(p.headers as Record<string, string>) },
      receivedAt,
      raw,
    };
    const replyTo = toAddress(body.reply_to);
    if (replyTo) message.replyTo = replyTo;
    if (text !== undefined) message.text = text;
    if (html !== undefined) message.html = html;
    if (isObject(body.asm)) message.asm = body.asm as unknown as StandInMessage["asm"];
    if (typeof body.ip_pool_name === "string") message.ipPoolName = body.ip_pool_name;
    const sendAt = p.send_at ?? body.send_at;
    if (typeof sendAt === "number") message.sendAt = sendAt;
    if (typeof body.template_id === "string") message.templateId = body.template_id;
    if (typeof body.batch_id === "string") message.batchId = body.batch_id;
    return message;
  });
}

function isSandbox(body: Record<string, Json>): boolean {
  const settings = body.mail_settings;
  if (!isObject(settings) || !isObject(settings.sandbox_mode)) return false;
  return settings.sandbox_mode.enable === true;
}

function senderIsVerified(email: string, verified: string[]): boolean {
  const address = email.toLowerCase();
  const domain = address.slice(address.lastIndexOf("@"));
  return verified.some((entry) => {
    const e = entry.toLowerCase();
    return e.startsWith("@") ? e === domain : e === address;
  });
}

function readBody(req: http.IncomingMessage): Promise<{ bytes: Buffer | null; size: number }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      // Past the limit keep draining so the client can read our 413, but stop buffering.
      if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.on("end", () => resolve({ bytes: size <= MAX_REQUEST_BYTES ? Buffer.concat(chunks) : null, size }));
    req.on("error", reject);
  });
}

export async function startSendGridStandIn(opts: SendGridStandInOptions = {}): Promise<SendGridStandIn> {
  const host = opts.host ?? "127.0.0.1";
  const now = opts.now ?? (() => new Date());
  const rateLimit = opts.rateLimit ?? 600;
  const core = createMailStandInCore<StandInMessage, StandInRequest, StandInFailure>({ now });
  const { messages, requests } = core;
  const whitelabel = createWhitelabel({ dnsServers: opts.dnsServers });

  // Event Webhook: everything waiting, in one signed batch; a failed batch is posted again whole.
  const eventWebhook = opts.eventWebhook;
  const webhook = eventWebhook
    ? createWebhookQueue<SampleEvent>({
        everyMs: eventWebhook.batchMs ?? 1_000,
        async post(events) {
          const batch = [...events];
          const res = await postSignedEvents(eventWebhook.url, batch, { privateKey: eventWebhook.privateKey, timestamp: now() });
          return res.ok ? batch.length : 0;
        },
      })
    : null;
  function queueEvents(accepted: StandInMessage[]): void {
    if (!webhook) return;
    for (const m of accepted) {
      const args = m.customArgs;
      const events = sampleEvents({
        followUpId: args.followUpId ?? "",
        shop: args.shop ?? "",
        flow: args.flow,
        step: args.step,
        messageId: m.messageId,
        email: m.to[0]?.email ?? "",
        at: now(),
      });
      webhook.push(events.processed, events.delivered);
    }
  }

  const acceptsKey = (key: string) => (opts.apiKeys ? opts.apiKeys.includes(key) : key.startsWith("SG."));

  // Every v3 endpoint wants "Authorization: Bearer <key>".
  function unauthorized(req: http.IncomingMessage): Answer | null {
    const authorization = req.headers.authorization;
    if (!authorization) return jsonAnswer(401, { errors: [{ field: null, message: "authorization required" }] });
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match || !acceptsKey(match[1])) {
      return errorsAnswer(401, [{ message: "The provided authorization grant is invalid, expired, or revoked", field: null, help: null }]);
    }
    return null;
  }

  function rateLimited(resetAtSeconds: number, body?: string): Answer {
    const headers = {
      "X-RateLimit-Limit": String(rateLimit),
      "X-RateLimit-Remaining": "0",
      "X-RateLimit-Reset": String(resetAtSeconds),
    };
    if (body !== undefined) return { status: 429, headers: { "Content-Type": "application/json", ...headers }, body };
    return jsonAnswer(429, { errors: [{ field: null, message: "too many requests" }] }, headers);
  }

  function injected(status: number, resetAtSeconds: number, body?: string): Answer {
    if (status === 429) return rateLimited(resetAtSeconds, body);
    if (body !== undefined) return { status, headers: { "Content-Type": "application/json" }, body };
    switch (status) {
      case 400:
        return errorsAnswer(400, [{ message: "Bad Request", field: null, help: null }]);
      case 401:
        return errorsAnswer(401, [{ message: "The provided authorization grant is invalid, expired, or revoked", field: null, help: null }]);
      case 403:
        return errorsAnswer(403, [{ message: "access forbidden", field: null, help: null }]);
      case 413:
      case 502:
      case 503:
      case 504:
        return nginxPage(status);
      default:
        if (status >= 500) return errorsAnswer(status, [{ message: "Internal server error", field: null, help: null }]);
        return errorsAnswer(status, [{ message: REASONS[status] ?? "error", field: null, help: null }]);
    }
  }

  function pendingFailure(): Answer | null {
    const taken = core.takeFailure();
    if (!taken) return null;
    if (!taken.failure) return injected(taken.status, Math.ceil(taken.until / 1000));
    return injected(taken.status, Math.floor(taken.at / 1000) + (taken.failure.resetInSeconds ?? 1), taken.failure.body);
  }

  function mailSend(req: http.IncomingMessage, bytes: Buffer | null): Answer {
    if (!bytes) return nginxPage(413);
    const injectedAnswer = pendingFailure();
    if (injectedAnswer) return injectedAnswer;

    const refused = unauthorized(req);
    if (refused) return refused;

    const contentType = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
    if (contentType !== "application/json") {
      return errorsAnswer(415, [{ message: "Content-Type should be application/json.", field: null, help: null }]);
    }

    let raw: string;
    try {
      raw = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      return errorsAnswer(415, [{ message: "Invalid UTF8 in request", field: null, help: null }]);
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return errorsAnswer(400, [{ message: "Bad Request", field: null, help: null }]);
    }

    const errors = validateMailSend(body, now());
    if (errors.length > 0) return errorsAnswer(400, errors);
    const mail = body as Record<string, Json>;

    if (opts.verifiedSenders) {
      const senders = [mail.from, ...(mail.personalizations as Record<string, Json>[]).map((p) => p.from)]
        .map(toAddress)
        .filter((a): a is StandInAddress => !!a);
      if (senders.some((s) => !senderIsVerified(s.email, opts.verifiedSenders!))) {
        return errorsAnswer(403, [{ message: SENDER_IDENTITY, field: "from", help: null }]);
      }
    }

    // Sandbox mode validates and answers 200 without queueing anything.
    if (isSandbox(mail)) return { status: 200, headers: { "Content-Type": "text/plain; charset=utf-8" }, body: "" };

    const messageId = newSendGridMessageId();
    const accepted = toMessages(mail, raw, messageId, now().toISOString());
    messages.push(...accepted);
    queueEvents(accepted);
    return { status: 202, headers: { "Content-Type": "text/plain; charset=utf-8", "X-Message-Id": messageId }, body: "", messageId };
  }

  function send(res: http.ServerResponse, answer: Answer): void {
    if (res.destroyed || res.writableEnded) return;
    const body = Buffer.from(answer.body, "utf8");
    res.writeHead(answer.status, {
      ...CORS_HEADERS,
      ...answer.headers,
      Date: new Date().toUTCString(),
      "Content-Length": String(body.length),
    });
    res.end(body);
  }

  function clear(): void {
    core.clear();
    webhook?.clear();
    whitelabel.clear();
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://standin").pathname;
    const method = req.method ?? "GET";

    if (path === STANDIN_MESSAGES_PATH) {
      await readBody(req);
      if (method === "GET") return send(res, jsonAnswer(200, messages));
      if (method === "DELETE") {
        clear();
        return send(res, { status: 204, body: "" });
      }
      return send(res, errorsAnswer(405, [{ message: "method not allowed", field: null, help: null }]));
    }

    if (path.startsWith("/v3/whitelabel/")) {
      const { bytes } = await readBody(req);
      const refused = unauthorized(req);
      if (refused) return send(res, refused);
      const answer = await whitelabel.handle(method, path, bytes ? bytes.toString("utf8") : "");
      if (answer) return send(res, answer.status === 204 ? { status: 204, body: "" } : jsonAnswer(answer.status, answer.body));
    }

    if (path !== MAIL_SEND_PATH) {
      await readBody(req);
      return send(res, errorsAnswer(404, [{ message: "resource not found", field: null, help: null }]));
    }
    if (method !== "POST") {
      await readBody(req);
      return send(res, errorsAnswer(405, [{ message: "method not allowed", field: null, help: null }]));
    }

    const receivedAt = now().toISOString();
    const { bytes } = await readBody(req);
    const delay = core.takeDelay();
    // The mail is still accepted after the delay even if the client gave up: SendGrid may
    // deliver a send whose answer never arrived, which is why our id rides in custom_args.
    if (delay !== null) await core.wait(delay);
    const answer = mailSend(req, bytes);
    requests.push({ method, path, status: answer.status, receivedAt, ...(answer.messageId ? { messageId: answer.messageId } : {}) });
    send(res, answer);
  }

  const server = await serveMailStandIn({
    host,
    port: opts.port ?? 0,
    isDown: () => core.down,
    handle,
    internalError: (res) => send(res, errorsAnswer(500, [{ message: "Internal server error", field: null, help: null }])),
  });

  return {
    url: server.url,
    port: server.port,
    messages,
    requests,
    authenticatedDomains: whitelabel.domains,
    linkBrandings: whitelabel.links,
    whitelabelCalls: whitelabel.calls,
    failNext(failure) {
      core.failNext({ ...failure, count: failure.count ?? 1 });
    },
    failFor(ms, status = 503) {
      core.failFor(ms, status);
    },
    delayNext(ms, count = 1) {
      core.delayNext(ms, count);
    },
    setDown(value = true) {
      core.setDown(value);
    },
    clear,
    close() {
      webhook?.stop();
      core.stopTimers();
      return server.close();
    },
  };
}
