import type { PrismaClient } from "@prisma/client";
import {
  TEMPLATE_CATEGORY,
  type EmailCategory,
  FLOWS_SCHEMA_ID,
  parseFlow,
  parseFlowsDocument,
  validateFlow,
  type FlowExitRules,
  type FlowProblem,
  type DelayUnit,
  type FlowDefinition,
  type FlowsDocument,
  type FlowTrigger,
} from "~/domain/flows";
import type { ScheduledFlow } from "~/domain/scheduling";
import type { SendWindow } from "~/domain/send-window";
import type { ConditionGroup } from "~/domain/conditions";
import { config } from "~/platform/config.server";
import { flowConditions, flowExitRules, shopDefaultSendWindow, stepSendWindow, stepVariants } from "~/domain/stored-rows";

type Db = Pick<PrismaClient, "flow" | "flowStep">;
type Tx = Pick<PrismaClient, "flow" | "flowStep">;

export { validateFlow, type FlowProblem };

// Replaces each imported flow (matched by key) with the given definition; other flows stay.
// Step ids survive when their key does, so scheduled follow-ups keep pointing at them.
export async function importFlows(prisma: PrismaClient, shop: string, input: unknown): Promise<FlowDefinition[]> {
  const doc = parseFlowsDocument(input);
  await prisma.$transaction(async (tx) => {
    for (const flow of doc.flows) await writeFlow(tx, shop, flow);
  });
  shopSettingsChanged();
  return doc.flows;
}

// The flow editor's save: validates one flow (InvalidFlowsError with JSON-pointer paths, as
// validateFlow gives them) and creates or replaces it by key, its steps replaced by the given ones.
export async function saveFlow({
  prisma,
  shop,
  flow,
}: {
  prisma: PrismaClient;
  shop: string;
  flow: unknown;
}): Promise<{ id: string; flow: FlowDefinition }> {
  const parsed = parseFlow(flow);
  const id = await prisma.$transaction((tx) => writeFlow(tx, shop, parsed));
  shopSettingsChanged();
  return { id, flow: parsed };
}

// Creates or replaces one valid flow by key, in the caller's transaction.
export async function writeFlow(tx: Tx, shop: string, flow: FlowDefinition): Promise<string> {
  const flowData = {
    name: flow.name,
    trigger: flow.trigger,
    active: flow.active,
    conditions: flow.conditions ? JSON.stringify(flow.conditions) : null,
    exitRules: flow.exitRules ? JSON.stringify(flow.exitRules) : null,
    deliveryFallbackDays: flow.deliveryFallbackDays ?? null,
    sendTimeZone: flow.sendTimeZone ?? "shop",
  };
  const saved = await tx.flow.upsert({
    where: { shop_key: { shop, key: flow.key } },
    create: { shop, key: flow.key, ...flowData },
    update: flowData,
  });
  const keep = flow.steps.map((s) => s.key);
  await tx.flowStep.deleteMany({ where: { flowId: saved.id, key: { notIn: keep } } });
  for (const [position, step] of flow.steps.entries()) {
    const data = {
      position,
      delayAmount: step.delay.amount,
      delayUnit: step.delay.unit,
      delayAt: step.delay.at ?? null,
      delayFrom: step.delay.from ?? "previous_step",
      sendWindow: step.sendWindow ? JSON.stringify(step.sendWindow) : null,
      template: step.template,
      category: step.category ?? TEMPLATE_CATEGORY[step.template],
      subject: step.subject,
      previewText: step.previewText ?? null,
      content: step.content ? JSON.stringify(step.content) : null,
      variants: step.variants ? JSON.stringify(step.variants) : null,
      conditions: step.conditions ? JSON.stringify(step.conditions) : null,
    };
    await tx.flowStep.upsert({
      where: { flowId_key: { flowId: saved.id, key: step.key } },
      create: { flowId: saved.id, key: step.key, ...data },
      update: data,
    });
  }
  return saved.id;
}

function delayOf(s: { delayAmount: number; delayUnit: string; delayAt: string | null; delayFrom: string }) {
  return {
    amount: s.delayAmount,
    unit: s.delayUnit as DelayUnit,
    ...(s.delayAt ? { at: s.delayAt } : {}),
    ...(s.delayFrom === "trigger" ? { from: "trigger" as const } : {}),
  };
}

