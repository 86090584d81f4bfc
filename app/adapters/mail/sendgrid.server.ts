// The SendGrid transport: the only module that imports @sendgrid/*.
// It maps an OutgoingEmail to a v3 Mail Send request and SendGrid's answers to SendResult
// or SendError, so the dispatcher never sees an SDK type.

import { Client } from "@sendgrid/client";
import { MailService } from "@sendgrid/mail";
import type { Address, MailTransport, OutgoingEmail, SendResult } from "./transport";
import { SendError } from "./transport";

export interface SendGridTransportOptions {
  apiKey: string;
  // Defaults to https://api.sendgrid.com; the local stand-in in tests and the demo.
  baseUrl?: string;
  timeoutMs?: number;
}

// The subset of a v3 mail body this transport builds, in the @sendgrid/helpers camelCase form.
interface SendGridMailData {
  from: Address;
  replyTo?: Address;
  subject: string;
  content: { type: string; value: string }[] & { 0: { type: string; value: string } };
  personalizations: { to: Address[]; headers?: Record<string, string> }[];
  categories?: string[];
  customArgs: Record<string, string>;
  ipPoolName?: string;
  asm?: { groupId: number };
  hideWarnings: boolean;
}

const DEFAULT_TIMEOUT_MS = 15_000;

// Socket-level failures: the request may or may not have reached SendGrid, so try again.
const NETWORK_ERROR_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ECONNABORTED",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "ENETDOWN",
  "ERR_SOCKET_CONNECTION_TIMEOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
]);

// Failures before a connection existed: the request never left, so SendGrid cannot have the email.
export const NOT_CONNECTED_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH", "ENETDOWN", "UND_ERR_CONNECT_TIMEOUT"]);

export function createSendGridTransport({
  apiKey,
  baseUrl,
  timeoutMs = DEFAULT_TIMEOUT_MS,
}: SendGridTransportOptions): MailTransport {
  if (!apiKey || !apiKey.trim()) {
    throw new Error("SendGrid needs an API key: set SENDGRID_API_KEY, or leave it unset to keep mail in the outbox.");
  }
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new Error(`SendGrid timeout must be a positive number of milliseconds, got ${timeoutMs}.`);
  }

  const client = new Client();
  client.setApiKey(apiKey.trim());
  // setApiKey resets baseUrl to SendGrid's global host, so the override must come after it.
  if (baseUrl) client.setDefaultRequest("baseUrl", baseUrl);
  // Our own MailService, not the module singleton, so two transports never share a key or host.
  const mail = new MailService();
  mail.setClient(client);
  // Sets axios' `timeout` on the client's default request; the client itself never retries.
  mail.setTimeout(timeoutMs);
  const host = describeHost(baseUrl);

  return {
    name: "sendgrid",
    async send(email: OutgoingEmail): Promise<SendResult> {
      const data = toMailData(email);
      try {
        const [response] = await mail.send(data);
        return { transport: "sendgrid", messageId: headerValue(response.headers, "x-message-id") };
      } catch (error) {
        throw toSendError(error, { email, host, timeoutMs });
      }
    },
  };
}

function toMailData(email: OutgoingEmail): SendGridMailData {
  const text = { type: "text/plain", value: email.text };
  const html = { type: "text/html", value: email.html };
  // SendGrid refuses empty content values; it also requires text/plain before text/html.
  const parts = [text, html].filter((part) => part.value.length > 0);
  const content = (parts.length > 0 ? parts : [text, html]) as SendGridMailData["content"];
  const headers = encodeHeaders(email);
  const personalization: SendGridMailData["personalizations"][number] = { to: [address(email.to)] };
  // Personalization headers reach the email only; message-level `headers` are also copied
  // onto the HTTP request by @sendgrid/mail, where they could clash with the API's own.
  if (Object.keys(headers).length > 0) personalization.headers = headers;
  const data: SendGridMailData = {
    from: address(email.from),
    subject: email.subject,
    content,
    personalizations: [personalization],
    // SendGrid has no idempotency key; followUpId in custom_args ties events back to us.
    customArgs: { ...email.customArgs, followUpId: email.followUpId },
    hideWarnings: true,
  };
  if (email.replyTo) data.replyTo = address(email.replyTo);
  if (email.categories && email.categories.length > 0) data.categories = [...email.categories];
  if (email.ipPool) data.ipPoolName = email.ipPool;
  if (email.asmGroupId) data.asm = { groupId: email.asmGroupId };
  return data;
}

