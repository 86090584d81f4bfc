// The flow list and editor of the embedded admin: drafts as the editor holds them, their
// validation (problems carry JSON-pointer paths the editor maps to fields), saving, and the
// preview, rendered by the same code the dispatcher sends with. Every query names the shop.
import type { Order, PrismaClient, Shop } from "@prisma/client";
import {
  LOCALES,
  newFlowDraft,
  newStepDraft,
  TEMPLATES,
  TRIGGERS,
  type DelayUnit,
  type FlowDraft,
  type FlowProblem,
  type StepDraft,
} from "~/components/flow-draft";
import { validateConditions } from "~/domain/conditions";
import { validateAbTest } from "~/domain/ab-test";
import { validateSendWindow, type SendWindow } from "~/domain/send-window";
import { isClockTime } from "~/domain/step-timing";
import { fillTemplate } from "~/domain/templating";
import type { RecommendedProduct } from "~/domain/recommendations.types";
import { renderPreview } from "~/email/render.server";
import { audit } from "./audit.server";
import { shopSettingsChanged } from "./flows.server";

export { TRIGGERS, TEMPLATES, LOCALES, newStepDraft, newFlowDraft };
export type { FlowDraft, FlowProblem, StepDraft };

export class FlowNotFoundError extends Error {
  constructor(shop: string, id: string) {
    super(`Flow ${id} is not one of ${shop}'s flows.`);
    this.name = "FlowNotFoundError";
  }
}

const NAME_MAX = 100;
const SUBJECT_MAX = 200;
const MAX_STEPS = 10;
const DELAY_MAX: Record<DelayUnit, number> = { minutes: 60 * 24 * 365, hours: 24 * 365, days: 365, days_at: 365 };

// Everything the form can get wrong, each with the path of the field to show it under.
export function validateFlowDraft(draft: FlowDraft): FlowProblem[] {
  const problems: FlowProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const name = typeof draft.name === "string" ? draft.name.trim() : "";
  if (!name) add("/name", "Give the flow a name.");
  else if (name.length > NAME_MAX) add("/name", `Keep the name under ${NAME_MAX} characters.`);
  if (!TRIGGERS.some((t) => t.value === draft.trigger)) add("/trigger", "Choose what starts the flow.");
  if (draft.conditions !== null && draft.conditions !== undefined) {
    for (const p of validateConditions(draft.conditions, "/conditions")) add(...splitProblem(p, "/conditions"));
  }
  if (!Array.isArray(draft.steps) || draft.steps.length === 0) add("/steps", "Add at least one step.");
  else if (draft.steps.length > MAX_STEPS) add("/steps", `A flow has at most ${MAX_STEPS} steps.`);
  const keys = new Set<string>();
  (draft.steps ?? []).forEach((step, i) => {
    const at = `/steps/${i}`;
    if (!step.key || keys.has(step.key)) add(`${at}/key`, "Each step needs its own key.");
    keys.add(step.key);
    const d = step.delay ?? ({} as StepDraft["delay"]);
    if (!(d.unit in DELAY_MAX)) add(`${at}/delay/unit`, "Choose minutes, hours, days or days later at a time.");
    else if (!Number.isInteger(d.amount) || d.amount < 0 || d.amount > DELAY_MAX[d.unit])
      add(`${at}/delay/amount`, `Enter a whole number from 0 to ${DELAY_MAX[d.unit]}.`);
    if (d.unit === "days_at" && !isClockTime(d.at)) add(`${at}/delay/at`, "Enter a time of day like 09:00.");
    if (d.from !== undefined && d.from !== "previous_step" && d.from !== "trigger")
      add(`${at}/delay/from`, "Count the delay from the previous step or from the trigger.");
    if (step.sendWindow) for (const p of validateSendWindow(step.sendWindow, `${at}/sendWindow`)) add(...splitProblem(p, `${at}/sendWindow`));
    if (!TEMPLATES.some((t) => t.value === step.template)) add(`${at}/template`, "Choose a template.");
    if (step.category !== "marketing" && step.category !== "service") add(`${at}/category`, "Choose marketing or service.");
    const subject = typeof step.subject === "string" ? step.subject.trim() : "";
    if (!subject) add(`${at}/subject`, "Write a subject line.");
    else if (subject.length > SUBJECT_MAX) add(`${at}/subject`, `Keep the subject under ${SUBJECT_MAX} characters.`);
    if (typeof step.previewText === "string" && step.previewText.length > SUBJECT_MAX)
      add(`${at}/previewText`, `Keep the preview text under ${SUBJECT_MAX} characters.`);
    if (step.content !== null && step.content !== undefined) {
      if (typeof step.content !== "object" || Array.isArray(step.content)) add(`${at}/content`, "The content must be a set of fields.");
      else {
        const { heading, blocks } = step.content as { heading?: unknown; blocks?: unknown };
        if (heading !== undefined && (typeof heading !== "string" || heading.length > SUBJECT_MAX))
          add(`${at}/content/heading`, `Keep the heading as text under ${SUBJECT_MAX} characters.`);
        if (blocks !== undefined && !Array.isArray(blocks)) add(`${at}/content/blocks`, "The content blocks must be a list.");
        if (Array.isArray(blocks))
          blocks.forEach((b: { type?: unknown; text?: unknown }, k) => {
            if (b?.type === "text" && (typeof b.text !== "string" || b.text.length > 5000))
              add(`${at}/content/blocks/${k}/text`, "Keep the message as text under 5000 characters.");
          });
      }
    }
    if (step.variants) {
      for (const p of validateAbTest(step.variants, `${at}/variants`)) add(...splitProblem(p, `${at}/variants`));
      step.variants.variants?.forEach((v, j) => {
        if (v.subject !== undefined && !v.subject.trim()) add(`${at}/variants/variants/${j}/subject`, "Write this variant's subject, or remove it.");
      });
    }
  });
  return problems;
}

