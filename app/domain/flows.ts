// Flows as data: the definitions a merchant keeps, their JSON exchange format
// (app/domain/flows.schema.json) and the flow every newly connected shop starts with.
import Ajv2020 from "ajv/dist/2020.js";
import flowsSchema from "./flows.schema.json";
import { validateSendWindow, type SendWindow } from "./send-window";
import type { StepDelay } from "./step-timing";
import { conditionFields, validateConditions, type ConditionGroup } from "./conditions";
import { validateAbTest } from "./ab-test";
import type { TemplateId } from "./templates";
import { checkText, validateContent } from "./content";

// What starts a flow, each from its own Shopify webhook (see shopify.app.toml):
// order_created: orders/create; order_paid: orders/paid; order_fulfilled: orders/fulfilled;
// order_delivered: fulfillment_events/create with status "delivered". shopify_flow: no webhook,
// only the Shopify Flow action "Start an Afterglow flow" (extensions/start-afterglow-flow).
export const FLOW_TRIGGERS = ["order_created", "order_paid", "order_fulfilled", "order_delivered", "shopify_flow"] as const;
export type FlowTrigger = (typeof FLOW_TRIGGERS)[number];
export type DelayUnit = "minutes" | "hours" | "days" | "days_at";
export type EmailCategory = "marketing" | "service";

// A template's category when the step does not say (the registry in templates.ts decides).
export { TEMPLATE_CATEGORY } from "./templates";

export interface FlowStepDefinition {
  key: string;
  delay: { amount: number; unit: DelayUnit; at?: string; from?: "previous_step" | "trigger" };
  sendWindow?: SendWindow;
  template: TemplateId;
  category?: EmailCategory;
  subject: string;
  previewText?: string;
  content?: Record<string, unknown>;
  variants?: StepAbTest;
  // "Send this step only if…": checked when it is due (app/domain/conditions.ts, scope "step").
  conditions?: ConditionGroup;
}

// An A/B test of a step: each variant replaces the step's subject, preview text or content
// fields it sets.
export interface StepVariant {
  key: string;
  weight: number;
  subject?: string;
  previewText?: string;
  content?: Record<string, unknown>;
}
export interface StepAbTest {
  id: string;
  variants: StepVariant[];
}

// Optional exit rules of a flow (the others always apply; see exit-rules.ts).
export interface FlowExitRules {
  // Stop when the customer places another order after the trigger. Unset: on for marketing
  // steps, off for service steps.
  orderedAgain?: boolean;
}

// Whose clock a flow's times of day and send windows are read on.
export const SEND_TIME_ZONES = ["shop", "customer"] as const;
export type SendTimeZone = (typeof SEND_TIME_ZONES)[number];

export interface FlowDefinition {
  key: string;
  name: string;
  trigger: FlowTrigger;
  active: boolean;
  conditions?: ConditionGroup;
  exitRules?: FlowExitRules;
  // order_delivered only: start this many days after fulfillment if no delivery event came.
  deliveryFallbackDays?: number;
  // "shop" when absent: the customer's zone is an estimate from the order's address.
  sendTimeZone?: SendTimeZone;
  steps: FlowStepDefinition[];
}

// Whether "ordered again" stops this step: the flow's setting, else on for marketing only.
export function exitsOnNewOrder(exitRules: FlowExitRules | null | undefined, category: EmailCategory): boolean {
  return exitRules?.orderedAgain ?? category === "marketing";
}

export interface FlowsDocument {
  $schema?: string;
  version: 1;
  flows: FlowDefinition[];
}

export const FLOWS_SCHEMA_ID = flowsSchema.$id;

export const DEFAULT_FLOW_KEY = "thank-you";

// The flow a new shop is given. It starts off: the merchant turns it on once they have seen the email.
export function defaultFlows(): FlowDefinition[] {
  return [
    {
      key: DEFAULT_FLOW_KEY,
      name: "Thank you + recommendations",
      trigger: "order_created",
      active: false,
      steps: [
        {
          key: "thank-you",
          delay: { amount: 1, unit: "hours" },
          template: "thank-you",
          subject: "Thank you for your order {{ order.name }}",
          previewText: "Here is what goes well with what you bought",
        },
      ],
    },
  ];
}

export class InvalidFlowsError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`The flows are not valid:\n- ${problems.join("\n- ")}`);
    this.name = "InvalidFlowsError";
    this.problems = problems;
  }
}

const ajv = new Ajv2020({ allErrors: true, useDefaults: true });
const validateDocument = ajv.compile<FlowsDocument>(flowsSchema);

