// Shopify Flow's side of flowTriggerReceive, for the store simulator: the app's trigger extensions
// as `shopify app deploy` gives them to Shopify (read from extensions/*/shopify.extension.toml),
// checked as the trigger reference describes them, and every trigger a store took, kept for tests.
import { createHmac } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import toml from "toml";
import type { SeedStore } from "./store";

export interface SimulatedTriggerField {
  type: string;
  key?: string;
}

export interface SimulatedTrigger {
  handle: string;
  name: string;
  fields: SimulatedTriggerField[];
}

export interface ReceivedFlowTrigger {
  handle: string;
  payload: Record<string, unknown>;
  at: Date;
}

export interface FlowUserError {
  field: string[] | null;
  message: string;
}

// The trigger reference's payload limit (its older guidelines said 1 MB; the current one 50 KB).
export const FLOW_PAYLOAD_MAX_BYTES = 50_000;

const EXTENSIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "extensions");

/** The flow_trigger extensions in a folder of extensions, as Shopify knows them after a deploy. */
export function deployedFlowTriggers(dir = EXTENSIONS_DIR): SimulatedTrigger[] {
  if (!fs.existsSync(dir)) return [];
  const triggers: SimulatedTrigger[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name, "shopify.extension.toml");
    if (!entry.isDirectory() || !fs.existsSync(file)) continue;
    const parsed = toml.parse(fs.readFileSync(file, "utf8")) as {
      extensions?: { type?: string; handle?: string; name?: string }[];
      settings?: { fields?: SimulatedTriggerField[] };
    };
    const extension = parsed.extensions?.[0];
    if (extension?.type !== "flow_trigger" || !extension.handle) continue;
    triggers.push({ handle: extension.handle, name: extension.name ?? extension.handle, fields: parsed.settings?.fields ?? [] });
  }
  return triggers;
}

const triggersByStore = new WeakMap<SeedStore, SimulatedTrigger[]>();
const receivedByStore = new WeakMap<SeedStore, ReceivedFlowTrigger[]>();

/** The triggers a store's Flow knows; by default the repository's own extensions. */
export function flowTriggersOf(store: SeedStore): SimulatedTrigger[] {
  let list = triggersByStore.get(store);
  if (!list) {
    list = deployedFlowTriggers();
    triggersByStore.set(store, list);
  }
  return list;
}

export function setFlowTriggers(store: SeedStore, triggers: SimulatedTrigger[]): void {
  triggersByStore.set(store, triggers);
}

/** Every trigger the store's Flow took, oldest first. */
export function flowTriggersReceived(store: SeedStore): ReceivedFlowTrigger[] {
  let list = receivedByStore.get(store);
  if (!list) {
    list = [];
    receivedByStore.set(store, list);
  }
  return list;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function fieldProblem(field: SimulatedTriggerField, value: unknown): string | null {
  switch (field.type) {
    case "customer_reference":
    case "order_reference":
    case "product_reference":
    case "company_reference":
    case "company_contact_reference":
      // The numeric id (legacyResourceId), not a global id.
      return typeof value === "number" && Number.isSafeInteger(value) && value > 0 ? null : "must be the resource's numeric id";
    case "single_line_text_field":
      return typeof value === "string" && !/[\r\n]/.test(value) ? null : "must be a single line of text";
    case "url":
      return typeof value === "string" && /^https?:\/\/\S+$/i.test(value) ? null : "must be an http or https URL";
    case "email":
      return typeof value === "string" && /^[^\s@]+@[^\s@]+$/.test(value) ? null : "must be an email address";
    case "boolean":
      return typeof value === "boolean" ? null : "must be true or false";
    case "number_decimal":
      return typeof value === "number" && Number.isFinite(value) ? null : "must be a number";
    default:
      return null; // schema.<type>: not modelled, taken as is
  }
}

export function payloadKeyOf(field: SimulatedTriggerField): string {
  return field.type.endsWith("_reference") ? `${field.type.replace(/_reference$/, "")}_id` : (field.key ?? "");
}

/**
 * flowTriggerReceive(handle, payload): the userErrors Shopify answers with, or none when the
 * trigger was taken (then it is kept in flowTriggersReceived).
 */
export function receiveFlowTrigger(store: SeedStore, { handle, payload, now }: { handle: unknown; payload: unknown; now: Date }): FlowUserError[] {
  if (typeof handle !== "string" || handle.trim() === "") return [{ field: ["handle"], message: "Handle can't be blank" }];
  const trigger = flowTriggersOf(store).find((t) => t.handle === handle);
  if (!trigger) return [{ field: ["handle"], message: `No Flow trigger with handle "${handle}" is deployed for this app` }];
  if (!isPlainObject(payload)) return [{ field: ["payload"], message: "Payload must be a JSON object" }];
  const size = Buffer.byteLength(JSON.stringify(payload));
  if (size > FLOW_PAYLOAD_MAX_BYTES) return [{ field: ["payload"], message: `Payload is too large (${size} bytes; the maximum is ${FLOW_PAYLOAD_MAX_BYTES})` }];
  const errors: FlowUserError[] = [];
  const keys = new Set<string>();
  for (const field of trigger.fields) {
    const key = payloadKeyOf(field);
    keys.add(key);
    if (!(key in payload) || payload[key] === null) {
      errors.push({ field: ["payload", key], message: `${key} is required by the "${trigger.name}" trigger` });
      continue;
    }
    const problem = fieldProblem(field, payload[key]);
    if (problem) errors.push({ field: ["payload", key], message: `${key} ${problem}` });
  }
  for (const key of Object.keys(payload)) {
    if (!keys.has(key)) errors.push({ field: ["payload", key], message: `${key} is not a field of the "${trigger.name}" trigger` });
  }
  if (errors.length) return errors;
  flowTriggersReceived(store).push({ handle, payload: structuredClone(payload), at: now });
  return [];
}

// ---------------------------------------------------------------------------------------------
// Flow's trigger lifecycle callback, as Flow posts it to the app when a merchant turns a workflow
// that uses the trigger on or off: JSON, signed with the app's client secret like a webhook.

export interface LifecycleCallbackArgs {
  shop: string;
  shopId?: number;
  // Flow's flow_trigger_definition_id; its documentation's example names the trigger by its title.
  definitionId: string;
  enabled: boolean;
  timestamp?: Date;
  secret: string;
}

export function flowLifecycleRequest({ shop, shopId = 690933842, definitionId, enabled, timestamp = new Date(), secret }: LifecycleCallbackArgs): {
  headers: Record<string, string>;
  body: string;
} {
  const body = JSON.stringify({
    flow_trigger_definition_id: definitionId,
    has_enabled_flow: enabled,
    shop_id: String(shopId),
    shopify_domain: shop,
    timestamp: timestamp.toISOString(),
  });
  const hmac = createHmac("sha256", secret).update(body, "utf8").digest("base64");
  return { headers: { "Content-Type": "application/json", "X-Shopify-Hmac-Sha256": hmac }, body };
}
