// Shopify Flow's requests to an app's action runtime URL, as Flow documents them: a POST of JSON
// with shop_id, shopify_domain, action_run_id, action_definition_id, handle and the action's
// fields under properties (an order_reference field as order_id, the numeric id), the raw body
// signed with the app's client secret in X-Shopify-Hmac-Sha256.

import { randomUUID } from "node:crypto";
import { signWebhookBody } from "./webhooks";

export interface FlowActionArgs {
  shop: string; // the myshopify.com domain
  shopId: number | string; // the shop's numeric id
  handle: string; // the action extension's handle
  actionDefinitionId?: string;
  properties: Record<string, unknown>; // the merchant's fields and the reference fields
  secret: string; // the app's client secret (SHOPIFY_API_SECRET)
  actionRunId?: string; // reuse one to simulate Flow sending the same run again
  stepReference?: string; // the workflow step, for an action with a configuration page
}

export interface FlowActionRequest {
  headers: Record<string, string>;
  body: string;
  actionRunId: string;
}

export function flowActionRequest({
  shop,
  shopId,
  handle,
  actionDefinitionId = handle,
  properties,
  secret,
  actionRunId = randomUUID(),
  stepReference,
}: FlowActionArgs): FlowActionRequest {
  if (!/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(shop)) {
    throw new Error(`"${shop}" is not a myshopify.com domain; Flow names the shop by it.`);
  }
  if (!secret) throw new Error(`A Flow action request for ${shop} needs the app's client secret to be signed.`);
  const body = JSON.stringify({
    shop_id: String(shopId),
    shopify_domain: shop,
    action_run_id: actionRunId,
    action_definition_id: actionDefinitionId,
    handle,
    // As Flow's documented example: the configured step's reference among the properties.
    properties: stepReference ? { ...properties, step_reference: stepReference } : properties,
  });
  return {
    headers: { "Content-Type": "application/json", "X-Shopify-Hmac-Sha256": signWebhookBody(body, secret) },
    body,
    actionRunId,
  };
}

// Flow's requests about a workflow's steps of an action with a custom configuration page: the
// preview it shows in the workflow editor (one step, named at the top level), and the validation
// when the workflow is saved (properties given): every step using the action under steps, each
// with its reference and fields (more: further steps of the same workflow). Signed as the runs are.
export function flowActionStepRequest({
  shop,
  shopId,
  stepReference,
  properties,
  more = [],
  secret,
  locale = "en",
}: {
  shop: string;
  shopId: number | string;
  stepReference: string;
  properties?: Record<string, unknown>; // validation only
  more?: { stepReference: string; properties: Record<string, unknown> }[]; // validation only
  secret: string;
  locale?: string;
}): { headers: Record<string, string>; body: string } {
  if (!/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(shop)) throw new Error(`"${shop}" is not a myshopify.com domain; Flow names the shop by it.`);
  if (!secret) throw new Error(`A Flow request for ${shop} needs the app's client secret to be signed.`);
  const body = JSON.stringify({
    shop_id: String(shopId),
    shopify_domain: shop,
    locale,
    ...(properties
      ? { steps: [{ step_reference: stepReference, properties }, ...more.map((m) => ({ step_reference: m.stepReference, properties: m.properties }))] }
      : { step_reference: stepReference }),
  });
  return { headers: { "Content-Type": "application/json", "X-Shopify-Hmac-Sha256": signWebhookBody(body, secret) }, body };
}
