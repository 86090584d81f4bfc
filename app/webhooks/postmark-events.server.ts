// Postmark's webhooks over HTTP (POST /webhooks/postmark): Delivery, Bounce, SpamComplaint, Open
// and Click, one JSON object per post. Postmark signs nothing; it documents two protections,
// HTTP basic-auth credentials put in the webhook URL (https://user:password@host/webhooks/postmark)
// and allowing only its IP ranges at the firewall. The credentials are checked here; wrong or
// missing ones are 401 with nothing stored. Then the event goes to the store SendGrid's feed.
import { timingSafeEqual, createHash } from "node:crypto";
import { config, type Config } from "~/platform/config.server";
import { logger as rootLogger, type Logger } from "~/platform/logger.server";
import { receivePostmarkEvents, suppressionThresholds, type SendGridEventsSummary } from "~/services/events/sendgrid-events.server";
import { readBoundedBody } from "./body.server";

type Db = Parameters<typeof receivePostmarkEvents>[0]["prisma"];

function reject(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(message, { status, headers: { "Content-Type": "text/plain; charset=utf-8", ...headers } });
}

export function postmarkMethodNotAllowed(): Response {
  return reject(405, "Postmark's webhooks post events with POST.", { Allow: "POST" });
}

// Compared as hashes, so neither the length nor the content leaks through timing.
const same = (a: string, b: string) => timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest());

// The credentials of an "Authorization: Basic base64(user:password)" header, or null.
export function basicCredentials(header: string | null): { user: string; password: string } | null {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  if (!match) return null;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? null : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export async function handlePostmarkWebhook(
  request: Request,
  { prisma, settings, now = () => new Date(), logger = rootLogger }: { prisma: Db; settings?: Config["events"]; now?: () => Date; logger?: Logger },
): Promise<Response> {
  const log = logger.child({ component: "postmark-events" });
  if (request.method !== "POST") return postmarkMethodNotAllowed();

  let current: Config["events"];
  try {
    current = settings ?? config().events;
  } catch (err) {
    log.error("Postmark webhook settings are unusable; every event post is refused", { err });
    return reject(503, `${(err as Error).message}. Events are not accepted until it is fixed; Postmark will retry.`);
  }
  const { postmarkUser, postmarkPassword, postmarkMaxBodyBytes: limit } = current;
  // 503, not 403: Postmark stops retrying on a 403, and these events should arrive once it is set up.
  if (!postmarkUser || !postmarkPassword) {
    log.error("POSTMARK_WEBHOOK_USER or POSTMARK_WEBHOOK_PASSWORD is not set; every Postmark event post is refused");
    return reject(
      503,
      "Postmark webhook credentials are not set up: set POSTMARK_WEBHOOK_USER and POSTMARK_WEBHOOK_PASSWORD, and put them in the webhook URL " +
        "(https://user:password@host/webhooks/postmark). Postmark will retry.",
    );
  }

  const given = basicCredentials(request.headers.get("authorization"));
  if (!given || !(same(given.user, postmarkUser) && same(given.password, postmarkPassword))) {
    log.warn("Postmark event post refused: wrong or missing basic-auth credentials", { credentials: given ? "wrong" : "missing" });
    return reject(401, "Wrong or missing credentials; nothing was stored.", { "WWW-Authenticate": 'Basic realm="postmark-webhooks", charset="UTF-8"' });
  }

  const tooLarge = `The body is larger than ${limit} bytes (POSTMARK_WEBHOOK_MAX_BYTES); nothing was stored.`;
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) return reject(413, tooLarge);
  const contentType = (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (contentType !== "application/json") return reject(415, `Expected Content-Type application/json, got ${contentType || "none"}; nothing was stored.`);

  // A Fetch body is async-iterable in Node; DOM's types do not say so.
  const source = request.body as unknown as AsyncIterable<Uint8Array> | null;
  const read = source ? await readBoundedBody(source, { limit }) : ({ kind: "body", bytes: Buffer.alloc(0) } as const);
  if (read.kind === "too large") return reject(413, tooLarge);
  if (read.kind === "aborted") return reject(400, "The body ended early; nothing was stored.");

  let event: unknown;
  try {
    event = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(read.bytes));
  } catch {
    return reject(400, "The body is not valid UTF-8 JSON; nothing was stored.");
  }
  if (!event || typeof event !== "object" || Array.isArray(event)) return reject(400, "The body must be one JSON object (one Postmark event); nothing was stored.");

  let summary: SendGridEventsSummary;
  try {
    summary = await receivePostmarkEvents({ prisma, events: [event], now: now(), thresholds: suppressionThresholds(current), logger: log });
  } catch (err) {
    log.error("storing a Postmark event failed; Postmark will retry the post", { err });
    return new Response("Internal error; please retry.", { status: 500, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
  if (summary.invalid > 0) return reject(400, "The body is not a Postmark event (RecordType, MessageID and its time are required); nothing was stored.");
  log.info("Postmark event received", { ...summary });
  return Response.json(summary);
}
