// The buyer ticked "Send me care tips and offers for my order" on the thank-you or order status
// page (extensions/thank-you-opt-in): email marketing consent, written to Shopify and our copy.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import { extensionJson, extensionProblem, preflightResponse, readThankYouClaim } from "../extension-requests/requests.server";
import { signUpFromThankYouPage } from "../services/consent/thank-you-sign-up.server";

export const loader = async ({ request }: LoaderFunctionArgs) =>
  preflightResponse(request) ?? extensionProblem(405, "POST the order's id and the buyer's email.");

export const action = async ({ request }: ActionFunctionArgs) =>
  readThankYouClaim(request, {
    prisma,
    answer: async ({ claim, client }) => {
      const answer = await signUpFromThankYouPage({ prisma, client, claim });
      if (answer.outcome === "not_found") return extensionProblem(404, "No such order for this buyer in this shop.");
      if (answer.outcome === "not_offered") return extensionProblem(409, answer.reason);
      return extensionJson({ subscribed: true, shopify: answer.shopify });
    },
  });
