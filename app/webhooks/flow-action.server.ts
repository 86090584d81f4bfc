// Shopify Flow's requests to the action "Start an Afterglow flow": its runs (POST
// /flow/actions/start-flow), the preview of its configuration page (…/preview) and the check of a
// step when the workflow is saved (…/validate). Each: the bounded body, Flow's HMAC on its raw
// bytes, the body's shape, then a service.
// The answers are Flow's: 200 done (a resent run too); any other 4XX is a failure Flow does not
// send again and shows the merchant with our text; 5XX and no answer within 10 s, Flow sends
// the same run again later.
import type { PrismaClient } from "@prisma/client";
import { InvalidFlowActionError, parseFlowActionRequest, parseFlowActionStepRequest, type FlowActionStepRequest } from "~/domain/flow-action";
import { config } from "~/platform/config.server";
import { logger as rootLogger, type Logger } from "~/platform/logger.server";
import type { AdminClient } from "~/adapters/shopify-admin/index.server";
import { startFlowFromShopifyFlow } from "~/services/intake/flow-action.server";
import { previewForStep, validateSteps } from "~/services/flows/flow-action-steps.server";
import { readBoundedBody } from "./body.server";
import { verifyShopifyFlowRequest } from "./signature.server";

const text = (status: number, message: string, headers: Record<string, string> = {}): Response =>
  new Response(message, { status, headers: { "Content-Type": "text/plain; charset=utf-8", ...headers } });

export function flowActionMethodNotAllowed(): Response {
  return text(405, "Shopify Flow posts action runs with POST.", { Allow: "POST" });
}

interface FlowRequestOptions {
  prisma: PrismaClient;
  secret?: string;
  limit?: number;
  logger?: Logger;
}

// The signed JSON body of a Flow request, or the answer that refuses it.
async function readSignedFlowJson(
  request: Request,
  { secret, limit, log }: { secret: string; limit: number; log: Logger },
): Promise<{ ok: true; body: unknown } | { ok: false; response: Response }> {
  const refuse = (response: Response) => ({ ok: false as const, response });
  if (request.method !== "POST") return refuse(flowActionMethodNotAllowed());
  const tooLarge = `The body is larger than ${limit} bytes (REQUEST_MAX_BYTES); nothing was stored.`;
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) return refuse(text(413, tooLarge));
  const contentType = (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (contentType !== "application/json") return refuse(text(415, `Expected Content-Type application/json, got ${contentType || "none"}; nothing was stored.`));

  // A Fetch body is async-iterable in Node; DOM's types do not say so.
  const source = request.body as unknown as AsyncIterable<Uint8Array> | null;
  const read = source ? await readBoundedBody(source, { limit }) : ({ kind: "body", bytes: Buffer.alloc(0) } as const);
  if (read.kind === "too large") return refuse(text(413, tooLarge));
  if (read.kind === "aborted") return refuse(text(400, "The body ended early; nothing was stored."));

  const check = verifyShopifyFlowRequest({ header: (name) => request.headers.get(name) ?? undefined, rawBody: read.bytes, secret });
  if (!check.ok) {
    log.warn("Shopify Flow action request refused", { reason: check.reason });
    return refuse(text(check.status, check.status === 401 ? "The request's HMAC does not match; nothing was stored." : "The body is empty; nothing was stored."));
  }
  try {
    return { ok: true, body: JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(read.bytes)) };
  } catch {
    return refuse(text(400, "The body is not valid UTF-8 JSON; nothing was stored."));
  }
}

export async function handleFlowActionRequest(
  request: Request,
  {
    prisma,
    secret = config().shopify.apiSecret,
    limit = config().requests.maxBodyBytes,
    adminApiUrl = config().shopify.adminApiUrl,
    clientFor,
    logger = rootLogger,
  }: FlowRequestOptions & {
    adminApiUrl?: string | null;
    clientFor?: (shop: string) => Promise<AdminClient>;
  },
): Promise<Response> {
  const log = logger.child({ component: "flow-action" });
  const read = await readSignedFlowJson(request, { secret, limit, log });
  if (!read.ok) return read.response;
  let parsed;
  try {
    parsed = parseFlowActionRequest(read.body);
  } catch (err) {
    if (err instanceof InvalidFlowActionError) return text(400, `${err.message} Nothing was stored.`);
    throw err;
  }

  try {
    const outcome = await startFlowFromShopifyFlow({ prisma, request: parsed, clientFor, adminApiUrl });
    const run = { shop: parsed.shop, actionRunId: parsed.actionRunId, stepReference: parsed.stepReference, flowKey: parsed.flowKey, orderId: parsed.orderId };
    switch (outcome.kind) {
      case "scheduled":
        log.info("flow started from Shopify Flow", { ...run, followUps: outcome.followUps.length });
        return new Response(null, { status: 200 });
      case "duplicate":
        log.info("Shopify Flow sent a run again; nothing new", run);
        return new Response(null, { status: 200 });
      case "unknown_shop":
        // authenticate.flow answers 400 for a shop without a stored session.
        log.warn("Shopify Flow run for a shop that is not connected", run);
        return text(400, outcome.message);
      case "flow_unavailable":
      case "order_not_found":
        log.warn("Shopify Flow run could not start its flow", { ...run, reason: outcome.kind });
        return text(422, outcome.message);
    }
  } catch (err) {
    log.error("Shopify Flow run failed; Flow will send it again", { shop: parsed.shop, actionRunId: parsed.actionRunId, err });
    return text(503, "Afterglow could not start the flow just now; Shopify Flow will send the run again.");
  }
}

// Flow's preview and validation requests: both name a step; both are answered with JSON.
async function handleStepRequest(
  request: Request,
  { prisma, secret = config().shopify.apiSecret, limit = config().requests.maxBodyBytes, logger = rootLogger }: FlowRequestOptions,
  answer: (step: FlowActionStepRequest) => Promise<unknown>,
): Promise<Response> {
  const log = logger.child({ component: "flow-action" });
  const read = await readSignedFlowJson(request, { secret, limit, log });
  if (!read.ok) return read.response;
  let step;
  try {
    step = parseFlowActionStepRequest(read.body);
  } catch (err) {
    if (err instanceof InvalidFlowActionError) return text(400, err.message);
    throw err;
  }
  const shop = await prisma.shop.findUnique({ where: { domain: step.shop }, select: { uninstalledAt: true } });
  if (!shop || shop.uninstalledAt) return text(400, `${step.shop} is not connected to Afterglow: install the app from the Shopify admin.`);
  return Response.json(await answer(step));
}

// The configuration page's preview in the workflow editor: which flow the step starts.
export function handleFlowActionPreviewRequest(request: Request, options: FlowRequestOptions): Promise<Response> {
  return handleStepRequest(request, options, (step) => previewForStep({ prisma: options.prisma, shop: step.shop, stepReference: step.steps[0].stepReference }));
}

// When the merchant saves the workflow: an empty list, or why the step cannot run yet.
export function handleFlowActionValidationRequest(request: Request, options: FlowRequestOptions): Promise<Response> {
  return handleStepRequest(request, options, (step) => validateSteps({ prisma: options.prisma, ...step }));
}