// Domain validators say "/steps/0/sendWindow/start: must be HH:MM"; the form wants both parts.
function splitProblem(problem: string, fallback: string): [string, string] {
  const i = problem.indexOf(": ");
  if (i < 0 || !problem.startsWith("/")) return [fallback, problem];
  const message = problem.slice(i + 2);
  return [problem.slice(0, i), message.charAt(0).toUpperCase() + message.slice(1) + (message.endsWith(".") ? "" : ".")];
}

type Db = PrismaClient;

function stepDraftOf(s: {
  id: string;
  key: string;
  delayAmount: number;
  delayUnit: string;
  delayAt: string | null;
  delayFrom: string;
  sendWindow: string | null;
  template: string;
  category: string;
  subject: string;
  previewText: string | null;
  content: string | null;
  variants: string | null;
}): StepDraft {
  return {
    id: s.id,
    key: s.key,
    delay: {
      amount: s.delayAmount,
      unit: s.delayUnit as DelayUnit,
      ...(s.delayAt ? { at: s.delayAt } : {}),
      from: s.delayFrom === "trigger" ? "trigger" : "previous_step",
    },
    sendWindow: s.sendWindow ? (JSON.parse(s.sendWindow) as SendWindow) : null,
    template: s.template,
    category: s.category === "service" ? "service" : "marketing",
    subject: s.subject,
    previewText: s.previewText ?? "",
    content: s.content ? (JSON.parse(s.content) as Record<string, unknown>) : null,
    variants: s.variants ? (JSON.parse(s.variants) as StepDraft["variants"]) : null,
  };
}

export async function loadFlowDraft(prisma: Db, { shop, id }: { shop: string; id: string }): Promise<FlowDraft | null> {
  const flow = await prisma.flow.findFirst({ where: { shop, id }, include: { steps: { orderBy: { position: "asc" } } } });
  if (!flow) return null;
  return {
    id: flow.id,
    name: flow.name,
    trigger: flow.trigger,
    active: flow.active,
    conditions: flow.conditions ? JSON.parse(flow.conditions) : null,
    steps: flow.steps.map(stepDraftOf),
  };
}

export interface FlowListRow {
  id: string;
  name: string;
  trigger: string;
  triggerLabel: string;
  active: boolean;
  steps: number;
  sent30d: number;
}

// Test sends never count: they went to the merchant, not to a customer.
export async function listFlows(prisma: Db, { shop, now = new Date() }: { shop: string; now?: Date }): Promise<FlowListRow[]> {
  const since = new Date(now.getTime() - 30 * 24 * 3600_000);
  const [flows, sent] = await Promise.all([
    prisma.flow.findMany({ where: { shop }, include: { _count: { select: { steps: true } } }, orderBy: { createdAt: "asc" } }),
    prisma.followUp.groupBy({
      by: ["flowId"],
      where: { shop, isTest: false, status: "sent", sentAt: { gte: since } },
      _count: { _all: true },
    }),
  ]);
  const sentBy = new Map(sent.map((s) => [s.flowId, s._count._all]));
  return flows.map((f) => ({
    id: f.id,
    name: f.name,
    trigger: f.trigger,
    triggerLabel: TRIGGERS.find((t) => t.value === f.trigger)?.label ?? f.trigger,
    active: f.active,
    steps: f._count.steps,
    sent30d: sentBy.get(f.id) ?? 0,
  }));
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .normalize("NFKD")
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 40) || "flow"
  );
}

