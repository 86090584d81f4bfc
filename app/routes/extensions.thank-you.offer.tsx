// What the thank-you and order status pages' block shows for the buyer's order
// (extensions/thank-you-opt-in): nothing, or the email sign-up with "what happens next".
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import { adminClientForShop } from "../adapters/shopify-admin/index.server";
import {
  answerUnlessShopifyFails,
  authenticateExtension,
  extensionJson,
  extensionProblem,
  orderIdProblem,
  preflightResponse,
  readJsonBody,
} from "../extension-requests/requests.server";
import { thankYouOffer } from "../services/consent/thank-you-sign-up.server";

export const loader = async ({ request }: LoaderFunctionArgs) =>
  preflightResponse(request) ?? extensionProblem(405, "POST the order's id and the buyer's email.");

export const action = async ({ request }: ActionFunctionArgs) => {
  const session = await authenticateExtension(request, { prisma, surface: "checkout" });
  const body = await readJsonBody(request);
  const problem = body ? orderIdProblem(body.orderId) : "Send a JSON object.";
  if (problem || typeof body?.email !== "string") return extensionProblem(400, problem ?? "email must be the buyer's email address.");
  const claim = { shop: session.shop, orderId: body.orderId as string, email: body.email, customerId: session.sub };
  return answerUnlessShopifyFails(async () => {
    const client = await adminClientForShop({ prisma, shop: session.shop, maxRetries: 1, timeoutMs: 5_000 });
    const answer = await thankYouOffer({
      prisma,
      client,
      claim,
    });
    if (!answer.found) return extensionProblem(404, "No such order for this buyer in this shop.");
    return extensionJson({ show: answer.content !== null, nextSteps: answer.content?.nextSteps ?? [] });
  });
};
