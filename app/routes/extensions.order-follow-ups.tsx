// The order page's block in the Shopify admin (extensions/order-follow-ups): this order's
// follow-ups, and Cancel for a scheduled one, the same cancel as the Messages page's.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import { authenticateExtension, extensionJson, extensionProblem, orderIdProblem, preflightResponse, readJsonBody } from "../extension-requests/requests.server";
import { cancelFollowUp, orderFollowUps } from "../services/messages/messages.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const preflight = preflightResponse(request);
  if (preflight) return preflight;
  const session = await authenticateExtension(request, { prisma, surface: "admin" });
  const orderId = new URL(request.url).searchParams.get("orderId");
  const problem = orderIdProblem(orderId);
  if (problem) return extensionProblem(400, problem);
  const found = await orderFollowUps(prisma, { shop: session.shop, orderId: orderId! });
  if (!found) return extensionProblem(404, "Afterglow has no follow-ups for this order.");
  return extensionJson(found);
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const session = await authenticateExtension(request, { prisma, surface: "admin" });
  const body = await readJsonBody(request);
  if (typeof body?.followUpId !== "string" || !body.followUpId) return extensionProblem(400, "Send { followUpId } of the follow-up to cancel.");
  // The staff member's user id from the token: the audit log names who cancelled.
  const actor = session.sub ? `staff:${session.sub}` : "staff";
  const cancelled = await cancelFollowUp({ prisma, shop: session.shop, id: body.followUpId, actor });
  if (!cancelled) {
    const exists = await prisma.followUp.findFirst({ where: { shop: session.shop, id: body.followUpId }, select: { status: true } });
    if (!exists) return extensionProblem(404, "No such follow-up in this shop.");
    return extensionProblem(409, `This follow-up is ${exists.status} and can no longer be cancelled.`);
  }
  return extensionJson({ cancelled: true });
};
