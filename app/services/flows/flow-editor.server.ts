// The flow list and editor of the embedded admin: drafts as the editor holds them, saved as the
// engine's flow definition through validateFlow and saveFlow (problems carry JSON-pointer paths
// the editor maps to fields), and the preview, rendered by the same code the dispatcher sends
// with. Every query names the shop.
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
import type { SendWindow } from "~/domain/send-window";
import type { RecommendedProduct } from "~/domain/recommendations.types";
import { InvalidContentError } from "~/domain/content";
import { stepVariants } from "~/domain/stored-rows";
import type { FollowUpInput } from "~/email/compose";
import { prepareFollowUp } from "~/email/prepare.server";
import { renderFollowUp } from "~/email/render.server";
import {
  previewPreparation,
  previewRequest,
  sampleRecommendations,
  type PreviewOrder,
  type PreviewShop,
} from "~/email/preview.server";
import { SAMPLE_ORDER } from "../../../emails/samples";
import { adminClientForShop } from "~/adapters/shopify-admin/index.server";
import { createRecommendationCache } from "~/adapters/shopify-admin/recommendations.server";
import { recommendForOrder } from "../dispatch/recommendations.server";
import { fetchShopSegments } from "~/adapters/shopify-admin/segments.server";
import { fetchProductVocabulary, type ProductVocabulary } from "~/adapters/shopify-admin/product-vocabulary.server";
import { storefrontOf } from "../dispatch/render-request";
import { audit } from "../compliance/audit.server";
import { loadReviewSettings } from "../shop/review-settings.server";
import { exportFlows, saveFlow, shopSettingsChanged, validateFlow, writeFlow } from "./flows.server";
import { flowFileName, readFlowsFile, type FlowFileProblem } from "~/domain/flow-file";
import { config } from "~/platform/config.server";

export { TRIGGERS, TEMPLATES, LOCALES, newStepDraft, newFlowDraft };
export type { FlowDraft, FlowProblem, StepDraft };

export class FlowNotFoundError extends Error {
  constructor(shop: string, id: string) {
    super(`Flow ${id} is not one of ${shop}'s flows.`);
    this.name = "FlowNotFoundError";
  }
}

// app/domain/flows.schema.json: a flow's name is at most this long.
const NAME_MAX = 120;

type Db = PrismaClient;

const hasValue = (content: Record<string, unknown> | null | undefined): content is Record<string, unknown> =>
  !!content && Object.values(content).some((v) => v !== "" && v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0));

// The draft as the engine's flow definition (app/domain/flows.schema.json), under the flow's key.
// Indices stay as the editor has them, so every problem's path is also the field's path.
// Blank optional texts are left out: the template's words (or the step's, for a variant) show.
export function flowDefinitionOf(draft: FlowDraft, key: string): Record<string, unknown> {
  const text = (v: unknown) => (typeof v === "string" ? v.trim() : v);
  return {
    key,
    name: text(draft.name),
    trigger: draft.trigger,
    active: Boolean(draft.active),
    ...(draft.conditions !== null && draft.conditions !== undefined ? { conditions: draft.conditions } : {}),
    ...(draft.exitRules ? { exitRules: draft.exitRules } : {}),
    // Only a delivered-trigger flow keeps it: switching the trigger away drops it.
    ...(draft.trigger === "order_delivered" && draft.deliveryFallbackDays != null ? { deliveryFallbackDays: draft.deliveryFallbackDays } : {}),
    ...(draft.sendTimeZone !== undefined ? { sendTimeZone: draft.sendTimeZone } : {}),
    steps: (draft.steps ?? []).map(stepDefinitionOf),
  };
}

