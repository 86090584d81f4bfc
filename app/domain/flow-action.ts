// The Shopify Flow action "Start an Afterglow flow" (extensions/start-afterglow-flow): what Flow
// posts to the action's runtime URL, read and checked. The body is Flow's documented execution
// payload: shop_id, shopify_domain, action_run_id, action_definition_id, handle, and the
// merchant's fields under properties; the order field (type order_reference) arrives as
// properties.order_id, the order's numeric id. With the action's custom configuration page, Flow
// names the workflow step by step_reference, and the flow chosen on that page is stored under it:
// in the runtime request among the properties (Flow's documented example; at the top level is
// read too), in the preview request at the top level, in the validation request per step of the
// workflow (steps[].step_reference, with that step's properties).

// The extension's handle (shopify.extension.toml) and the keys of its fields.
export const FLOW_ACTION_HANDLE = "start-afterglow-flow";
export const FLOW_KEY_PROPERTY = "flow_key";
export const ORDER_ID_PROPERTY = "order_id";
export const STEP_REFERENCE = "step_reference";

export interface FlowActionRequest {
  shop: string; // shopify_domain
  actionRunId: string; // the same for every resend of one run: the dedupe key
  // The workflow step: the flow chosen for it on the configuration page is the one to start.
  stepReference: string | null;
  // The key typed in the action's field by workflows made before the configuration page.
  flowKey: string | null;
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
  const stepReference = readStepReference(properties?.[STEP_REFERENCE] ?? body[STEP_REFERENCE]);
  if (stepReference === undefined) problems.push(`${STEP_REFERENCE} is not a string of at most 255 characters`);
  const { flowKey, problem: flowKeyProblem } = readFlowKey(properties?.[FLOW_KEY_PROPERTY]);
  if (properties && flowKeyProblem) problems.push(flowKeyProblem);
  else if (properties && !flowKey && stepReference === null) {
    problems.push(`no Afterglow flow is chosen: open the action in Shopify Flow and choose the flow on its configuration page`);
  }
  const orderId = properties ? orderGid(properties[ORDER_ID_PROPERTY]) : null;
  if (properties && !orderId) problems.push(`${ORDER_ID_PROPERTY} is missing or not an order id`);
  if (problems.length) throw new InvalidFlowActionError(problems);
  return { shop, actionRunId, stepReference: stepReference ?? null, flowKey, orderId: orderId! };
}

// The flow key an older workflow typed into the action's field: null when absent, with the problem
// when it is there but not a key.
function readFlowKey(raw: unknown): { flowKey: string | null; problem: string | null } {
  if (raw === undefined || raw === null) return { flowKey: null, problem: null };
  if (typeof raw !== "string") return { flowKey: null, problem: `${FLOW_KEY_PROPERTY} is not text` };
  const key = raw.trim().toLowerCase();
  if (!key) return { flowKey: null, problem: null };
  if (!FLOW_KEY.test(key)) return { flowKey: null, problem: `${FLOW_KEY_PROPERTY} "${key.slice(0, 80)}" is not a flow key (lowercase letters, digits and dashes)` };
  return { flowKey: key, problem: null };
}

// null when absent; undefined when present but not a step reference.
function readStepReference(value: unknown): string | null | undefined {
  if (value === undefined || value === null || value === "") return null;
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  return text && text.length <= 255 ? text : undefined;
}

// What Flow posts to the preview URL (the box the action shows in the workflow editor: one step,
// named at the top level) and to the validation URL (when the merchant saves or turns on the
// workflow: every step of it that uses the action, each with its fields).
export interface FlowActionStep {
  stepReference: string;
  flowKey: string | null; // the typed key of an older workflow, in the validation request
}

export interface FlowActionStepRequest {
  shop: string;
  steps: FlowActionStep[];
}

const MAX_STEPS = 100;

function readStep(value: unknown, where: string, problems: string[]): FlowActionStep | null {
  const step = isObject(value) ? value : {};
  const stepReference = readStepReference(step[STEP_REFERENCE]);
  if (!stepReference) {
    problems.push(`${where}${STEP_REFERENCE} is missing or longer than 255 characters`);
    return null;
  }
  const properties = isObject(step.properties) ? step.properties : {};
  // A key that is not one leaves the step to its configuration page's choice.
  return { stepReference, flowKey: readFlowKey(properties[FLOW_KEY_PROPERTY]).flowKey };
}

export function parseFlowActionStepRequest(body: unknown): FlowActionStepRequest {
  if (!isObject(body)) throw new InvalidFlowActionError(["the body is not a JSON object"]);
  const problems: string[] = [];
  const shop = typeof body.shopify_domain === "string" ? body.shopify_domain.trim().toLowerCase() : "";
  if (!SHOP_DOMAIN.test(shop)) problems.push("shopify_domain is missing or not a myshopify.com domain");
  const steps: FlowActionStep[] = [];
  if (Array.isArray(body.steps)) {
    if (body.steps.length === 0 || body.steps.length > MAX_STEPS) problems.push(`steps has ${body.steps.length} entries; 1 to ${MAX_STEPS} are read`);
    else
      body.steps.forEach((raw, i) => {
        const step = readStep(raw, `steps[${i}].`, problems);
        if (step) steps.push(step);
      });
  } else {
    const step = readStep(body, "", problems);
    if (step) steps.push(step);
  }
  if (problems.length) throw new InvalidFlowActionError(problems);
  return { shop, steps };
}

// The flow a step starts, as far as the merchant needs to know it.
export interface StepFlow {
  name: string;
  key: string;
  trigger: string;
  active: boolean;
  steps: number; // the flow's follow-up emails
}

export const STARTED_FROM_SHOPIFY_FLOW = "shopify_flow";

// Why a flow cannot be started by the action, in the merchant's words; null when it can.
export function stepFlowProblem(flow: StepFlow | null, triggerLabel: (trigger: string) => string): string | null {
  if (!flow) return "No Afterglow flow is chosen for this step. Open the configuration page and choose one.";
  if (flow.trigger !== STARTED_FROM_SHOPIFY_FLOW) {
    return `The Afterglow flow "${flow.name}" starts on "${triggerLabel(flow.trigger)}", not from Shopify Flow. Choose another flow, or set its trigger to "Started from Shopify Flow" in Afterglow.`;
  }
  if (!flow.active) return `The Afterglow flow "${flow.name}" is off. Turn it on in Afterglow so the workflow can start it.`;
  return null;
}

// Flow's preview of the configuration page: a label, a line of text and the button's words.
export interface FlowActionPreview {
  label_text: string;
  text_preview: string;
  button_text: string;
}

export function flowActionPreview(flow: StepFlow | null, triggerLabel: (trigger: string) => string): FlowActionPreview {
  if (!flow) return { label_text: "Afterglow flow", text_preview: "No flow chosen yet: choose the Afterglow flow this step starts.", button_text: "Choose flow" };
  const emails = `${flow.steps} follow-up email${flow.steps === 1 ? "" : "s"}`;
  const problem = stepFlowProblem(flow, triggerLabel);
  return { label_text: "Afterglow flow", text_preview: problem ?? `${flow.name}: ${emails} for the workflow's order.`, button_text: "Change flow" };
}

// Flow's validation answer: one error per problem, naming the field it is about; none when the
// step can run.
export interface FlowActionValidationError {
  id: string;
  message: string;
}

export function flowActionValidation(flow: StepFlow | null, triggerLabel: (trigger: string) => string): FlowActionValidationError[] {
  const problem = stepFlowProblem(flow, triggerLabel);
  return problem ? [{ id: STEP_REFERENCE, message: problem }] : [];
}