function schemaProblems(errors: typeof validateDocument.errors, prefix = ""): string[] {
  return (errors ?? []).map((e) => {
    const where = `${prefix}${e.instancePath}` || "(document)";
    const extra =
      e.keyword === "enum" ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.join(", ")})` : "";
    return `${where}: ${e.message}${extra}`;
  });
}

// The rules a schema cannot say, for one flow at `path` (e.g. /flows/0).
function flowRuleProblems(flow: FlowDefinition, path: string): string[] {
  const problems: string[] = [];
  if (flow.conditions !== undefined) problems.push(...validateConditions(flow.conditions, `${path}/conditions`));
  if (flow.deliveryFallbackDays !== undefined && flow.trigger !== "order_delivered") {
    problems.push(`${path}/deliveryFallbackDays: only a flow started by delivery (order_delivered) can fall back to the fulfillment date`);
  }
  const stepKeys = new Set<string>();
  flow.steps.forEach((step, j) => {
    const at = `${path}/steps/${j}`;
    if (stepKeys.has(step.key)) problems.push(`${at}/key: "${step.key}" is used by two steps of flow "${flow.key}"`);
    stepKeys.add(step.key);
    if (step.sendWindow) problems.push(...validateSendWindow(step.sendWindow, `${at}/sendWindow`));
    if (step.conditions !== undefined) {
      problems.push(...validateConditions(step.conditions, `${at}/conditions`, "step"));
      if (j === 0 && conditionFields(step.conditions).has("previous_step")) {
        problems.push(`${at}/conditions: the first step has no previous step; "previous_step" needs a step before it`);
      }
    }
    if (step.variants) problems.push(...validateAbTest(step.variants, `${at}/variants`));
    const texts = [...checkText(step.subject, `${at}/subject`, { max: 200 })];
    if (step.previewText) texts.push(...checkText(step.previewText, `${at}/previewText`, { max: 200 }));
    texts.push(...validateContent(step.content).map((p) => ({ ...p, path: `${at}/content${p.path}` })));
    // A variant's fields replace the step's at send time, so they must pass the same checks.
    step.variants?.variants.forEach((variant, k) => {
      const vat = `${at}/variants/variants/${k}`;
      if (variant.subject) texts.push(...checkText(variant.subject, `${vat}/subject`, { max: 200 }));
      if (variant.previewText) texts.push(...checkText(variant.previewText, `${vat}/previewText`, { max: 200 }));
      texts.push(...validateContent(variant.content).map((p) => ({ ...p, path: `${vat}/content${p.path}` })));
    });
    for (const p of texts) problems.push(`${p.path}: ${p.message}`);
  });
  return problems;
}

// Validates an import against the JSON Schema, then the rules a schema cannot say.
export function parseFlowsDocument(input: unknown): FlowsDocument {
  const doc: unknown = structuredClone(input);
  if (!validateDocument(doc)) throw new InvalidFlowsError(schemaProblems(validateDocument.errors));
  const problems: string[] = [];
  const flowKeys = new Set<string>();
  doc.flows.forEach((flow, i) => {
    if (flowKeys.has(flow.key)) problems.push(`/flows/${i}/key: "${flow.key}" is used by two flows`);
    flowKeys.add(flow.key);
    problems.push(...flowRuleProblems(flow, `/flows/${i}`));
  });
  if (problems.length) throw new InvalidFlowsError(problems);
  return doc;
}

export interface FlowProblem {
  path: string; // JSON pointer into the flow, "" for the flow itself
  message: string;
}

// One flow as the editor holds it: every problem with the JSON pointer of the field it is about.
export function validateFlow(flow: unknown): FlowProblem[] {
  const doc = { version: 1, flows: [structuredClone(flow)] };
  const pointerOf = (line: string) => line.slice(0, line.indexOf(": "));
  let lines: string[];
  if (validateDocument(doc)) lines = flowRuleProblems(doc.flows[0] as FlowDefinition, "/flows/0");
  else {
    lines = schemaProblems(validateDocument.errors).filter((l) => l.startsWith("/flows"));
    // The schema leaves the shape of conditions to their own validator, so they are checked either way.
    const conditions = (doc.flows[0] as { conditions?: unknown } | null)?.conditions;
    if (typeof conditions === "object" && conditions !== null) {
      const seen = new Set(lines.map(pointerOf));
      lines.push(...validateConditions(conditions, "/flows/0/conditions").filter((l) => !seen.has(pointerOf(l))));
    }
  }
  return lines.map((line) => {
    const at = line.indexOf(": ");
    const pointer = line.slice(0, at).replace(/^\/flows\/0/, "");
    return { path: pointer, message: line.slice(at + 2) };
  });
}

// A valid flow with the schema's defaults filled in, or InvalidFlowsError.
export function parseFlow(flow: unknown): FlowDefinition {
  const problems = validateFlow(flow);
  if (problems.length) throw new InvalidFlowsError(problems.map((p) => `${p.path || "(flow)"}: ${p.message}`));
  const doc = { version: 1, flows: [structuredClone(flow)] };
  validateDocument(doc); // fills defaults
  return doc.flows[0] as FlowDefinition;
}

// The JSON form of a delay as the step-timing rules take it.
export function stepDelay(delay: FlowStepDefinition["delay"]): StepDelay {
  return delay.unit === "days_at"
    ? { unit: "days_at", days: delay.amount, at: delay.at ?? "00:00" }
    : { unit: delay.unit, amount: delay.amount };
}
