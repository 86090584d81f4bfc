// Afterglow's Shopify Flow triggers: what each one is called, the fields its payload carries,
// and how a payload is built from what happened. The extension folders under extensions/ declare
// the same triggers to Shopify (test/unit/extension-toml.test.ts holds the two to each other).
//
// Shopify's trigger reference: a reference field (customer_reference, order_reference) becomes
// `customer_id` / `order_id` in the payload, the numeric id of the resource; every other field is
// sent under its `key`, which may hold only letters and spaces. flowTriggerReceive takes the
// trigger's handle and that payload.

import { stepName } from "./analytics";

export type FlowTriggerHandle = "follow-up-sent" | "follow-up-clicked" | "customer-unsubscribed" | "email-bounced-or-spam";

// The field types a Flow trigger accepts (Shopify CLI's flow_trigger specification).
export type FlowTriggerFieldType =
  | "customer_reference"
  | "order_reference"
  | "product_reference"
  | "single_line_text_field"
  | "email"
  | "url"
  | "boolean"
  | "number_decimal";

export interface FlowTriggerField {
  type: FlowTriggerFieldType;
  key?: string; // only for fields that are not references
  description: string;
}

export interface FlowTriggerDefinition {
  handle: FlowTriggerHandle;
  name: string; // what the merchant picks in Flow's editor
  description: string;
  fields: FlowTriggerField[];
}

const ORDER: FlowTriggerField = { type: "order_reference", description: "The order the follow-up was sent for." };
const CUSTOMER: FlowTriggerField = { type: "customer_reference", description: "The customer who placed the order." };
const FLOW_NAME: FlowTriggerField = { type: "single_line_text_field", key: "Flow name", description: "The Afterglow flow the email belongs to." };
const STEP_NAME: FlowTriggerField = { type: "single_line_text_field", key: "Step name", description: "The step of the flow, as the flow editor names it." };

export const FLOW_TRIGGERS: readonly FlowTriggerDefinition[] = [
  {
    handle: "follow-up-sent",
    name: "Follow-up sent",
    description: "An Afterglow follow-up email was handed to the mail provider for a customer.",
    fields: [ORDER, CUSTOMER, FLOW_NAME, STEP_NAME, { type: "single_line_text_field", key: "Email subject", description: "The subject line the customer received." }],
  },
  {
    handle: "follow-up-clicked",
    name: "Follow-up clicked",
    description: "A customer clicked a link in an Afterglow follow-up email (once per click SendGrid reports).",
    fields: [ORDER, CUSTOMER, FLOW_NAME, STEP_NAME, { type: "url", key: "Link URL", description: "The address of the link the customer clicked." }],
  },
  {
    handle: "customer-unsubscribed",
    name: "Customer unsubscribed",
    description: "A customer unsubscribed through the link in an Afterglow follow-up email.",
    fields: [
      CUSTOMER,
      ORDER,
      FLOW_NAME,
      STEP_NAME,
      { type: "single_line_text_field", key: "Unsubscribed from", description: "All emails, or marketing emails only." },
    ],
  },
  {
    handle: "email-bounced-or-spam",
    name: "Email bounced or marked as spam",
    description: "An Afterglow follow-up email bounced, or the customer marked it as spam.",
    fields: [
      ORDER,
      CUSTOMER,
      FLOW_NAME,
      STEP_NAME,
      { type: "single_line_text_field", key: "Event", description: "Bounced, or Marked as spam." },
      { type: "single_line_text_field", key: "Reason", description: "The receiving server's answer for a bounce." },
    ],
  },
];

export const FLOW_TRIGGER_HANDLES = FLOW_TRIGGERS.map((t) => t.handle);

export function flowTrigger(handle: FlowTriggerHandle): FlowTriggerDefinition {
  return FLOW_TRIGGERS.find((t) => t.handle === handle)!;
}

// The payload key of a field: references by the resource's id, the others by their key.
export function payloadKey(field: FlowTriggerField): string {
  if (field.type.endsWith("_reference")) return `${field.type.replace(/_reference$/, "")}_id`;
  return field.key!;
}

// Shopify's trigger reference puts a limit on the payload flowTriggerReceive takes. The current
// reference gives 50 KB (its older guidelines said 1 MB); ours stay far below either, and a
// payload past the smaller one is refused here rather than by Shopify.
export const FLOW_TRIGGER_PAYLOAD_MAX_BYTES = 50_000;

// Flow shows single-line text on one line; a long reason or subject is cut, not refused.
const TEXT_MAX = 1_000;

export type FlowTriggerPayload = Record<string, string | number | boolean>;

// What happened, in the app's words; every trigger takes the follow-up's order and flow.
export interface FollowUpFacts {
  orderId: string | null; // gid://shopify/Order/…
  customerId: string | null; // gid://shopify/Customer/…
  flowName: string | null; // null: the flow has been deleted since
  step: { position: number; template: string } | null;
}

export type FlowTriggerFact =
  | ({ trigger: "follow-up-sent"; subject: string } & FollowUpFacts)
  | ({ trigger: "follow-up-clicked"; url: string | null } & FollowUpFacts)
  | ({ trigger: "customer-unsubscribed"; scope: "all" | "marketing" } & FollowUpFacts)
  | ({ trigger: "email-bounced-or-spam"; event: "bounce" | "spamreport"; reason: string | null } & FollowUpFacts);

export type BuiltPayload = { ok: true; payload: FlowTriggerPayload; json: string } | { ok: false; error: string };

