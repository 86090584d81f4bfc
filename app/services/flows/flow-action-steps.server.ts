// The Afterglow flow each step of a Shopify Flow workflow starts, as chosen on the action's
// configuration page (app/routes/app.flow-action-config.tsx): the flows a step may start, the
// choice stored under Flow's step_reference, and the preview and validation Flow asks for.
import type { PrismaClient } from "@prisma/client";
import {
  flowActionPreview,
  flowActionValidation,
  STARTED_FROM_SHOPIFY_FLOW,
  type FlowActionPreview,
  type FlowActionValidationError,
  type StepFlow,
} from "~/domain/flow-action";
import { TRIGGERS } from "~/components/flow-draft";

export const triggerLabel = (trigger: string): string => TRIGGERS.find((t) => t.value === trigger)?.label ?? trigger;

export interface StartableFlow extends StepFlow {
  id: string;
}

const FLOW_FIELDS = { id: true, key: true, name: true, trigger: true, active: true, _count: { select: { steps: true } } } as const;
type FlowRow = { id: string; key: string; name: string; trigger: string; active: boolean; _count: { steps: number } };
const stepFlow = (f: FlowRow): StartableFlow => ({ id: f.id, key: f.key, name: f.name, trigger: f.trigger, active: f.active, steps: f._count.steps });

// The shop's flows started from Shopify Flow, on ones first: the list the configuration page offers.
export async function startableFlows({ prisma, shop }: { prisma: PrismaClient; shop: string }): Promise<StartableFlow[]> {
  const rows = await prisma.flow.findMany({ where: { shop, trigger: STARTED_FROM_SHOPIFY_FLOW }, select: FLOW_FIELDS, orderBy: [{ active: "desc" }, { name: "asc" }] });
  return rows.map(stepFlow);
}

// The flow chosen for a step, or, for a workflow made before the configuration page, the flow
// its typed key names; null when neither names a flow of this shop.
export async function stepFlowFor({
  prisma,
  shop,
  stepReference,
  flowKey = null,
}: {
  prisma: PrismaClient;
  shop: string;
  stepReference: string | null;
  flowKey?: string | null;
}): Promise<StartableFlow | null> {
  const chosen = stepReference ? await prisma.flowActionStep.findUnique({ where: { shop_stepReference: { shop, stepReference } }, select: { flowId: true } }) : null;
  if (chosen) {
    const row = await prisma.flow.findFirst({ where: { id: chosen.flowId, shop }, select: FLOW_FIELDS });
    if (row) return stepFlow(row);
  }
  if (!flowKey) return null;
  const row = await prisma.flow.findUnique({ where: { shop_key: { shop, key: flowKey } }, select: FLOW_FIELDS });
  return row ? stepFlow(row) : null;
}

export class StepChoiceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StepChoiceError";
  }
}

// Stores the merchant's choice; only a flow of this shop started from Shopify Flow can be chosen.
export async function chooseFlowForStep({
  prisma,
  shop,
  stepReference,
  flowId,
}: {
  prisma: PrismaClient;
  shop: string;
  stepReference: string;
  flowId: string;
}): Promise<StartableFlow> {
  const reference = stepReference.trim();
  if (!reference || reference.length > 255) throw new StepChoiceError("Open this page from the action in Shopify Flow: it names the workflow step to configure.");
  const row = await prisma.flow.findFirst({ where: { id: flowId, shop }, select: FLOW_FIELDS });
  if (!row) throw new StepChoiceError("That flow is not one of this shop's flows. Choose a flow from the list.");
  if (row.trigger !== STARTED_FROM_SHOPIFY_FLOW) {
    throw new StepChoiceError(`"${row.name}" starts on "${triggerLabel(row.trigger)}". Only flows started from Shopify Flow can be chosen.`);
  }
  await prisma.flowActionStep.upsert({
    where: { shop_stepReference: { shop, stepReference: reference } },
    create: { shop, stepReference: reference, flowId: row.id },
    update: { flowId: row.id },
  });
  return stepFlow(row);
}

export async function previewForStep(args: { prisma: PrismaClient; shop: string; stepReference: string }): Promise<FlowActionPreview> {
  return flowActionPreview(await stepFlowFor(args), triggerLabel);
}

// Every step of the workflow that uses the action; one error per step that cannot run, the same
// problem said once.
export async function validateSteps({
  prisma,
  shop,
  steps,
}: {
  prisma: PrismaClient;
  shop: string;
  steps: { stepReference: string; flowKey: string | null }[];
}): Promise<FlowActionValidationError[]> {
  // The steps' choices and flows in two queries, however many steps the workflow has; each step
  // then resolves as stepFlowFor does: its chosen flow, else its typed key's.
  const choices = await prisma.flowActionStep.findMany({
    where: { shop, stepReference: { in: [...new Set(steps.map((s) => s.stepReference))] } },
    select: { stepReference: true, flowId: true },
  });
  const chosenFlowId = new Map(choices.map((c) => [c.stepReference, c.flowId]));
  const keys = [...new Set(steps.flatMap((s) => (s.flowKey ? [s.flowKey] : [])))];
  const rows = await prisma.flow.findMany({
    where: { shop, OR: [{ id: { in: [...new Set(chosenFlowId.values())] } }, { key: { in: keys } }] },
    select: FLOW_FIELDS,
  });
  const byId = new Map(rows.map((r) => [r.id, r]));
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const errors: FlowActionValidationError[] = [];
  for (const step of steps) {
    const flowId = chosenFlowId.get(step.stepReference);
    const row = (flowId ? byId.get(flowId) : undefined) ?? (step.flowKey ? byKey.get(step.flowKey) : undefined);
    for (const error of flowActionValidation(row ? stepFlow(row) : null, triggerLabel)) {
      if (!errors.some((e) => e.id === error.id && e.message === error.message)) errors.push(error);
    }
  }
  return errors;
}
