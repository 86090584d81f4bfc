// The Postmark transport: the only module that imports `postmark`. It maps an OutgoingEmail to
// one POST /email and Postmark's answers to SendResult or SendError, classified as the SendGrid
// transport classifies SendGrid's (retryable: 429, 5xx, no answer; permanent: the rest).

import { ServerClient } from "postmark";
import type { Models } from "postmark";
import { formatAddress } from "./outbox.server";
import type { MailTransport, OutgoingEmail, SendResult } from "./transport";
import { SendError } from "./transport";

type Message = Models.Message;
type MessageSendingResponse = Models.MessageSendingResponse;

export type PostmarkLinkTracking = "None" | "HtmlAndText" | "HtmlOnly" | "TextOnly";

export interface PostmarkTransportOptions {
  serverToken: string;
  // Defaults to https://api.postmarkapp.com; the local stand-in in tests and the fault scripts.
  baseUrl?: string;
  timeoutMs?: number;
  // The transactional stream follow-ups go out on ("outbound" is every server's default).
  messageStream?: string;
  trackOpens?: boolean;
  trackLinks?: PostmarkLinkTracking;
}

const DEFAULT_TIMEOUT_MS = 15_000;

// Postmark's API error codes (the `ErrorCode` of a 422 answer) that a person must act on.
const ERROR_CODE_ADVICE: Record<number, string> = {
  300: "Postmark found the email request invalid (a field or address); sending it unchanged will fail again.",
  400: "The From address is not a confirmed Sender Signature or on a verified domain in Postmark; verify it there.",
  401: "The From address's Sender Signature is not confirmed in Postmark yet.",
  405: "Postmark does not allow this server to send (credits or account state); see the Postmark account.",
  406: "Postmark marked the recipient inactive after a hard bounce or spam complaint, so it will not email them.",
  412: "The Postmark account is pending approval; until then it only sends to its own addresses.",
  413: "The Postmark account may not send; see the Postmark account.",
};

// Failures before a connection existed: the request never left, so Postmark cannot have the email.
const NOT_CONNECTED_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH", "ENETDOWN", "UND_ERR_CONNECT_TIMEOUT"]);
// The client turns a rejected fetch into an error carrying only its message; this prefix keeps
// the cause's code so the answer "never connected" can be told from "no answer".
const NETWORK_PREFIX = "afterglow-network";

export function createPostmarkTransport({
  serverToken,
  baseUrl,
  timeoutMs = DEFAULT_TIMEOUT_MS,
  messageStream = "outbound",
  trackOpens = true,
  trackLinks = "HtmlAndText",
}: PostmarkTransportOptions): MailTransport {
  if (!serverToken || !serverToken.trim()) {
    throw new Error("Postmark needs a Server API token: set POSTMARK_SERVER_TOKEN (the server's API Tokens tab).");
  }
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new Error(`Postmark timeout must be a positive number of milliseconds, got ${timeoutMs}.`);
  }
  const url = new URL(baseUrl ?? "https://api.postmarkapp.com");
  const host = url.host;
  const client = new ServerClient(serverToken.trim(), {
    useHttps: url.protocol === "https:",
    requestHost: host,
    // The client counts in seconds.
    timeout: timeoutMs / 1000,
    fetch: networkCodeFetch,
  });

  return {
    name: "postmark",
    async send(email: OutgoingEmail): Promise<SendResult> {
      const message = toMessage(email, { messageStream, trackOpens, trackLinks });
      let answer: MessageSendingResponse;
      try {
        answer = await client.sendEmail(message);
      } catch (error) {
        throw toSendError(error, { email, host, timeoutMs });
      }
      // Postmark answers 200 with ErrorCode 0 for an accepted email.
      if (answer.ErrorCode !== 0 || !answer.MessageID) {
        throw new SendError(`Postmark did not accept the email for follow-up ${email.followUpId} (${email.shop}): ${answer.Message}`, {
          kind: "permanent",
          status: 200,
          details: `ErrorCode ${answer.ErrorCode}: ${answer.Message}`,
        });
      }
      return { transport: "postmark", messageId: answer.MessageID };
    },
  };
}

// Node's fetch rejects with "fetch failed" and the reason in `cause`; the message is all the
// client keeps, so the code goes into it.
async function networkCodeFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(input, init);
  } catch (error) {
    const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    const code = e.name === "TimeoutError" || e.name === "AbortError" ? "TIMEOUT" : (e.cause?.code ?? "NETWORK");
    throw new Error(`${NETWORK_PREFIX} ${code}: ${e.cause?.message ?? e.message ?? String(error)}`);
  }
}