/** The number at the end of a Shopify global id, as Flow's reference fields take it. */
export function legacyResourceId(globalId: string | null | undefined, type: "Order" | "Customer"): number | null {
  const m = globalId ? new RegExp(`^gid://shopify/${type}/(\\d+)$`).exec(globalId) : null;
  const id = m ? Number(m[1]) : NaN;
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

const oneLine = (text: string) => {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > TEXT_MAX ? `${flat.slice(0, TEXT_MAX - 1)}…` : flat;
};

const byteLength = (text: string) => new TextEncoder().encode(text).length;

/**
 * The payload Flow receives for one fact, or why none can be sent (a guest checkout has no
 * customer for the customer reference; a clicked link SendGrid did not name).
 */
export function buildFlowTriggerPayload(fact: FlowTriggerFact): BuiltPayload {
  const definition = flowTrigger(fact.trigger);
  const orderId = legacyResourceId(fact.orderId, "Order");
  const customerId = legacyResourceId(fact.customerId, "Customer");
  const text: Record<string, string | null> = {
    "Flow name": oneLine(fact.flowName ?? "A removed flow"),
    "Step name": fact.step ? stepName(fact.step) : "A removed step",
  };
  switch (fact.trigger) {
    case "follow-up-sent":
      text["Email subject"] = oneLine(fact.subject);
      break;
    case "follow-up-clicked":
      text["Link URL"] = fact.url && /^https?:\/\//i.test(fact.url) ? fact.url : null;
      break;
    case "customer-unsubscribed":
      text["Unsubscribed from"] = fact.scope === "all" ? "All emails" : "Marketing emails";
      break;
    case "email-bounced-or-spam":
      text.Event = fact.event === "bounce" ? "Bounced" : "Marked as spam";
      text.Reason = oneLine(fact.reason ?? (fact.event === "spamreport" ? "The customer marked the email as spam." : "No reason given."));
      break;
  }
  const payload: FlowTriggerPayload = {};
  for (const field of definition.fields) {
    const key = payloadKey(field);
    if (field.type === "order_reference") {
      if (orderId === null) return { ok: false, error: `"${definition.name}" needs the order, and ${fact.orderId ?? "no order"} is not a Shopify order id.` };
      payload[key] = orderId;
    } else if (field.type === "customer_reference") {
      if (customerId === null) {
        return { ok: false, error: `"${definition.name}" needs a Shopify customer, and the order has none (a guest checkout); Flow was not told.` };
      }
      payload[key] = customerId;
    } else {
      const value = text[key];
      if (value === null || value === undefined) return { ok: false, error: `"${definition.name}" has no value for "${key}"; Flow was not told.` };
      payload[key] = value;
    }
  }
  const json = JSON.stringify(payload);
  const size = byteLength(json);
  if (size > FLOW_TRIGGER_PAYLOAD_MAX_BYTES) {
    return { ok: false, error: `The payload for "${definition.name}" is ${size} bytes, over Flow's ${FLOW_TRIGGER_PAYLOAD_MAX_BYTES}.` };
  }
  return { ok: true, payload, json };
}

// ---------------------------------------------------------------------------------------------
// Flow's trigger lifecycle callback: which shops have an enabled workflow using a trigger.

export interface FlowLifecycleCallback {
  definitionId: string; // flow_trigger_definition_id
  enabled: boolean; // has_enabled_flow
  shopId: number | null;
  shop: string; // shopify_domain
  reportedAt: Date; // timestamp: a newer callback wins, an older one is ignored
}

export type ParsedLifecycleCallback = { ok: true; callback: FlowLifecycleCallback } | { ok: false; problems: string[] };

const MYSHOPIFY = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

/** The callback's body as Shopify's "Track Flow lifecycle events" documents it. */
export function parseLifecycleCallback(body: unknown): ParsedLifecycleCallback {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return { ok: false, problems: ["the body is not a JSON object"] };
  const b = body as Record<string, unknown>;
  const problems: string[] = [];
  const definitionId = typeof b.flow_trigger_definition_id === "string" ? b.flow_trigger_definition_id.trim() : "";
  if (!definitionId) problems.push("flow_trigger_definition_id must be a non-empty string");
  if (typeof b.has_enabled_flow !== "boolean") problems.push("has_enabled_flow must be true or false");
  const shop = typeof b.shopify_domain === "string" ? b.shopify_domain.trim().toLowerCase() : "";
  if (!MYSHOPIFY.test(shop)) problems.push("shopify_domain must be a myshopify.com domain");
  // The table says Number, the example sends a string of digits: both are taken.
  const rawShopId = b.shop_id;
  const shopId = typeof rawShopId === "number" ? rawShopId : typeof rawShopId === "string" && /^\d+$/.test(rawShopId) ? Number(rawShopId) : NaN;
  if (rawShopId !== undefined && rawShopId !== null && !Number.isSafeInteger(shopId)) problems.push("shop_id must be a number");
  const reportedAt = typeof b.timestamp === "string" ? new Date(b.timestamp) : new Date(NaN);
  if (Number.isNaN(reportedAt.getTime())) problems.push("timestamp must be an ISO 8601 date and time");
  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    callback: {
      definitionId,
      enabled: b.has_enabled_flow as boolean,
      shopId: Number.isSafeInteger(shopId) ? shopId : null,
      shop,
      reportedAt,
    },
  };
}

/**
 * Which of our triggers a callback is about. Shopify's example names the trigger by its title
 * ("Add row to spreadsheet"); a handle is taken too. Unknown ids are kept as they came.
 */
export function triggerOfDefinitionId(definitionId: string): FlowTriggerHandle | null {
  const wanted = definitionId.trim().toLowerCase();
  return FLOW_TRIGGERS.find((t) => t.handle === wanted || t.name.toLowerCase() === wanted)?.handle ?? null;
}
