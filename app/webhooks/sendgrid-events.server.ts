// SendGrid's Event Webhook over HTTP (POST /webhooks/sendgrid): the size, type and ECDSA signature
// checks, then the events go to app/services/events/sendgrid-events.server.ts to be stored.
import { config, type Config } from "~/platform/config.server";
import { logger as rootLogger, type Logger } from "~/platform/logger.server";
import { receiveSendGridEvents, suppressionThresholds, type SendGridEventsSummary } from "~/services/events/sendgrid-events.server";
import { readBoundedBody } from "./body.server";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySendGridSignature } from "./sendgrid-signature.server";

type Db = Parameters<typeof receiveSendGridEvents>[0]["prisma"];


function reject(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(message, { status, headers: { "Content-Type": "text/plain; charset=utf-8", ...headers } });
}

export function methodNotAllowed(): Response {
  return reject(405, "SendGrid's Event Webhook posts events with POST.", { Allow: "POST" });
}

export async function handleSendGridEventWebhook(
  request: Request,
  {
    prisma,
    settings,
    now = () => new Date(),
    logger = rootLogger,
  }: { prisma: Db; settings?: Config["events"]; now?: () => Date; logger?: Logger },
): Promise<Response> {
  const log = logger.child({ component: "sendgrid-events" });
  if (request.method !== "POST") return methodNotAllowed();

  // A bad setting refuses, never guesses: the process would not have started with one, but a
  // post that arrives anyway gets a 503 SendGrid retries rather than an unverified write.
  let current: Config["events"];
  try {
    current = settings ?? config().events;
  } catch (err) {
    log.error("SendGrid Event Webhook settings are unusable; every event post is refused", { err });
    return reject(503, `${(err as Error).message}. Events are not accepted until it is fixed; SendGrid will retry.`);
  }
  const { maxBodyBytes: limit, toleranceSeconds, publicKey } = current;
  const thresholds = suppressionThresholds(current);

  const tooLarge = `The body is larger than ${limit} bytes (SENDGRID_WEBHOOK_MAX_BYTES); nothing was stored.`;
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) return reject(413, tooLarge);

  const contentType = (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (contentType !== "application/json") {
    return reject(415, `Expected Content-Type application/json, got ${contentType || "none"}; nothing was stored.`);
  }

  if (!publicKey) {
    log.error("SENDGRID_WEBHOOK_PUBLIC_KEY is not set; every event post is refused");
    return reject(
      503,
      "Event Webhook signature verification is not set up: set SENDGRID_WEBHOOK_PUBLIC_KEY to the Verification Key " +
        "SendGrid shows under Mail Settings > Event Webhook. SendGrid will retry.",
    );
  }

  // A Fetch body is async-iterable in Node; DOM's types do not say so.
  const source = request.body as unknown as AsyncIterable<Uint8Array> | null;
  const read = source ? await readBoundedBody(source, { limit }) : ({ kind: "body", bytes: Buffer.alloc(0) } as const);
  if (read.kind === "too large") return reject(413, tooLarge);
  if (read.kind === "aborted") return reject(400, "The body ended early; nothing was stored.");
  const body = read.bytes;

  const check = verifySendGridSignature({
    publicKey,
    signature: request.headers.get(SIGNATURE_HEADER),
    timestamp: request.headers.get(TIMESTAMP_HEADER),
    body,
    now: now(),
    toleranceSeconds,
  });
  if (!check.ok) {
    log.warn("SendGrid event post refused", { failure: check.failure });
    return reject(403, `${check.message} Nothing was stored.`);
  }

  let events: unknown;
  try {
    events = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch {
    return reject(400, "The body is not valid UTF-8 JSON; nothing was stored.");
  }
  if (!Array.isArray(events)) return reject(400, "The body must be a JSON array of events; nothing was stored.");

  const started = performance.now();
  let summary: SendGridEventsSummary;
  try {
    summary = await receiveSendGridEvents({ prisma, events, now: now(), thresholds, logger: log });
  } catch (err) {
    log.error("storing SendGrid events failed; SendGrid will retry the post", { events: events.length, err });
    return new Response("Internal error; please retry.", { status: 500, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
  log.info("SendGrid events received", { ...summary, ms: Math.round(performance.now() - started) });
  return Response.json(summary);
}
