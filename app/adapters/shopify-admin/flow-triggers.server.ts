// Starts a shop's Shopify Flow workflows with one of Afterglow's triggers (flowTriggerReceive).
import type { FlowTriggerReceiveMutation, FlowTriggerReceiveMutationVariables } from "~/types/admin.generated";
import type { AdminClient } from "./client.server";
import { FLOW_TRIGGER_RECEIVE_MUTATION } from "./queries";

// Shopify answered and refused the trigger (an unknown handle, a payload it will not take):
// sending the same payload again will not help.
export class FlowTriggerRejectedError extends Error {
  override readonly name = "FlowTriggerRejectedError";
  readonly shop: string;
  readonly handle: string;
  readonly userErrors: { field: string[] | null; message: string }[];

  constructor(shop: string, handle: string, userErrors: FlowTriggerRejectedError["userErrors"]) {
    super(
      `Shopify Flow refused the "${handle}" trigger for ${shop}: ` +
        `${userErrors.map((e) => `${e.message}${e.field?.length ? ` (${e.field.join(".")})` : ""}`).join("; ") || "no reason given"}. ` +
        "Check that the app's Flow trigger extensions are deployed (shopify app deploy).",
    );
    this.shop = shop;
    this.handle = handle;
    this.userErrors = userErrors;
  }
}

export async function receiveFlowTrigger(client: AdminClient, { handle, payload }: { handle: string; payload: Record<string, unknown> }): Promise<void> {
  const data = await client.request<FlowTriggerReceiveMutation, FlowTriggerReceiveMutationVariables>(FLOW_TRIGGER_RECEIVE_MUTATION, { handle, payload });
  const userErrors = (data.flowTriggerReceive?.userErrors ?? []).map((e) => ({ field: e.field ?? null, message: e.message }));
  if (!data.flowTriggerReceive || userErrors.length) throw new FlowTriggerRejectedError(client.shop, handle, userErrors);
}
