// What the thank-you and order status pages' block shows for the buyer's order
// (extensions/thank-you-opt-in): nothing, or the email sign-up with "what happens next".
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import { extensionJson, extensionProblem, preflightResponse, readThankYouClaim } from "../extension-requests/requests.server";
import { thankYouOffer } from "../services/consent/thank-you-sign-up.server";

export const loader = async ({ request }: LoaderFunctionArgs) =>
  preflightResponse(request) ?? extensionProblem(405, "POST the order's id and the buyer's email.");

export const action = async ({ request }: ActionFunctionArgs) =>
  readThankYouClaim(request, {
    prisma,
    answer: async ({ claim, client }) => {
      const answer = await thankYouOffer({ prisma, client, claim });
      if (!answer.found) return extensionProblem(404, "No such order for this buyer in this shop.");
      return extensionJson({ show: answer.content !== null, nextSteps: answer.content?.nextSteps ?? [] });
    },
  });