// One step of the draft as the engine stores it (FlowStep), blank optional texts left out.
function stepDefinitionOf(step: RenderableStep & Partial<StepDraft>): Record<string, unknown> {
  const text = (v: unknown) => (typeof v === "string" ? v.trim() : v);
  return {
    key: step.key,
    delay: {
      amount: step.delay?.amount,
      unit: step.delay?.unit,
      ...(step.delay?.unit === "days_at" ? { at: step.delay.at } : {}),
      from: step.delay?.from ?? "previous_step",
    },
    ...(step.sendWindow ? { sendWindow: step.sendWindow } : {}),
    template: step.template,
    category: step.category,
    subject: text(step.subject),
    ...(typeof step.previewText === "string" && step.previewText.trim() ? { previewText: step.previewText.trim() } : {}),
    ...(hasValue(step.content) ? { content: step.content } : {}),
    ...(step.variants
      ? {
          variants: {
            id: step.variants.id,
            variants: (step.variants.variants ?? []).map((v) => ({
              key: v.key,
              weight: v.weight,
              ...(v.subject?.trim() ? { subject: v.subject.trim() } : {}),
              ...(v.previewText?.trim() ? { previewText: v.previewText.trim() } : {}),
              ...(hasValue(v.content) ? { content: v.content } : {}),
            })),
          },
        }
      : {}),
    ...(step.conditions !== null && step.conditions !== undefined ? { conditions: step.conditions } : {}),
  };
}

// The engine words its problems for flow files; the form says what to do in the field.
const MERCHANT_WORDS: { path: RegExp; message?: RegExp; say: string }[] = [
  { path: /^\/name$/, message: /fewer than/, say: "Give the flow a name." },
  { path: /^\/name$/, say: `Keep the name under ${NAME_MAX} characters.` },
  { path: /^\/trigger$/, say: "Choose what starts the flow." },
  { path: /^\/deliveryFallbackDays$/, message: /must be|integer/, say: "Enter a whole number of days from 1 to 60." },
  { path: /^\/steps$/, message: /fewer than/, say: "Add at least one step." },
  { path: /^\/steps$/, message: /more than/, say: "A flow has at most 10 steps." },
  { path: /^\/steps\/\d+\/key$/, say: "Each step needs its own key." },
  { path: /^\/steps\/\d+\/subject$/, message: /fewer than/, say: "Write a subject line." },
  { path: /^\/steps\/\d+\/delay\/unit$/, say: "Choose minutes, hours, days or days later at a time." },
  { path: /^\/steps\/\d+\/delay\/amount$/, say: "Enter a whole number from 0 to 525600." },
  { path: /^\/steps\/\d+\/delay(\/at)?$/, message: /pattern|'at'/, say: "Enter a time of day like 09:00." },
  { path: /^\/steps\/\d+\/sendWindow\/(start|end)$/, message: /pattern/, say: "Enter a time of day like 09:00." },
  { path: /^\/steps\/\d+\/sendWindow\/days/, message: /allowed values|fewer than|duplicate/, say: "Choose days from mon, tue, wed, thu, fri, sat, sun." },
  { path: /^\/steps\/\d+\/template$/, say: "Choose a template." },
  { path: /^\/steps\/\d+\/category$/, say: "Choose marketing or service." },
  { path: /^\/steps\/\d+\/variants\/variants\/\d+\/weight$/, say: "Enter a whole percent from 1 to 99." },
  { path: /^\/conditions\/(all|any)\/\d+\/values$/, message: /non-empty list/, say: "Enter at least one value." },
  { path: /^\/steps\/\d+\/conditions\/(all|any)\/\d+\/values$/, message: /non-empty list/, say: "Choose or enter at least one value." },
  { path: /^(\/steps\/\d+)?\/conditions\/(all|any)\/\d+\/values\/\d+$/, message: /segment id/, say: "Choose a segment." },
  { path: /^\/conditions\/(all|any)\/\d+\/(amount|min|max)$/, message: /must be an amount/, say: "Enter an amount like 50 or 49.90." },
];

export function inMerchantWords(problem: FlowProblem): FlowProblem {
  const rule = MERCHANT_WORDS.find((r) => r.path.test(problem.path) && (!r.message || r.message.test(problem.message)));
  if (rule) return { path: problem.path, message: rule.say };
  const message = problem.message.charAt(0).toUpperCase() + problem.message.slice(1);
  return { path: problem.path, message: /[.!?]$/.test(message) ? message : `${message}.` };
}


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
  conditions: string | null;
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
    variants: stepVariants(s),
    conditions: s.conditions ? (JSON.parse(s.conditions) as unknown) : null,
  };
}

