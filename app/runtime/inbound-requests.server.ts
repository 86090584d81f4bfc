// What the web server does with a request before Express and Remix see it. Remix's
// request.formData(), text() and json() (and Shopify's login and webhook helpers that call them)
// buffer whatever body they are given, chunked or not; so the server reads each body itself, up
// to what its route can need, and hands Remix only a body it has already bounded.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Request as ExpressRequest, Response as ExpressResponse } from "express";
import { writeReadableStreamToWritable } from "@remix-run/node";
import type { Config } from "../platform/config.server";
import { answerWhileDraining, drainLimitFor, hangUp, readBoundedBody } from "../webhooks/body.server";

export interface BodyLimit {
  bytes: number;
  variable: string; // named in the 413, so whoever meets it knows what to raise
}

// The path Remix routes by: the URL built as remixRequest builds it, dot segments resolved.
export function requestPath(url: string | undefined): string {
  try {
    return new URL(`http://afterglow.invalid${url ?? "/"}`).pathname;
  } catch {
    return "/";
  }
}

// Each route's budget; every path not listed (the login form, unsubscribe posts, unknown URLs)
// gets the small default. A path Remix matches differently (other case, escaped letters) only
// ever falls to the default, never to a larger budget.
export function bodyLimitFor(path: string, { requests, webhooks, events }: Pick<Config, "requests" | "webhooks" | "events">): BodyLimit {
  if (path === "/webhooks/sendgrid" || path.startsWith("/webhooks/sendgrid/")) return { bytes: events.maxBodyBytes, variable: "SENDGRID_WEBHOOK_MAX_BYTES" };
  if (path === "/webhooks/postmark" || path.startsWith("/webhooks/postmark/")) return { bytes: events.postmarkMaxBodyBytes, variable: "POSTMARK_WEBHOOK_MAX_BYTES" };
  if (path.startsWith("/webhooks/")) return { bytes: webhooks.maxBytes, variable: "WEBHOOK_MAX_BYTES" };
  if (path === "/app" || path.startsWith("/app/")) return { bytes: requests.adminMaxBodyBytes, variable: "ADMIN_REQUEST_MAX_BYTES" };
  return { bytes: requests.maxBodyBytes, variable: "REQUEST_MAX_BYTES" };
}

const hasBody = (req: IncomingMessage) => req.headers["transfer-encoding"] !== undefined || (req.headers["content-length"] ?? "0") !== "0";


export type ReceivedBody = { kind: "none" } | { kind: "body"; bytes: Buffer } | { kind: "answered" };

// The request's body within its route's limit. Past the limit (declared or counted), the answer
// is 413 at once and the request goes no further; "answered" means the caller has nothing to do.
export async function receiveBody(req: IncomingMessage, res: ServerResponse, settings: Pick<Config, "requests" | "webhooks" | "events">): Promise<ReceivedBody> {
  if (!hasBody(req)) return { kind: "none" };
  const limit = bodyLimitFor(requestPath(req.url), settings);
  const drain = { drainLimit: drainLimitFor(limit.bytes), onOverDrain: () => hangUp(req.socket) };
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit.bytes) {
    void readBoundedBody(req, { limit: 0, ...drain }); // keep nothing, drop the body
    tooLarge(req, res, limit);
    return { kind: "answered" };
  }
  const read = await readBoundedBody(req, { limit: limit.bytes, ...drain });
  if (read.kind === "body") return read;
  if (read.kind === "too large") tooLarge(req, res, limit);
  else res.destroy(); // the sender went away (or took longer than HTTP_REQUEST_TIMEOUT_MS)
  return { kind: "answered" };
}

function tooLarge(req: IncomingMessage, res: ServerResponse, { bytes, variable }: BodyLimit) {
  if (res.headersSent) return;
  const body = Buffer.from(`The request body is larger than ${bytes} bytes (${variable}); nothing was done.`);
  res.writeHead(413, { "Content-Type": "text/plain; charset=utf-8", "Content-Length": String(body.length) });
  answerWhileDraining(req, res, body);
}

// Paths whose only credential is the signed token in the URL. Remix refuses a document POST whose
// Origin is not the app's own (a guard for cookie sessions), but a mailbox provider's one-click
// unsubscribe (RFC 8058) comes from the provider's origin, or "null", and must still work.
const ORIGIN_FREE_PREFIXES = ["/unsubscribe/"];

// The Fetch Request Remix gets, as @remix-run/express builds it, but with the body already read.
export function remixRequest(req: ExpressRequest, body: Buffer | undefined, signal: AbortSignal): Request {
  // req.hostname leaves out the port; take it from X-Forwarded-Host or Host, as Remix's adapter does.
  const portOf = (host: string | undefined) => Number.parseInt(host?.split(":")[1] ?? "", 10);
  const port = [portOf(req.get("X-Forwarded-Host")), portOf(req.get("host"))].find(Number.isSafeInteger);
  const url = new URL(`${req.protocol}://${req.hostname}${port ? `:${port}` : ""}${req.originalUrl}`);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, one);
  }
  if (ORIGIN_FREE_PREFIXES.some((prefix) => url.pathname.startsWith(prefix))) headers.delete("origin");
  // Remix gives GET and HEAD no body, as Fetch forbids one.
  const withBody = req.method !== "GET" && req.method !== "HEAD";
  const bytes = body ? new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.byteLength) : null;
  return new Request(url.href, { method: req.method, headers, signal, ...(withBody ? { body: bytes } : {}) });
}

// Remix's answer written to the Node response, as @remix-run/express writes it.
export async function sendRemixResponse(res: ExpressResponse, response: Response): Promise<void> {
  res.statusMessage = response.statusText;
  res.status(response.status);
  for (const [name, value] of response.headers.entries()) res.append(name, value);
  if (/text\/event-stream/i.test(response.headers.get("Content-Type") ?? "")) res.flushHeaders();
  if (response.body) await writeReadableStreamToWritable(response.body, res);
  else res.end();
}
