// The Shopify Flow action "Start an Afterglow flow" (extensions/start-afterglow-flow): what Flow
// posts to the action's runtime URL, read and checked. The body is Flow's documented execution
// payload: shop_id, shopify_domain, action_run_id, action_definition_id, handle, and the
// merchant's fields under properties; the order field (type order_reference) arrives as
// properties.order_id, the order's numeric id.

// The extension's handle (shopify.extension.toml) and the keys of its fields.
export const FLOW_ACTION_HANDLE = "start-afterglow-flow";
export const FLOW_KEY_PROPERTY = "flow_key";
export const ORDER_ID_PROPERTY = "order_id";

export interface FlowActionRequest {
  shop: string; // shopify_domain
  actionRunId: string; // the same for every resend of one run: the dedupe key
  flowKey: string; // the Afterglow flow the merchant chose
  orderId: string; // gid://shopify/Order/123
}

export class InvalidFlowActionError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`The Shopify Flow action request is not valid: ${problems.join("; ")}.`);
    this.name = "InvalidFlowActionError";
    this.problems = problems;
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;
// The flow keys app/domain/flows.schema.json allows.
const FLOW_KEY = /^[a-z0-9][a-z0-9-]{0,62}$/;
const NUMERIC_ID = /^\d{1,20}$/;
const ORDER_GID = "gid://shopify/Order/";

// Flow documents the id as the order's numeric id; its global id form is read as the same order.
function orderGid(value: unknown): string | null {
  const text = typeof value === "number" && Number.isSafeInteger(value) && value > 0 ? String(value) : typeof value === "string" ? value.trim() : "";
  const numeric = text.startsWith(ORDER_GID) ? text.slice(ORDER_GID.length) : text;
  return NUMERIC_ID.test(numeric) && !/^0+$/.test(numeric) ? `${ORDER_GID}${numeric}` : null;
}

// Every problem at once, so Flow's run log names all of them.
export function parseFlowActionRequest(body: unknown): FlowActionRequest {
  if (!isObject(body)) throw new InvalidFlowActionError(["the body is not a JSON object"]);
  const problems: string[] = [];
  const shop = typeof body.shopify_domain === "string" ? body.shopify_domain.trim().toLowerCase() : "";
  if (!SHOP_DOMAIN.test(shop)) problems.push("shopify_domain is missing or not a myshopify.com domain");
  const actionRunId = typeof body.action_run_id === "string" ? body.action_run_id.trim() : "";
  if (!actionRunId || actionRunId.length > 255) problems.push("action_run_id is missing or longer than 255 characters");
  if (body.handle !== FLOW_ACTION_HANDLE) problems.push(`handle is not "${FLOW_ACTION_HANDLE}", so the request is for another action`);
  const properties = isObject(body.properties) ? body.properties : null;
  if (!properties) problems.push("properties is missing");
  const rawKey = properties?.[FLOW_KEY_PROPERTY];
  const flowKey = typeof rawKey === "string" ? rawKey.trim().toLowerCase() : "";
  if (properties && !FLOW_KEY.test(flowKey)) {
    problems.push(
      flowKey
        ? `${FLOW_KEY_PROPERTY} "${flowKey.slice(0, 80)}" is not a flow key (lowercase letters, digits and dashes)`
        : `${FLOW_KEY_PROPERTY} is empty: enter the key of an Afterglow flow in the action`,
    );
  }
  const orderId = properties ? orderGid(properties[ORDER_ID_PROPERTY]) : null;
  if (properties && !orderId) problems.push(`${ORDER_ID_PROPERTY} is missing or not an order id`);
  if (problems.length) throw new InvalidFlowActionError(problems);
  return { shop, actionRunId, flowKey, orderId: orderId! };
}
