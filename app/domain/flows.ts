// Flows as data: the definitions a merchant keeps, their JSON exchange format
// (docs/flows.schema.json) and the flow every newly connected shop starts with.
import Ajv2020 from "ajv/dist/2020.js";
import flowsSchema from "../../docs/flows.schema.json";
import { validateSendWindow, type SendWindow } from "./send-window";
import type { StepDelay } from "./step-timing";
import type { TemplateId } from "./templates";
import { checkText, validateContent } from "./content";

export type FlowTrigger = "order_created";
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
}

export interface FlowDefinition {
  key: string;
  name: string;
  trigger: FlowTrigger;
  active: boolean;
  steps: FlowStepDefinition[];
}

export interface FlowsDocument {
  $schema?: string;
  version: 1;
  flows: FlowDefinition[];
}

export const FLOWS_SCHEMA_ID = flowsSchema.$id;

export function defaultFlows(): FlowDefinition[] {
  return [
    {
      key: "thank-you",
      name: "Thank you + recommendations",
      trigger: "order_created",
      active: true,
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

// Validates an import against the JSON Schema, then the rules a schema cannot say.
export function parseFlowsDocument(input: unknown): FlowsDocument {
  const doc: unknown = structuredClone(input);
  if (!validateDocument(doc)) {
    const problems = (validateDocument.errors ?? []).map((e) => {
      const where = e.instancePath || "(document)";
      const extra =
        e.keyword === "enum" ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.join(", ")})` : "";
      return `${where}: ${e.message}${extra}`;
    });
    throw new InvalidFlowsError(problems);
  }
  const problems: string[] = [];
  const flowKeys = new Set<string>();
  doc.flows.forEach((flow, i) => {
    if (flowKeys.has(flow.key)) problems.push(`/flows/${i}/key: "${flow.key}" is used by two flows`);
    flowKeys.add(flow.key);
    const stepKeys = new Set<string>();
    flow.steps.forEach((step, j) => {
      if (stepKeys.has(step.key))
        problems.push(`/flows/${i}/steps/${j}/key: "${step.key}" is used by two steps of flow "${flow.key}"`);
      stepKeys.add(step.key);
      if (step.sendWindow) problems.push(...validateSendWindow(step.sendWindow, `/flows/${i}/steps/${j}/sendWindow`));
      const at = `/flows/${i}/steps/${j}`;
      const texts = [...checkText(step.subject, `${at}/subject`, { max: 200 })];
      if (step.previewText) texts.push(...checkText(step.previewText, `${at}/previewText`, { max: 200 }));
      texts.push(...validateContent(step.content).map((p) => ({ ...p, path: `${at}/content${p.path}` })));
      for (const p of texts) problems.push(`${p.path}: ${p.message}`);
    });
  });
  if (problems.length) throw new InvalidFlowsError(problems);
  return doc;
}

// The JSON form of a delay as the step-timing rules take it.
export function stepDelay(delay: FlowStepDefinition["delay"]): StepDelay {
  return delay.unit === "days_at"
    ? { unit: "days_at", days: delay.amount, at: delay.at ?? "00:00" }
    : { unit: delay.unit, amount: delay.amount };
}