function address({ email, name }: Address): Address {
  return name ? { email, name } : { email };
}

// SendGrid wants header values already encoded; non-ASCII becomes an RFC 2047 encoded-word.
function encodeHeaders(email: OutgoingEmail): Record<string, string> {
  const encoded: Record<string, string> = {};
  for (const [key, value] of Object.entries(email.headers ?? {})) {
    if (/[\r\n]/.test(value) || /[\r\n]/.test(key)) {
      throw new SendError(
        `Header "${key}" of follow-up ${email.followUpId} (${email.shop}) contains a line break; remove it from the email's headers.`,
        { kind: "permanent", mayHaveSent: false },
      );
    }
    encoded[key] = /^[\x20-\x7e]*$/.test(value) ? value : `=?UTF-8?B?${Buffer.from(value, "utf8").toString("base64")}?=`;
  }
  return encoded;
}

function headerValue(headers: unknown, name: string): string | null {
  if (!headers || typeof headers !== "object") return null;
  const getter = (headers as { get?: (n: string) => unknown }).get;
  const value =
    typeof getter === "function"
      ? getter.call(headers, name)
      : Object.entries(headers as Record<string, unknown>).find(([key]) => key.toLowerCase() === name)?.[1];
  if (Array.isArray(value)) return value.length > 0 ? String(value[0]) : null;
  return typeof value === "string" && value.length > 0 ? value : null;
}

function describeHost(baseUrl: string | undefined): string {
  if (!baseUrl) return "api.sendgrid.com";
  try {
    return new URL(baseUrl).host;
  } catch {
    return baseUrl;
  }
}

interface ErrorContext {
  email: OutgoingEmail;
  host: string;
  timeoutMs: number;
}

interface ResponseLike {
  status: number;
  headers: unknown;
  body: unknown;
}

// @sendgrid/client rejects with a ResponseError ({ code, response: { headers, body } }) for
// HTTP errors and with the raw AxiosError (which carries the Authorization header) otherwise.
function responseOf(error: unknown): ResponseLike | null {
  if (!error || typeof error !== "object") return null;
  const e = error as { code?: unknown; response?: { headers?: unknown; body?: unknown; status?: unknown; data?: unknown } };
  if (!e.response || typeof e.response !== "object") return null;
  if (typeof e.code === "number") return { status: e.code, headers: e.response.headers, body: e.response.body };
  if (typeof e.response.status === "number") {
    return { status: e.response.status, headers: e.response.headers, body: e.response.data };
  }
  return null;
}

