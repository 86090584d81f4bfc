import type { ActionFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import { flowActionMethodNotAllowed, handleFlowActionPreviewRequest } from "../webhooks/flow-action.server";

// The preview URL of the action's configuration page: Flow shows the answer in the workflow editor.
export const action = async ({ request }: ActionFunctionArgs) => handleFlowActionPreviewRequest(request, { prisma });

export const loader = async () => flowActionMethodNotAllowed();