// The shop's flows (or the flows of `ids`) in the format importFlows reads.
export async function exportFlows(prisma: Db, shop: string, { ids }: { ids?: string[] } = {}): Promise<FlowsDocument> {
  const flows = await prisma.flow.findMany({
    where: { shop, ...(ids ? { id: { in: ids } } : {}) },
    include: { steps: { orderBy: { position: "asc" } } },
    orderBy: { createdAt: "asc" },
  });
  return {
    $schema: FLOWS_SCHEMA_ID,
    version: 1,
    flows: flows.map((f) => ({
      key: f.key,
      name: f.name,
      trigger: f.trigger as FlowTrigger,
      active: f.active,
      ...(f.conditions ? { conditions: JSON.parse(f.conditions) as ConditionGroup } : {}),
      ...(f.exitRules ? { exitRules: JSON.parse(f.exitRules) as FlowExitRules } : {}),
      ...(f.deliveryFallbackDays !== null ? { deliveryFallbackDays: f.deliveryFallbackDays } : {}),
      ...(f.sendTimeZone === "customer" ? { sendTimeZone: "customer" as const } : {}),
      steps: f.steps.map((s) => ({
        key: s.key,
        delay: delayOf(s),
        ...(s.sendWindow ? { sendWindow: JSON.parse(s.sendWindow) } : {}),
        template: s.template as "thank-you",
        category: s.category as EmailCategory,
        subject: s.subject,
        ...(s.previewText ? { previewText: s.previewText } : {}),
        ...(s.content ? { content: JSON.parse(s.content) } : {}),
        ...(s.variants ? { variants: stepVariants(s)! } : {}),
        ...(s.conditions ? { conditions: JSON.parse(s.conditions) as ConditionGroup } : {}),
      })),
    })),
  };
}

export async function activeFlowsFor(prisma: Db, shop: string, trigger: FlowTrigger): Promise<ScheduledFlow[]> {
  const flows = await prisma.flow.findMany({
    where: { shop, trigger, active: true },
    include: { steps: { orderBy: { position: "asc" } } },
  });
  return flows.map((f) => ({
    id: f.id,
    key: f.key,
    trigger: f.trigger as FlowTrigger,
    active: f.active,
    conditions: flowConditions(f),
    exitRules: flowExitRules(f),
    sendTimeZone: f.sendTimeZone === "customer" ? "customer" : "shop",
    steps: f.steps.map((s) => ({
      id: s.id,
      key: s.key,
      position: s.position,
      delay: delayOf(s),
      sendWindow: stepSendWindow(s),
      template: s.template,
      category: (s.category === "service" ? "service" : "marketing") as EmailCategory,
    })),
  }));
}

// What intake needs about a shop on every orders/create: whether it is connected, its time
// zone and its active flows. Cached briefly per process, because ingest runs at webhook rate
// and these change rarely; changes made in this process take effect at once, changes from
// another process within INTAKE_CACHE_MS. The dispatcher re-checks everything before sending.
export type IntakeContext =
  | { ok: true; timeZone: string | null; defaultSendWindow: SendWindow | null; flows: ScheduledFlow[] }
  | { ok: false; reason: string };

let settingsGeneration = 0;
const intakeCache = new WeakMap<object, Map<string, { at: number; generation: number; value: IntakeContext }>>();

export function shopSettingsChanged(): void {
  settingsGeneration++;
}

// Whether a shop is connected and its storefront, for binding a webhook body to its shop:
// read at webhook rate, so cached like intake's context and forgotten on the same changes.
export type ShopConnection = { uninstalledAt: Date | null; storefrontUrl: string | null } | null;
const connectionCache = new WeakMap<object, Map<string, { at: number; generation: number; value: ShopConnection }>>();

export async function shopConnection(prisma: Pick<PrismaClient, "shop">, shop: string, ttlMs = config().queue.intakeCacheMs): Promise<ShopConnection> {
  let byShop = connectionCache.get(prisma);
  if (!byShop) connectionCache.set(prisma, (byShop = new Map()));
  const hit = byShop.get(shop);
  if (hit && hit.generation === settingsGeneration && Date.now() - hit.at < ttlMs) return hit.value;
  const generation = settingsGeneration;
  const value = await prisma.shop.findUnique({ where: { domain: shop }, select: { uninstalledAt: true, storefrontUrl: true } });
  byShop.set(shop, { at: Date.now(), generation, value });
  return value;
}

export async function intakeContext(
  prisma: Pick<PrismaClient, "flow" | "flowStep" | "shop">,
  shop: string,
  trigger: FlowTrigger,
  ttlMs = config().queue.intakeCacheMs,
): Promise<IntakeContext> {
  let byShop = intakeCache.get(prisma);
  if (!byShop) intakeCache.set(prisma, (byShop = new Map()));
  const key = `${shop}\n${trigger}`;
  const hit = byShop.get(key);
  if (hit && hit.generation === settingsGeneration && Date.now() - hit.at < ttlMs) return hit.value;

  // The generation as the read starts: a change committed during the read leaves this entry stale.
  const generation = settingsGeneration;
  const row = await prisma.shop.findUnique({ where: { domain: shop } });
  const value: IntakeContext = !row
    ? { ok: false, reason: "The shop is not connected to Afterglow." }
    : row.uninstalledAt
      ? { ok: false, reason: "The app is uninstalled from this shop." }
      : {
          ok: true,
          timeZone: row.ianaTimezone,
          defaultSendWindow: shopDefaultSendWindow(row),
          flows: await activeFlowsFor(prisma, shop, trigger),
        };
  byShop.set(key, { at: Date.now(), generation, value });
  return value;
}