// SendGrid's `{ errors: [{ message, field, help }] }` as "field: message" lines; HTML pages
// from its nginx front (413, 502, 503) as their title.
export function describeSendGridErrors(body: unknown): string | undefined {
  let parsed = body;
  if (typeof body === "string") {
    try {
      parsed = JSON.parse(body);
    } catch {
      const title = /<title>([^<]*)<\/title>/i.exec(body)?.[1]?.trim();
      const text = title || body.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim();
      return text ? text.slice(0, 300) : undefined;
    }
  }
  const errors = (parsed as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  return errors
    .map((entry) => {
      if (typeof entry === "string") return entry;
      const { message, field } = (entry ?? {}) as { message?: unknown; field?: unknown };
      const text = typeof message === "string" ? message : JSON.stringify(entry);
      return typeof field === "string" && field ? `${field}: ${text}` : text;
    })
    .join("; ");
}

function retryAtFrom(headers: unknown): Date | undefined {
  const reset = Number(headerValue(headers, "x-ratelimit-reset"));
  // X-RateLimit-Reset is a Unix time in seconds.
  if (Number.isFinite(reset) && reset > 1_000_000_000) return new Date(reset * 1000);
  const retryAfter = Number(headerValue(headers, "retry-after"));
  if (Number.isFinite(retryAfter) && retryAfter > 0) return new Date(Date.now() + retryAfter * 1000);
  return undefined;
}

function toSendError(error: unknown, { email, host, timeoutMs }: ErrorContext): SendError {
  if (error instanceof SendError) return error;
  const subject = `follow-up ${email.followUpId} (${email.shop})`;
  const response = responseOf(error);

  if (response) {
    const { status } = response;
    const details = describeSendGridErrors(response.body);
    const said = details ? `: ${details}` : "";
    // A plain cause: the SDK's error objects hold request config, including the API key.
    const cause = new Error(`SendGrid answered HTTP ${status}${said}`);
    if (status === 429) {
      const retryAt = retryAtFrom(response.headers);
      const when = retryAt ? `after ${retryAt.toISOString()}` : "later";
      return new SendError(`SendGrid's rate limit was reached while sending ${subject}; try again ${when}.`, {
        kind: "retryable",
        status,
        retryAt,
        details,
        cause,
      });
    }
    if (status >= 500 || status === 408) {
      return new SendError(`SendGrid had a temporary problem (HTTP ${status}) while sending ${subject}; it can be retried.`, {
        kind: "retryable",
        status,
        details,
        cause,
      });
    }
    return new SendError(permanentMessage(status, subject, email, said), { kind: "permanent", status, details, cause });
  }

  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const codeText = typeof code === "string" ? code : undefined;
  const messageText = typeof message === "string" ? message : String(error);
  const isTimeout = codeText === "ECONNABORTED" || codeText === "ETIMEDOUT" || /timeout/i.test(messageText);
  const isNetwork =
    (codeText !== undefined && NETWORK_ERROR_CODES.has(codeText)) ||
    /socket hang up|network error|timeout/i.test(messageText) ||
    ((error as { isAxiosError?: unknown })?.isAxiosError === true && !codeText?.startsWith("ERR_INVALID"));
  if (isTimeout) {
    return new SendError(
      `SendGrid did not answer within ${timeoutMs} ms while sending ${subject}. It may still deliver this email; a retry carries the same followUpId in custom_args.`,
      { kind: "retryable", details: codeText ?? messageText, cause: new Error(`${codeText ?? "timeout"}: ${messageText}`) },
    );
  }
  if (isNetwork) {
    return new SendError(`Could not reach SendGrid at ${host} while sending ${subject} (${codeText ?? messageText}); it can be retried.`, {
      kind: "retryable",
      mayHaveSent: !(codeText && NOT_CONNECTED_CODES.has(codeText)),
      details: codeText ?? messageText,
      cause: new Error(`${codeText ?? "network error"}: ${messageText}`),
    });
  }
  // Thrown before any request (e.g. the mail helper refusing a field): sending again won't help.
  return new SendError(`The email for ${subject} could not be prepared for SendGrid: ${messageText}`, {
    kind: "permanent",
    mayHaveSent: false,
    details: messageText,
    cause: new Error(messageText),
  });
}

function permanentMessage(status: number, subject: string, email: OutgoingEmail, said: string): string {
  switch (status) {
    case 400:
      return `SendGrid rejected the email for ${subject} (HTTP 400)${said}. Fix these fields; sending it unchanged will fail again.`;
    case 401:
      return `SendGrid did not accept the API key (HTTP 401) while sending ${subject}. Set SENDGRID_API_KEY to a valid key with Mail Send access.`;
    case 403:
      return `SendGrid refused to send ${subject} from ${email.from.email} (HTTP 403)${said}. Verify this sender (Sender Authentication in SendGrid) or give the API key Mail Send access.`;
    case 413:
      return `The email for ${subject} is larger than SendGrid accepts (30 MB including attachments); make it smaller.`;
    default:
      return `SendGrid refused the email for ${subject} (HTTP ${status})${said}.`;
  }
}
