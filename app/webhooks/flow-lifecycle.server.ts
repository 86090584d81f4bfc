// Shopify Flow's trigger lifecycle callback (POST /flow/triggers/lifecycle, declared in
// extensions/flow-trigger-lifecycle): Flow tells which shops turned on or off a workflow that uses
// one of Afterglow's triggers. Signed like a webhook (x-shopify-hmac-sha256, the app's client
// secret, over the raw body). Flow waits five seconds and keeps the merchant from turning the
// workflow on when the answer is not 2xx, so the work here is one small write.
import type { PrismaClient } from "@prisma/client";
import { parseLifecycleCallback } from "~/domain/flow-triggers";
import { config } from "~/platform/config.server";
import { logger as rootLogger, type Logger } from "~/platform/logger.server";
import { recordFlowTriggerUse } from "~/services/flow-triggers/uses.server";
import { readBoundedBody } from "./body.server";
import { hmacMatches } from "./signature.server";

const HMAC_HEADER = "x-shopify-hmac-sha256";

function answer(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(message, { status, headers: { "Content-Type": "text/plain; charset=utf-8", ...headers } });
}

export function lifecycleMethodNotAllowed(): Response {
  return answer(405, "Shopify Flow posts its trigger lifecycle callbacks with POST.", { Allow: "POST" });
}

export async function handleFlowLifecycleCallback(
  request: Request,
  {
    prisma,
    secret = config().shopify.apiSecret,
    limit = config().requests.maxBodyBytes,
    logger = rootLogger,
  }: { prisma: Pick<PrismaClient, "flowTriggerUse">; secret?: string; limit?: number; logger?: Logger },
): Promise<Response> {
  const log = logger.child({ component: "flow-lifecycle" });
  if (request.method !== "POST") return lifecycleMethodNotAllowed();
  if (!secret) {
    log.error("SHOPIFY_API_SECRET is not set; Flow's lifecycle callbacks cannot be verified and are refused");
    return answer(503, "The app's client secret is not set (SHOPIFY_API_SECRET); nothing was stored.");
  }
  const declared = Number(request.headers.get("content-length"));
  const tooLarge = `The body is larger than ${limit} bytes (REQUEST_MAX_BYTES); nothing was stored.`;
  if (Number.isFinite(declared) && declared > limit) return answer(413, tooLarge);
  // A Fetch body is async-iterable in Node; DOM's types do not say so.
  const source = request.body as unknown as AsyncIterable<Uint8Array> | null;
  const read = source ? await readBoundedBody(source, { limit }) : ({ kind: "body", bytes: Buffer.alloc(0) } as const);
  if (read.kind === "too large") return answer(413, tooLarge);
  if (read.kind === "aborted") return answer(400, "The body ended early; nothing was stored.");

  const hmac = request.headers.get(HMAC_HEADER);
  if (!hmac || !hmacMatches(read.bytes, secret, hmac)) {
    log.warn("Flow lifecycle callback refused: its HMAC does not match", { signed: !!hmac });
    return answer(401, "The callback's HMAC does not match; nothing was stored.");
  }
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(read.bytes));
  } catch {
    return answer(400, "The body is not valid UTF-8 JSON; nothing was stored.");
  }
  const parsed = parseLifecycleCallback(body);
  if (!parsed.ok) return answer(400, `The callback is not what Shopify Flow sends: ${parsed.problems.join("; ")}. Nothing was stored.`);

  const { callback } = parsed;
  const { outcome, trigger, known } = await recordFlowTriggerUse({ prisma, callback });
  const fields = { shop: callback.shop, trigger, enabled: callback.enabled, outcome, reportedAt: callback.reportedAt.toISOString() };
  if (!known) log.warn("Flow lifecycle callback for a trigger this version does not fire; kept as it came", fields);
  else log.info("Flow lifecycle callback", fields);
  return Response.json({ outcome, trigger });
}