async function freeFlowKey(tx: Pick<Db, "flow">, shop: string, base: string): Promise<string> {
  const taken = new Set((await tx.flow.findMany({ where: { shop, key: { startsWith: base } }, select: { key: true } })).map((f) => f.key));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

function stepData(step: StepDraft, position: number) {
  return {
    position,
    delayAmount: step.delay.amount,
    delayUnit: step.delay.unit,
    delayAt: step.delay.unit === "days_at" ? (step.delay.at ?? null) : null,
    delayFrom: step.delay.from ?? "previous_step",
    sendWindow: step.sendWindow ? JSON.stringify(step.sendWindow) : null,
    template: step.template,
    category: step.category,
    subject: step.subject.trim(),
    previewText: step.previewText?.trim() || null,
    content: step.content && Object.values(step.content).some((v) => v !== "" && !(Array.isArray(v) && v.length === 0)) ? JSON.stringify(step.content) : null,
    variants: step.variants ? JSON.stringify(step.variants) : null,
  };
}

// Creates (id null) or replaces one flow of the shop. Steps are matched by key, so a step
// keeps its id, and follow-ups already scheduled for it still point at it.
export async function saveFlowDraft({
  prisma,
  shop,
  id,
  draft,
  actor,
}: {
  prisma: Db;
  shop: string;
  id: string | null;
  draft: FlowDraft;
  actor: string;
}): Promise<{ ok: true; id: string } | { ok: false; problems: FlowProblem[] }> {
  const problems = validateFlowDraft(draft);
  if (problems.length) return { ok: false, problems };
  const saved = await prisma.$transaction(async (tx) => {
    const fields = {
      name: draft.name.trim(),
      trigger: draft.trigger,
      active: Boolean(draft.active),
      conditions: draft.conditions ? JSON.stringify(draft.conditions) : null,
    };
    let flowId: string;
    if (id) {
      const { count } = await tx.flow.updateMany({ where: { shop, id }, data: fields });
      if (count === 0) throw new FlowNotFoundError(shop, id);
      flowId = id;
    } else {
      const key = await freeFlowKey(tx, shop, slug(fields.name));
      flowId = (await tx.flow.create({ data: { shop, key, ...fields } })).id;
    }
    await tx.flowStep.deleteMany({ where: { flowId, key: { notIn: draft.steps.map((s) => s.key) } } });
    for (const [position, step] of draft.steps.entries()) {
      const data = stepData(step, position);
      await tx.flowStep.upsert({
        where: { flowId_key: { flowId, key: step.key } },
        create: { flowId, key: step.key, ...data },
        update: data,
      });
    }
    await audit(tx, { shop, actor, action: id ? "flow.updated" : "flow.created", detail: { flowId, steps: draft.steps.length } });
    return flowId;
  });
  shopSettingsChanged();
  return { ok: true, id: saved };
}

export async function setFlowActive({ prisma, shop, id, active, actor }: { prisma: Db; shop: string; id: string; active: boolean; actor: string }) {
  const changed = await prisma.$transaction(async (tx) => {
    const { count } = await tx.flow.updateMany({ where: { shop, id }, data: { active } });
    if (count === 0) return false;
    await audit(tx, { shop, actor, action: active ? "flow.turned_on" : "flow.turned_off", detail: { flowId: id } });
    return true;
  });
  shopSettingsChanged();
  return changed;
}

// A copy starts turned off, so it never doubles the customers' emails by surprise.
export async function duplicateFlow({ prisma, shop, id, actor }: { prisma: Db; shop: string; id: string; actor: string }): Promise<string | null> {
  const draft = await loadFlowDraft(prisma, { shop, id });
  if (!draft) return null;
  const copy: FlowDraft = { ...draft, id: undefined, name: `Copy of ${draft.name}`.slice(0, NAME_MAX), active: false };
  const result = await saveFlowDraft({ prisma, shop, id: null, draft: copy, actor });
  if (!result.ok) throw new Error(`Flow ${id} of ${shop} could not be copied: ${result.problems.map((p) => `${p.path} ${p.message}`).join("; ")}`);
  await audit(prisma, { shop, actor, action: "flow.duplicated", detail: { flowId: id, copyId: result.id } });
  return result.id;
}

// Follow-ups already scheduled for a deleted flow are skipped by the dispatcher ("step deleted").
export async function deleteFlow({ prisma, shop, id, actor }: { prisma: Db; shop: string; id: string; actor: string }): Promise<boolean> {
  const deleted = await prisma.$transaction(async (tx) => {
    const { count } = await tx.flow.deleteMany({ where: { shop, id } });
    if (count === 0) return false;
    await audit(tx, { shop, actor, action: "flow.deleted", detail: { flowId: id } });
    return true;
  });
  shopSettingsChanged();
  return deleted;
}

// ---- Preview and test send: the dispatcher's render path, with a sample or a real order ----

export interface PreviewOrder {
  name: string;
  firstName: string | null;
  currency: string;
  locale: string | null;
}

export const SAMPLE_ORDER: PreviewOrder = { name: "#1001", firstName: "Maya", currency: "USD", locale: "en" };

// Products shown in previews and test sends; real sends ask the Admin API.
export function sampleRecommendations(storefront: string, currencyCode: string): RecommendedProduct[] {
  const item = (n: number, title: string, handle: string, amount: string): RecommendedProduct => ({
    id: `gid://shopify/Product/${n}`,
    title,
    url: `${storefront}/products/${handle}`,
    imageUrl: null,
    imageAlt: null,
    price: { amount, currencyCode },
    source: "complementary",
  });
  return [item(1, "Sample product", "sample-product", "24.00"), item(2, "Another sample product", "another-sample-product", "32.50")];
}

export async function recentOrders(prisma: Db, shop: string): Promise<{ id: string; name: string; email: string | null }[]> {
  return prisma.order.findMany({
    where: { shop, sourceName: { not: TEST_ORDER_SOURCE } },
    orderBy: { orderedAt: "desc" },
    take: 10,
    select: { id: true, name: true, email: true },
  });
}

// Marks the stand-in order test sends are recorded against.
export const TEST_ORDER_SOURCE = "afterglow_test";

export async function previewOrderFor(prisma: Db, { shop, orderId, locale }: { shop: string; orderId: string | null; locale: string | null }): Promise<{ order: PreviewOrder; real: Order | null }> {
  const real = orderId ? await prisma.order.findFirst({ where: { shop, id: orderId } }) : null;
  const base: PreviewOrder = real
    ? { name: real.name, firstName: real.firstName, currency: real.currency, locale: real.locale }
    : SAMPLE_ORDER;
  return { order: { ...base, locale: locale || base.locale }, real };
}

export interface RenderedStep {
  subject: string;
  previewText: string | null;
  html: string;
  text: string;
}

export async function renderStep({
  shop,
  flowKey,
  step,
  order,
  unsubscribeUrl = null,
}: {
  shop: Shop;
  flowKey: string;
  step: Pick<StepDraft, "key" | "template" | "subject" | "previewText" | "content">;
  order: PreviewOrder;
  unsubscribeUrl?: string | null;
}): Promise<RenderedStep> {
  const storefront = shop.storefrontUrl ?? `https://${shop.domain}`;
  // The same composer the dispatcher sends with; the sample products stand in for recommendations.
  const result = await renderPreview({
    shop: {
      name: shop.name ?? shop.domain,
      storefrontUrl: storefront,
      domain: shop.domain,
      logoUrl: shop.logoUrl,
      address: shop.address,
      primaryLocale: shop.primaryLocale,
      ianaTimezone: shop.ianaTimezone,
      brand: shop.brand,
    },
    step: { template: step.template, subject: step.subject, previewText: step.previewText, content: step.content as never },
    locale: order.locale,
    order: {
      name: order.name,
      currency: order.currency,
      firstName: order.firstName,
      locale: order.locale,
      recommendations: sampleRecommendations(storefront, order.currency),
    },
  });
  if (!result.ok) {
    throw new Error(`The ${flowKey} step "${step.key}" cannot be shown: ${result.problems.map((p) => `${p.path || "(content)"}: ${p.message}`).join("; ")}`);
  }
  void unsubscribeUrl;
  const { subject, previewText, html, text } = result.email;
  return { subject, previewText: previewText ?? null, html, text };
}

// The preview document: the email as sent; links open outside the admin.
export function previewDocument(rendered: RenderedStep): string {
  return rendered.html.replace(/<head>/i, '<head><base target="_blank">');
}

export function parseDraft(text: string | null): FlowDraft | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as FlowDraft;
    return typeof value === "object" && value !== null && Array.isArray(value.steps) ? value : null;
  } catch {
    return null;
  }
}