// The shop's customer segments for the conditions' picker; without Shopify's answer the editor
// still works and says so.
export async function shopSegments(prisma: Db, shop: string): Promise<{ list: { id: string; name: string }[]; problem: string | null }> {
  try {
    return { list: await fetchShopSegments({ client: await previewAdminClient(prisma)(shop) }), problem: null };
  } catch (err) {
    return { list: [], problem: `Shopify did not list your customer segments (${err instanceof Error ? err.message.split("\n")[0] : String(err)}).` };
  }
}

// The shop's product types and tags, suggested where a tip names them; without Shopify's answer
// the fields take free text as before.
export async function shopProductVocabulary(prisma: Db, shop: string): Promise<ProductVocabulary> {
  try {
    return await fetchProductVocabulary({ client: await previewAdminClient(prisma)(shop) });
  } catch {
    return { productTypes: [], productTags: [] };
  }
}

export async function loadFlowDraft(prisma: Db, { shop, id }: { shop: string; id: string }): Promise<FlowDraft | null> {
  const flow = await prisma.flow.findFirst({ where: { shop, id }, include: { steps: { orderBy: { position: "asc" } } } });
  if (!flow) return null;
  return {
    id: flow.id,
    key: flow.key,
    name: flow.name,
    trigger: flow.trigger,
    active: flow.active,
    conditions: flow.conditions ? JSON.parse(flow.conditions) : null,
    exitRules: flow.exitRules ? (JSON.parse(flow.exitRules) as FlowDraft["exitRules"]) : null,
    deliveryFallbackDays: flow.deliveryFallbackDays,
    sendTimeZone: flow.sendTimeZone === "customer" ? "customer" : "shop",
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

// Creates (id null) or replaces one flow of the shop through the engine's validateFlow and
// saveFlow. The editor names flows by id, the engine by key: an existing flow keeps its key, a
// new one gets a free key from its name. Steps are matched by key, so a step keeps its id and
// follow-ups already scheduled for it still point at it.
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
  let key: string;
  if (id) {
    const existing = await prisma.flow.findFirst({ where: { shop, id }, select: { key: true } });
    if (!existing) throw new FlowNotFoundError(shop, id);
    key = existing.key;
  } else key = await freeFlowKey(prisma, shop, slug(typeof draft.name === "string" ? draft.name.trim() : ""));
  const flow = flowDefinitionOf(draft, key);
  const problems = validateFlow(flow).map(inMerchantWords);
  if (problems.length) return { ok: false, problems };
  const saved = await saveFlow({ prisma, shop, flow });
  await audit(prisma, { shop, actor, action: id ? "flow.updated" : "flow.created", detail: { flowId: saved.id, steps: saved.flow.steps.length } });
  return { ok: true, id: saved.id };
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

// ---- Flow files: the CLI's JSON format, downloaded and uploaded in the admin ----

/** One flow of the shop as a file that importFlowsFile (and the CLI's import) reads back. */
export async function exportFlowFile({ prisma, shop, id }: { prisma: Db; shop: string; id: string }): Promise<{ filename: string; json: string } | null> {
  const doc = await exportFlows(prisma, shop, { ids: [id] });
  const flow = doc.flows[0];
  if (!flow) return null;
  return { filename: flowFileName(flow.key), json: `${JSON.stringify(doc, null, 2)}\n` };
}

export type FlowsFileImport = { ok: true; flows: { id: string; name: string }[] } | { ok: false; problems: FlowFileProblem[] };

// Every flow of the file is added beside the shop's own, turned off so no customer gets an email
// the merchant has not looked at, under a free key so no flow of the shop is replaced. A file
// with any problem stores nothing.
export async function importFlowsFile({ prisma, shop, text, actor }: { prisma: Db; shop: string; text: string; actor: string }): Promise<FlowsFileImport> {
  const read = readFlowsFile(text);
  // Said as the editor says it under the same field.
  if (!read.ok)
    return {
      ok: false,
      problems: read.problems.map((p) => {
        const at = /^\/flows\/\d+/.exec(p.path)?.[0];
        return at ? { ...p, message: inMerchantWords({ path: p.path.slice(at.length), message: p.message }).message } : p;
      }),
    };
  const added = await prisma.$transaction(async (tx) => {
    const flows: { id: string; name: string; key: string }[] = [];
    for (const flow of read.doc.flows) {
      const key = await freeFlowKey(tx, shop, flow.key);
      flows.push({ id: await writeFlow(tx, shop, { ...flow, key, active: false }), name: flow.name, key });
    }
    await audit(tx, { shop, actor, action: "flow.imported", detail: { flowIds: flows.map((f) => f.id), keys: flows.map((f) => f.key) } });
    return flows;
  });
  shopSettingsChanged();
  return { ok: true, flows: added.map(({ id, name }) => ({ id, name })) };
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

// ---- Preview and test send: the dispatcher's prepare and render, with the sample or a real order ----

export interface RecentOrder {
  id: string;
  name: string;
  email: string | null;
  orderedAt: Date;
}

// The orders the editor offers to preview and test with: the shop's latest, newest first.
export const RECENT_ORDERS = 20;

export async function recentOrders(prisma: Db, shop: string): Promise<RecentOrder[]> {
  return prisma.order.findMany({
    // `not` alone would also drop orders without a source name (SQL's NULL <> 'x' is not true).
    where: { shop, OR: [{ sourceName: null }, { sourceName: { not: TEST_ORDER_SOURCE } }] },
    orderBy: [{ orderedAt: "desc" }, { id: "desc" }],
    take: RECENT_ORDERS,
    select: { id: true, name: true, email: true, orderedAt: true },
  });
}

// Marks the stand-in order test sends are recorded against.
export const TEST_ORDER_SOURCE = "afterglow_test";

// A real order of the shop to preview with; null for the sample order or another shop's id.
export async function findPreviewOrder(prisma: Db, { shop, orderId }: { shop: string; orderId: string | null }): Promise<Order | null> {
  return orderId ? prisma.order.findFirst({ where: { shop, id: orderId } }) : null;
}

export interface RenderedStep {
  subject: string;
  previewText: string | null;
  html: string;
  text: string;
}

// Where the products in a preview or test send come from, and what the editor tells the merchant.
export interface PreviewRecommendations {
  products: RecommendedProduct[];
  source: "shop" | "sample";
  note: string;
}

// The merchant is waiting: one quick try, no retries.
const previewAdminClient = (prisma: Db) => (shop: string) => adminClientForShop({ prisma, shop, maxRetries: 0, timeoutMs: 5_000 });

// RECOMMENDATION_CACHE_MS, read when the first preview asks (this module loads with the routes).
let previewCache: ReturnType<typeof createRecommendationCache> | null = null;
const previewCacheOf = () => (previewCache ??= createRecommendationCache({ ttlMs: config().queue.recommendationCacheMs }));

// A real order gets what the dispatcher would send it, from the shop's Admin API; the sample
// order, or an Admin API that does not answer, gets the sample products.
export async function previewRecommendations({
  prisma,
  shop,
  real,
}: {
  prisma: Db;
  shop: Shop;
  real: Order | null;
}): Promise<PreviewRecommendations> {
  const samples = (note: string): PreviewRecommendations => ({
    products: sampleRecommendations(storefrontOf(shop), real?.currency ?? SAMPLE_ORDER.currency),
    source: "sample",
    note,
  });
  if (!real) return samples("Sample products: the sample order has none of your products.");
  try {
    const client = await previewAdminClient(prisma)(shop.domain);
    const products = await recommendForOrder({
      prisma,
      client,
      cache: previewCacheOf(),
      shop: shop.domain,
      orderId: real.orderId,
      customerId: real.customerId,
      productIds: JSON.parse(real.productIds) as string[],
      currencyCode: real.currency,
      countryCode: real.countryCode,
      shopCurrency: real.shopCurrency ?? shop.currencyCode,
    });
    return {
      products,
      source: "shop",
      note: products.length ? `Recommendations for ${real.name} from your store.` : `Your store has nothing to recommend for ${real.name}; the email shows no products.`,
    };
  } catch (err) {
    const why = err instanceof Error ? err.message.split("\n")[0] : String(err);
    return samples(`Sample products: Shopify did not answer for ${real.name} (${why}).`);
  }
}

type RenderableStep = Pick<StepDraft, "key" | "template" | "subject" | "previewText" | "content"> & { variants?: StepDraft["variants"] };

// A step's content the dispatcher's render refuses; the problems name the fields.
export class UnrenderableStepError extends Error {
  constructor(
    message: string,
    readonly problems: FlowProblem[],
  ) {
    super(message);
    this.name = "UnrenderableStepError";
  }
}

// What keeps one step of a draft from being sent, with paths under `at` (e.g. /steps/2): the
// checks saving makes, less those of timing (a test goes out now) and of the rest of the flow.
export function stepProblems(step: unknown, at: string): FlowProblem[] {
  const flow = {
    key: "test-send",
    name: "Test send",
    trigger: TRIGGERS[0].value,
    active: false,
    steps: [typeof step === "object" && step !== null ? stepDefinitionOf(step as RenderableStep) : step],
  };
  return validateFlow(flow)
    .filter((p) => p.path === "/steps/0" || (p.path.startsWith("/steps/0/") && !/^\/steps\/0\/(delay|sendWindow)(\/|$)/.test(p.path)))
    .map((p) => inMerchantWords({ path: p.path.replace(/^\/steps\/0/, at), message: p.message }));
}

export class VariantNotFoundError extends Error {
  constructor(step: string, variant: string) {
    super(`The step "${step}" has no variant "${variant}".`);
    this.name = "VariantNotFoundError";
  }
}

/**
 * The step as the customer would get it for this order (null: the sample order): the request
 * the dispatcher would make, prepared and rendered by the dispatcher's own code. Only the data
 * differs: the sample's products, a code that is clearly not real, an unsubscribe link that opens
 * nothing. The message page passes the follow-up's own due time and code.
 */
export async function previewStep({
  prisma,
  shop,
  flowKey,
  step,
  order,
  locale = null,
  variantKey = null,
  recommendations,
  dueAt = new Date(),
  discountCode = null,
}: {
  prisma: Db;
  shop: PreviewShop;
  flowKey: string;
  step: RenderableStep;
  order: PreviewOrder | null;
  locale?: string | null;
  variantKey?: string | null;
  // Default: the sample products.
  recommendations?: RecommendedProduct[];
  dueAt?: Date;
  discountCode?: string | null;
}): Promise<RenderedStep> {
  if (variantKey && !step.variants?.variants.some((v) => v.key === variantKey)) throw new VariantNotFoundError(step.key, variantKey);
  // What saving the draft would store.
  const stored = stepDefinitionOf(step);
  const request = previewRequest({
    shop,
    flowKey,
    step: {
      key: step.key,
      template: step.template,
      subject: typeof stored.subject === "string" ? stored.subject : "",
      previewText: (stored.previewText as string | undefined) ?? null,
      content: (stored.content as Record<string, unknown> | undefined) ?? null,
      variants: stored.variants ? JSON.stringify(stored.variants) : null,
    },
    variantKey,
    order,
    locale,
    recommendations,
    discountCode,
    dueAt,
    appUrl: config().shopify.appUrl,
  });
  // A review request's stars land where the shop's review app puts its form, as when it is sent.
  if (step.template === "review-request") {
    const reviews = await loadReviewSettings(prisma, shop.domain);
    request.review = { app: reviews.reviewApp, shopAnchor: reviews.anchor || null, productIds: null };
  }
  let input: FollowUpInput;
  try {
    input = await prepareFollowUp(request, previewPreparation({ sample: !order, adminClient: previewAdminClient(prisma), now: () => dueAt }));
  } catch (err) {
    if (err instanceof InvalidContentError)
      throw new UnrenderableStepError(
        `The ${flowKey} step "${step.key}" cannot be shown: ${err.problems.map((p) => `${p.path || "(content)"}: ${p.message}`).join("; ")}`,
        err.problems.map((p) => ({ path: `/content${p.path}`, message: p.message })),
      );
    throw err;
  }
  const { subject, previewText, html, text } = await renderFollowUp(input);
  return { subject, previewText, html, text };
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