export function toMessage(
  email: OutgoingEmail,
  { messageStream, trackOpens, trackLinks }: { messageStream: string; trackOpens: boolean; trackLinks: PostmarkLinkTracking },
): Message {
  const headers = Object.entries(email.headers ?? {}).map(([Name, Value]) => {
    if (/[\r\n]/.test(Name) || /[\r\n]/.test(Value)) {
      throw new SendError(`Header "${Name}" of follow-up ${email.followUpId} (${email.shop}) contains a line break; remove it from the email's headers.`, {
        kind: "permanent",
        mayHaveSent: false,
      });
    }
    return { Name, Value };
  });
  const flow = email.categories?.find((c) => c.startsWith("flow:"));
  const message: Message = {
    From: formatAddress(email.from),
    To: formatAddress(email.to),
    Subject: email.subject,
    MessageStream: messageStream,
    // Postmark has no idempotency key either; followUpId in Metadata ties its events back to us.
    Metadata: { ...email.customArgs, followUpId: email.followUpId },
    TrackOpens: trackOpens,
    TrackLinks: trackLinks as Message["TrackLinks"],
  };
  if (email.html) message.HtmlBody = email.html;
  if (email.text) message.TextBody = email.text;
  if (email.replyTo) message.ReplyTo = formatAddress(email.replyTo);
  if (headers.length > 0) message.Headers = headers;
  // Postmark takes one tag per email: the flow, as SendGrid's categories name it.
  if (flow) message.Tag = flow;
  return message;
}

interface ErrorContext {
  email: OutgoingEmail;
  host: string;
  timeoutMs: number;
}

function toSendError(error: unknown, { email, host, timeoutMs }: ErrorContext): SendError {
  if (error instanceof SendError) return error;
  const subject = `follow-up ${email.followUpId} (${email.shop})`;
  const { statusCode, code, message } = (error ?? {}) as { statusCode?: unknown; code?: unknown; message?: unknown };
  const status = typeof statusCode === "number" ? statusCode : 0;
  const errorCode = typeof code === "number" ? code : 0;
  const text = typeof message === "string" ? message : String(error);

  if (status > 0) {
    const details = errorCode ? `ErrorCode ${errorCode}: ${text}` : text;
    // A plain cause: the client's error objects are not worth keeping whole.
    const cause = new Error(`Postmark answered HTTP ${status}: ${details}`);
    if (status === 429) {
      return new SendError(`Postmark's rate limit was reached while sending ${subject}; try again later.`, { kind: "retryable", status, details, cause });
    }
    if (status >= 500 || status === 408) {
      return new SendError(`Postmark had a temporary problem (HTTP ${status}) while sending ${subject}; it can be retried.`, {
        kind: "retryable",
        status,
        details,
        cause,
      });
    }
    return new SendError(permanentMessage({ status, errorCode, text, subject }), { kind: "permanent", status, details, cause });
  }

  const network = new RegExp(`^${NETWORK_PREFIX} (\\S+): (.*)$`, "s").exec(text);
  if (network) {
    const [, networkCode, reason] = network;
    if (networkCode === "TIMEOUT") {
      return new SendError(
        `Postmark did not answer within ${timeoutMs} ms while sending ${subject}. It may still deliver this email; a retry goes to Postmark again, never elsewhere.`,
        { kind: "retryable", details: "timeout", cause: new Error(`timeout: ${reason}`) },
      );
    }
    return new SendError(`Could not reach Postmark at ${host} while sending ${subject} (${networkCode}); it can be retried.`, {
      kind: "retryable",
      mayHaveSent: !NOT_CONNECTED_CODES.has(networkCode),
      details: networkCode,
      cause: new Error(`${networkCode}: ${reason}`),
    });
  }
  // Thrown before any request: sending again won't help.
  return new SendError(`The email for ${subject} could not be prepared for Postmark: ${text}`, { kind: "permanent", mayHaveSent: false, details: text, cause: new Error(text) });
}

function permanentMessage({ status, errorCode, text, subject }: { status: number; errorCode: number; text: string; subject: string }): string {
  if (status === 401) return `Postmark did not accept the server token (HTTP 401) while sending ${subject}. Set POSTMARK_SERVER_TOKEN to the server's API token.`;
  if (status === 413) return `The email for ${subject} is larger than Postmark accepts (10 MB including attachments); make it smaller.`;
  const advice = ERROR_CODE_ADVICE[errorCode];
  return `Postmark refused the email for ${subject} (HTTP ${status}${errorCode ? `, ErrorCode ${errorCode}` : ""}): ${text}${advice ? ` ${advice}` : ""}`;
}
