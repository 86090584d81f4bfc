// What the endpoints the UI extensions call share: answering from any origin (checkout extensions
// run in a web worker whose origin Shopify may change, the admin's on Shopify's CDN), the
// preflight, and the shop the session token names, which must be connected.
import type { PrismaClient } from "@prisma/client";
import { AdminApiError } from "~/adapters/shopify-admin/client.server";
import { adminClientForShop, ShopNotConnectedError, type AdminClient } from "~/adapters/shopify-admin/index.server";
import type { BuyerClaim } from "~/services/consent/thank-you-sign-up.server";
import { config } from "~/platform/config.server";
import { logger } from "~/platform/logger.server";
import { InvalidSessionTokenError, verifyExtensionSessionToken, type ExtensionSession, type ExtensionSurface } from "./session-token.server";

const CORS_HEADERS: Record<string, string> = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Headers": "Authorization, Content-Type",
  "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
  "Access-Control-Max-Age": "7200",
};

export function extensionJson(body: unknown, init: { status?: number } = {}): Response {
  return new Response(JSON.stringify(body), {
    status: init.status ?? 200,
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store", ...CORS_HEADERS },
  });
}

// The browser's CORS preflight: Remix hands OPTIONS to a resource route's loader.
export function preflightResponse(request: Request): Response | null {
  return request.method === "OPTIONS" ? new Response(null, { status: 204, headers: CORS_HEADERS }) : null;
}

export function extensionProblem(status: number, message: string): Response {
  return extensionJson({ error: message }, { status });
}

/**
 * The shop and subject of a request from one of the app's UI extensions. Throws a 401 Response
 * (with CORS headers, so the extension can read it) for a missing or bad token, or a shop that
 * is not connected.
 */
export async function authenticateExtension(
  request: Request,
  { prisma, surface, now = new Date() }: { prisma: Pick<PrismaClient, "shop">; surface: ExtensionSurface; now?: Date },
): Promise<ExtensionSession> {
  const header = request.headers.get("Authorization") ?? "";
  const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  if (!token) throw extensionProblem(401, "Send the extension's session token as Authorization: Bearer <token>.");
  const { apiKey, apiSecret } = config().shopify;
  let session: ExtensionSession;
  try {
    session = verifyExtensionSessionToken({ token, apiKey: apiKey ?? "", secret: apiSecret, surface, now });
  } catch (err) {
    if (!(err instanceof InvalidSessionTokenError)) throw err;
    logger.warn("extension request refused", { surface, reason: err.message });
    throw extensionProblem(401, err.message);
  }
  const shop = await prisma.shop.findUnique({ where: { domain: session.shop }, select: { uninstalledAt: true } });
  if (!shop || shop.uninstalledAt) throw extensionProblem(401, `${session.shop} has not installed Afterglow.`);
  return session;
}

// A JSON object body within the small default limit the server already applied; null otherwise.
export async function readJsonBody(request: Request): Promise<Record<string, unknown> | null> {
  try {
    const value: unknown = await request.json();
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const ORDER_GID = /^gid:\/\/shopify\/Order\/\d+$/;

// The pages hand the extensions an order as its GID; anything else is a malformed request.
export function orderIdProblem(orderId: unknown): string | null {
  return typeof orderId === "string" && ORDER_GID.test(orderId) ? null : "orderId must be an order's GID, like gid://shopify/Order/123.";
}

// Shopify could not answer (down, throttled, the shop's token gone): the block says so and the
// buyer or merchant can try again; nothing was changed.
export async function answerUnlessShopifyFails(work: () => Promise<Response>): Promise<Response> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof AdminApiError || err instanceof ShopNotConnectedError) {
      logger.warn("extension request: Shopify did not answer", { err });
      return extensionProblem(503, "Shopify did not answer in time. Try again in a moment.");
    }
    throw err;
  }
}

/**
 * A POST from the thank-you block (the Thank you and Order status pages): the buyer's claim, made
 * of the checkout session token's shop and customer and the order and email the block sends, and
 * an Admin API client for the shop, short enough for a buyer waiting on the page. `answer` gets
 * both; a bad token is a 401, a bad body a 400, Shopify not answering a 503.
 */
export async function readThankYouClaim(
  request: Request,
  { prisma, answer }: { prisma: PrismaClient; answer: (buyer: { claim: BuyerClaim; client: AdminClient }) => Promise<Response> },
): Promise<Response> {
  const session = await authenticateExtension(request, { prisma, surface: "checkout" });
  const body = await readJsonBody(request);
  const problem = body ? orderIdProblem(body.orderId) : "Send a JSON object.";
  if (problem || typeof body?.email !== "string") return extensionProblem(400, problem ?? "email must be the buyer's email address.");
  const claim = { shop: session.shop, orderId: body.orderId as string, email: body.email, customerId: session.sub };
  return answerUnlessShopifyFails(async () => {
    const client = await adminClientForShop({ prisma, shop: session.shop, maxRetries: 1, timeoutMs: 5_000 });
    return answer({ claim, client });
  });
}
