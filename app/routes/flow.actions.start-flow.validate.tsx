import type { ActionFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import { flowActionMethodNotAllowed, handleFlowActionValidationRequest } from "../webhooks/flow-action.server";

// The validation URL of the action: Flow asks it whether a step is complete when the workflow is saved.
export const action = async ({ request }: ActionFunctionArgs) => handleFlowActionValidationRequest(request, { prisma });

export const loader = async () => flowActionMethodNotAllowed();
