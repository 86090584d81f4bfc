// The embedded admin's pages called as the admin calls them, with an App Bridge session token:
// home numbers, the flow list and editor, the preview, test sends, messages and settings.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

const ctx = await vi.hoisted(async () =>
  (await import("../helpers/env")).appTestEnv({
    name: "admin-pages",
    apiKey: "admin-pages-key",
    secret: "admin-pages-secret",
    env: { MAIL_TRANSPORT: "outbox", LOG_LEVEL: "error", TEST_SENDS_PER_HOUR: "3" },
  }),
);

import prisma from "~/db.server";
import { sessionToken } from "../helpers/embedded";
import { connectShop, storeOfflineToken } from "~/services/shop/shops.server";
import { listAudit } from "~/services/compliance/audit.server";
import { action as homeAction, loader as homeLoader } from "~/routes/app._index";
import { action as flowsAction, loader as flowsLoader } from "~/routes/app.flows._index";
import { action as editorAction, loader as editorLoader, type FlowEditorActionData } from "~/routes/app.flows.$id";
import { action as previewAction, loader as previewLoader } from "~/routes/app.flows.$id.preview";
import { loader as messagesLoader } from "~/routes/app.messages._index";
import { action as messageAction, loader as messageLoader } from "~/routes/app.messages.$id";
import { action as settingsAction, loader as settingsLoader, type SettingsActionData } from "~/routes/app.settings";
import { TEMPLATES, withTemplateSettings, type FlowDraft } from "~/components/flow-draft";
import { createAdminClient, AdminApiThrottle, createRecommendationCache, fetchRecommendations } from "~/adapters/shopify-admin/index.server";
import { startAdminSimulator, type AdminSimulator } from "../../simulator/admin-api";
import { createSeedStore, type SeedStore } from "../../simulator/store";
import { SAMPLE_RECOMMENDATIONS } from "../../emails/samples";
import { startSendGridStandIn } from "../../simulator/sendgrid";
import { createSendGridTransport } from "~/adapters/mail/sendgrid.server";
import { sendTestEmail } from "~/services/flows/test-send.server";

const SHOP = "admin-pages.myshopify.com";
const BASE = "https://afterglow.test";
const NOW = Date.now();
const DAY = 24 * 3600_000;

const auth = () => ({ Authorization: `Bearer ${sessionToken({ shop: SHOP, apiKey: ctx.apiKey, secret: ctx.secret })}` });
const args = (path: string, params: Record<string, string> = {}, init: RequestInit = {}) => ({
  request: new Request(`${BASE}${path}`, { ...init, headers: { ...auth(), ...(init.headers ?? {}) } }),
  params,
  context: {},
});
const get = async <T>(fn: (a: ReturnType<typeof args>) => Promise<unknown>, path: string, params: Record<string, string> = {}) =>
  (await fn(args(path, params))) as T;
async function post(fn: (a: ReturnType<typeof args>) => Promise<unknown>, path: string, fields: Record<string, string | string[]>, params: Record<string, string> = {}) {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
  const res = (await fn(args(path, params, { method: "POST", body, headers: { "Content-Type": "application/x-www-form-urlencoded" } }))) as Response;
  return res;
}

let flowId: string;
let stepId: string;
// The shop's Admin API is the store simulator, seeded with Juniper & Pine's catalogue.
const ACCESS_TOKEN = `shpat_${randomUUID().replace(/-/g, "")}`;
let admin: AdminSimulator;
let store: SeedStore;

async function order(name: string, email: string) {
  return prisma.order.create({
    data: { shop: SHOP, orderId: `gid://shopify/Order/${randomUUID()}`, name, email, firstName: "Ada", currency: "USD", totalPrice: "20.00", productIds: "[]", orderedAt: new Date(NOW - DAY) },
  });
}

async function followUp(o: { id: string; orderId: string; email: string | null }, data: Record<string, unknown> = {}) {
  return prisma.followUp.create({
    data: {
      shop: SHOP,
      orderRef: o.id,
      orderId: o.orderId,
      flowId,
      stepId,
      stepKey: "thank-you",
      template: "thank-you",
      recipient: o.email ?? "",
      dueAt: new Date(NOW),
      nextAttemptAt: new Date(NOW),
      ...data,
    },
  });
}

beforeAll(async () => {
  store = createSeedStore({ shop: SHOP, accessToken: ACCESS_TOKEN });
  // The shop's own addresses, as Shopify's Admin API reports them: the only test recipients.
  store.shop.email = "owner@juniper.example";
  store.shop.contactEmail = "hello@juniper.example";
  admin = await startAdminSimulator({ stores: [store] });
  process.env.SHOPIFY_ADMIN_API_URL = admin.url;
  await storeOfflineToken({ prisma, shop: SHOP, accessToken: ACCESS_TOKEN });
  await connectShop({ prisma, shop: SHOP, profile: { name: "Juniper & Pine", email: "owner@juniper.example" } });
  const flow = await prisma.flow.findFirstOrThrow({ where: { shop: SHOP }, include: { steps: true } });
  flowId = flow.id;
  stepId = flow.steps[0].id;
});
afterAll(async () => {
  await admin?.close();
  await ctx.cleanup();
});
beforeEach(async () => {
  await prisma.followUp.deleteMany();
  await prisma.order.deleteMany();
  await prisma.outboxMessage.deleteMany();
  await prisma.auditLog.deleteMany();
  await prisma.suppression.deleteMany();
  await prisma.shop.update({ where: { domain: SHOP }, data: { testSentAt: null, senderEmail: null } });
});

type Home = Awaited<ReturnType<typeof homeLoader>>;
type FlowList = Awaited<ReturnType<typeof flowsLoader>>;

describe("home", () => {
  it("counts the last 7 days' follow-ups and emails, never test sends, and shows the sender in use and the setup guide", async () => {
    const o = await order("#1001", "ada@example.com");
    const o2 = await order("#1002", "ben@example.com");
    const sent = await followUp(o, { status: "sent", sentAt: new Date(NOW - 2 * DAY), createdAt: new Date(NOW - 2 * DAY) });
    await followUp(o2, { status: "scheduled" });
    await followUp(o2, { orderId: "older", status: "sent", sentAt: new Date(NOW - 9 * DAY), createdAt: new Date(NOW - 9 * DAY) });
    const test = await followUp(o, { orderId: "test:1", isTest: true, status: "sent", sentAt: new Date(NOW - DAY) });
    // Opened twice by a person and once by a mail app's privacy proxy: one email opened.
    const events: [string, string, boolean][] = [
      [sent.id, "delivered", false],
      [sent.id, "open", false],
      [sent.id, "open", false],
      [sent.id, "open", true],
      [sent.id, "click", false],
      [test.id, "delivered", false],
      [test.id, "open", false],
    ];
    await prisma.messageEvent.createMany({
      data: events.map(([followUpId, event, machineOpen], i) => ({ dedupeKey: `home-${i}`, shop: SHOP, followUpId, event, machineOpen, occurredAt: new Date(NOW - DAY) })),
    });

    const home = await get<Home>(homeLoader, "/app");
    expect(home).toMatchObject({ sendingEnabled: true, scheduled7d: 2, waiting: 1 });
    expect(home.week).toEqual({ sent: 1, delivered: 1, opened: 1, clicked: 1, bounced: 0, complaints: 0 });
    expect(home.health).toEqual({ kind: "too_little_mail", title: "Not enough mail yet to judge (1 of 200)", lines: [] });
    // No sender address of its own yet: mail goes from the store's email, and Home says so.
    expect(home.sender).toMatchObject({ from: { email: "owner@juniper.example", name: "Juniper & Pine" }, source: "store_email" });
    expect(home.guide).toMatchObject({ completed: 0, total: 3, next: "sender", visible: true });
    expect(home.firstFlow).toEqual({ id: flowId, name: "Thank you + recommendations", active: false });
    await prisma.messageEvent.deleteMany();
  });

  it("turns the flow on from the setup guide, audited, and hides the finished guide once dismissed", async () => {
    const res = await post(homeAction, "/app", { intent: "turn_on_flow", id: flowId });
    expect(await res.json()).toEqual({ ok: true, message: "Flow turned on. New orders get its follow-ups." });
    expect((await prisma.flow.findUniqueOrThrow({ where: { id: flowId } })).active).toBe(true);
    expect((await listAudit(prisma, SHOP)).map((e) => e.action)).toContain("flow.turned_on");
    expect((await post(homeAction, "/app", { intent: "turn_on_flow", id: "not-ours" })).status).toBe(404);

    await prisma.shop.update({ where: { domain: SHOP }, data: { senderName: "Juniper & Pine", testSentAt: new Date(NOW) } });
    expect((await get<Home>(homeLoader, "/app")).guide).toMatchObject({ completed: 3, next: null, canDismiss: true, visible: true });
    await post(homeAction, "/app", { intent: "dismiss_guide" });
    expect((await get<Home>(homeLoader, "/app")).guide.visible).toBe(false);
    await prisma.flow.update({ where: { id: flowId }, data: { active: false } });
    await prisma.shop.update({ where: { domain: SHOP }, data: { senderName: null } });
  });
});

describe("flows", () => {
  it("lists each flow with status, trigger, steps and real sends of the last 30 days", async () => {
    const o = await order("#1003", "cleo@example.com");
    await followUp(o, { orderId: "a", status: "sent", sentAt: new Date(NOW - 3 * DAY) });
    await followUp(o, { orderId: "b", status: "sent", sentAt: new Date(NOW - 40 * DAY) });
    await followUp(o, { orderId: "test:x", isTest: true, status: "sent", sentAt: new Date(NOW - DAY) });
    await followUp(o, { orderId: "c", status: "failed" });
    const { flows } = await get<FlowList>(flowsLoader, "/app/flows");
    expect(flows).toEqual([
      { id: flowId, name: "Thank you + recommendations", trigger: "order_created", triggerLabel: "Order created", active: false, steps: 1, sent30d: 1 },
    ]);
  });

  it("turns a flow off and on, duplicates it (off), deletes the copy, and audits each", async () => {
    expect((await post(flowsAction, "/app/flows", { intent: "turn_off", id: flowId })).status).toBe(200);
    expect((await prisma.flow.findUniqueOrThrow({ where: { id: flowId } })).active).toBe(false);
    expect((await post(flowsAction, "/app/flows", { intent: "turn_on", id: flowId })).status).toBe(200);
    const dup = (await (await post(flowsAction, "/app/flows", { intent: "duplicate", id: flowId })).json()) as { id: string };
    const copy = await prisma.flow.findUniqueOrThrow({ where: { id: dup.id }, include: { steps: true } });
    expect(copy).toMatchObject({ shop: SHOP, name: "Copy of Thank you + recommendations", active: false, key: "copy-of-thank-you-recommendations" });
    expect(copy.steps).toHaveLength(1);
    expect((await post(flowsAction, "/app/flows", { intent: "delete", id: dup.id })).status).toBe(200);
    expect(await prisma.flow.findUnique({ where: { id: dup.id } })).toBeNull();
    expect((await post(flowsAction, "/app/flows", { intent: "delete", id: dup.id })).status).toBe(404);
    const actions = (await listAudit(prisma, SHOP)).map((a) => a.action).reverse();
    expect(actions).toEqual(["flow.turned_off", "flow.turned_on", "flow.created", "flow.duplicated", "flow.deleted"]);
  });
});

describe("flow editor", () => {
  const draftOf = async (id: string) => (await get<{ flow: FlowDraft }>(editorLoader, `/app/flows/${id}`, { id })).flow;

  it("refuses an invalid flow with each problem at its field's JSON pointer, saving nothing", async () => {
    const draft = await draftOf(flowId);
    const bad: FlowDraft = {
      ...draft,
      name: "",
      conditions: { all: [{ field: "order_total", op: "gte", value: "abc" }] },
      steps: [{ ...draft.steps[0], subject: " ", delay: { amount: -1, unit: "hours" }, sendWindow: { days: ["mon"], start: "25:00", end: "10:00" } }],
    };
    const res = await post(editorAction, `/app/flows/${flowId}`, { intent: "save", flow: JSON.stringify(bad) }, { id: flowId });
    expect(res.status).toBe(400);
    const body = (await res.json()) as FlowEditorActionData;
    const paths = body.problems!.map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(["/name", "/steps/0/subject", "/steps/0/delay/amount", "/steps/0/sendWindow/start"]));
    expect(paths.some((p) => p.startsWith("/conditions"))).toBe(true);
    expect((await prisma.flow.findUniqueOrThrow({ where: { id: flowId } })).name).toBe("Thank you + recommendations");
  });

  it("creates a flow, then edits it keeping the step's id, with conditions, a window and an A/B test", async () => {
    const created = await post(editorAction, "/app/flows/new", {
      intent: "save",
      flow: JSON.stringify({
        name: "Care guide",
        trigger: "order_fulfilled",
        active: false,
        conditions: null,
        steps: [{ key: "care", delay: { amount: 2, unit: "days", from: "previous_step" }, sendWindow: null, template: "thank-you", category: "service", subject: "How to care for it", previewText: "", content: null, variants: null }],
      }),
    }, { id: "new" });
    expect(created.status).toBe(200);
    const { id } = (await created.json()) as FlowEditorActionData;
    const draft = await draftOf(id!);
    expect(draft).toMatchObject({ name: "Care guide", trigger: "order_fulfilled", active: false, steps: [{ key: "care", category: "service", delay: { amount: 2, unit: "days" } }] });
    const firstStepId = draft.steps[0].id;

    draft.conditions = { all: [{ field: "order_total", op: "gte", amount: "50" }] };
    draft.steps[0] = { ...draft.steps[0], subject: "Caring for {{ order.name }}", sendWindow: { days: ["mon", "tue"], start: "09:00", end: "17:00" }, variants: { id: "care-ab", variants: [{ key: "a", weight: 50, subject: "A" }, { key: "b", weight: 50, subject: "B" }] }, content: { heading: "Care", blocks: [{ type: "text", text: "Oil it monthly." }] } };
    draft.steps.push({ ...draft.steps[0], id: undefined, key: "review", subject: "Tell us", variants: null });
    const saved = await post(editorAction, `/app/flows/${id}`, { intent: "save", flow: JSON.stringify(draft) }, { id: id! });
    expect(saved.status).toBe(200);
    const again = await draftOf(id!);
    expect(again.steps.map((s) => s.key)).toEqual(["care", "review"]);
    expect(again.steps[0].id).toBe(firstStepId);
    expect(again.conditions).toEqual(draft.conditions);
    expect(again.steps[0]).toMatchObject({ subject: "Caring for {{ order.name }}", sendWindow: { days: ["mon", "tue"], start: "09:00", end: "17:00" }, content: { heading: "Care", blocks: [{ type: "text", text: "Oil it monthly." }] } });
    expect(again.steps[0].variants?.variants.map((v) => v.key)).toEqual(["a", "b"]);
  });

  it("previews the saved step and the unsaved draft with the dispatcher's render, for a sample or a real order", async () => {
    const real = await order("#2042", "dora@example.com");
    const saved = await previewLoader(args(`/app/flows/${flowId}/preview?step=0&locale=de`, { id: flowId }));
    expect(saved.status).toBe(200);
    expect(saved.headers.get("Content-Type")).toMatch(/text\/html/);
    const html = await saved.text();
    expect(html).toContain("Here is what goes well with what you bought");
    // locale=de: the template's fixed strings in German, the merchant's own text as written.
    expect(html).toContain('lang="de"');
    expect(html).toContain("Bestellung #1042");

    const draft = await draftOf(flowId);
    draft.steps[0].previewText = "A brand new preview line";
    const res = await post(previewAction, `/app/flows/${flowId}/preview?step=0&order=${real.id}`, { flow: JSON.stringify(draft) }, { id: flowId });
    const changed = await res.text();
    expect(changed).toContain("A brand new preview line");
    expect(changed).toContain("Order #2042");
    expect(changed).toContain("Thank you, Ada");
    expect((await previewLoader(args(`/app/flows/${flowId}/preview?order=not-an-order`, { id: flowId }))).status).toBe(404);
  });
});

describe("flow editor through the engine", () => {
  const draftOf = async (id: string) => (await get<{ flow: FlowDraft }>(editorLoader, `/app/flows/${id}`, { id })).flow;
  const save = async (id: string, draft: FlowDraft) => post(editorAction, `/app/flows/${id}`, { intent: "save", flow: JSON.stringify(draft) }, { id });

  it("words the engine's problems for the form, each under its field, conditions included", async () => {
    const draft = await draftOf(flowId);
    const bad: FlowDraft = {
      ...draft,
      name: "  ",
      trigger: "order_refunded",
      conditions: { any: [{ field: "vendors", op: "includes_any", values: [] }, { field: "order_total", op: "between", min: "x", max: "10" }] },
    };
    const res = await save(flowId, bad);
    expect(res.status).toBe(400);
    const { problems } = (await res.json()) as FlowEditorActionData;
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: "/name", message: "Give the flow a name." },
        { path: "/trigger", message: "Choose what starts the flow." },
        { path: "/conditions/any/0/values", message: "Enter at least one value." },
        { path: "/conditions/any/1/min", message: "Enter an amount like 50 or 49.90." },
      ]),
    );
  });

  it("saves a variant's own content, checks it as the dispatcher will, and keeps exit rules it does not edit", async () => {
    await prisma.flow.update({ where: { id: flowId }, data: { exitRules: JSON.stringify({ orderedAgain: false }) } });
    const draft = await draftOf(flowId);
    expect(draft.exitRules).toEqual({ orderedAgain: false });
    draft.steps[0].variants = {
      id: "thanks-ab",
      variants: [
        { key: "a", weight: 40 },
        { key: "b", weight: 60, subject: " ", previewText: "", content: { heading: "Made for you", blocks: [{ type: "button", text: "Shop again", url: "javascript:alert(1)" }] } },
      ],
    };
    const refused = await save(flowId, draft);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as FlowEditorActionData).problems).toEqual([
      { path: "/steps/0/variants/variants/1/content/blocks/0/url", message: "Links must start with https:// (or http://), not javascript:." },
    ]);

    draft.steps[0].variants.variants[1].content = { heading: "Made for you", blocks: [{ type: "button", text: "Shop again", url: "{{ shop.url }}/collections/all" }] };
    expect((await save(flowId, draft)).status).toBe(200);
    const step = await prisma.flowStep.findFirstOrThrow({ where: { flowId } });
    // A blank variant subject is left out: the variant uses the step's.
    expect(JSON.parse(step.variants!)).toEqual({
      id: "thanks-ab",
      variants: [
        { key: "a", weight: 40 },
        { key: "b", weight: 60, content: { heading: "Made for you", blocks: [{ type: "button", text: "Shop again", url: "{{ shop.url }}/collections/all" }] } },
      ],
    });
    expect((await prisma.flow.findUniqueOrThrow({ where: { id: flowId } })).exitRules).toBe(JSON.stringify({ orderedAgain: false }));
    expect((await draftOf(flowId)).steps[0].variants).toEqual(JSON.parse(step.variants!));

    // The preview switches to a variant: its heading and button replace the step's, its subject is the step's.
    const stepOnly = await previewLoader(args(`/app/flows/${flowId}/preview?step=0`, { id: flowId }));
    const withVariant = await previewLoader(args(`/app/flows/${flowId}/preview?step=0&variant=b`, { id: flowId }));
    expect(withVariant.status).toBe(200);
    const [plain, varied] = [await stepOnly.text(), await withVariant.text()];
    expect(plain).not.toContain("Made for you");
    expect(varied).toContain("Made for you");
    expect(varied).toContain("Shop again");
    expect(varied).toContain("https://admin-pages.myshopify.com/collections/all");
    expect(withVariant.headers.get("X-Afterglow-Subject")).toBe(stepOnly.headers.get("X-Afterglow-Subject"));
    expect((await previewLoader(args(`/app/flows/${flowId}/preview?step=0&variant=z`, { id: flowId }))).status).toBe(404);

    // An unsaved variant subject shows in the draft's preview.
    draft.steps[0].variants.variants[0].subject = "Picked for {{ customer.first_name }}";
    const unsaved = await post(previewAction, `/app/flows/${flowId}/preview?step=0&variant=a`, { flow: JSON.stringify(draft) }, { id: flowId });
    expect(decodeURIComponent(unsaved.headers.get("X-Afterglow-Subject")!)).toBe("Picked for Maya");

    draft.steps[0].variants = null;
    await prisma.flow.update({ where: { id: flowId }, data: { exitRules: null } });
    expect((await save(flowId, { ...draft, exitRules: null })).status).toBe(200);
  });

  it("offers all five templates and saves a cross-sell's discount, a reminder's consumables and a review anchor", async () => {
    expect(TEMPLATES.map((t) => t.value)).toEqual(["thank-you", "care-guide", "review-request", "cross-sell", "replenishment"]);
    expect(TEMPLATES.find((t) => t.value === "care-guide")!.category).toBe("service");
    const draft = await draftOf(flowId);
    const original = structuredClone(draft);
    draft.steps[0].template = "cross-sell";
    draft.steps[0].content = withTemplateSettings(draft.steps[0].content, { discountOn: true, discountPercentage: "150", discountExpiresInDays: "7" });
    const refused = await save(flowId, draft);
    expect(refused.status).toBe(400);
    const problems = ((await refused.json()) as FlowEditorActionData).problems!;
    expect(problems.map((p) => p.path)).toEqual(["/steps/0/content/discount/percentage"]);

    draft.steps[0].content = withTemplateSettings(draft.steps[0].content, { discountPercentage: "15" });
    expect((await save(flowId, draft)).status).toBe(200);
    let step = await prisma.flowStep.findFirstOrThrow({ where: { flowId } });
    expect(step.template).toBe("cross-sell");
    expect(JSON.parse(step.content!).discount).toEqual({ percentage: 15, expiresInDays: 7 });
    // The preview shows where the code goes.
    const preview = await previewLoader(args(`/app/flows/${flowId}/preview?step=0`, { id: flowId }));
    expect(await preview.text()).toContain("15%");

    draft.steps[0].template = "replenishment";
    draft.steps[0].content = withTemplateSettings(draft.steps[0].content, { discountOn: false, consumableTypes: "Coffee, Tea", consumableTags: "" });
    expect((await save(flowId, draft)).status).toBe(200);
    step = await prisma.flowStep.findFirstOrThrow({ where: { flowId } });
    expect(JSON.parse(step.content!)).toMatchObject({ consumables: { productTypes: ["Coffee", "Tea"] } });
    expect(JSON.parse(step.content!).discount).toBeUndefined();

    draft.steps[0].template = "review-request";
    draft.steps[0].content = withTemplateSettings(draft.steps[0].content, { consumableTypes: "", reviewAnchor: "reviews" });
    const badAnchor = await save(flowId, draft);
    expect(badAnchor.status).toBe(400);
    expect(((await badAnchor.json()) as FlowEditorActionData).problems!.map((p) => p.path)).toEqual(["/steps/0/content/reviewAnchor"]);
    draft.steps[0].content = withTemplateSettings(draft.steps[0].content, { reviewAnchor: "#judgeme_product_reviews" });
    expect((await save(flowId, draft)).status).toBe(200);
    expect((await draftOf(flowId)).steps[0].content).toMatchObject({ reviewAnchor: "#judgeme_product_reviews" });

    expect((await save(flowId, original)).status).toBe(200);
  });

  it("previews a real order with the store's own recommendations, and says when it shows samples instead", async () => {
    const seeded = store.orders.find((o) => o.name === "#1002")!;
    const productIds = seeded.lines.map((l) => l.productId);
    const real = await prisma.order.create({
      data: {
        shop: SHOP,
        orderId: seeded.id,
        name: "#1002",
        email: "cleo@example.com",
        firstName: "Cleo",
        currency: seeded.presentmentCurrencyCode,
        shopCurrency: store.shop.currencyCode,
        countryCode: seeded.shippingAddress?.countryCode ?? null,
        totalPrice: "120.00",
        productIds: JSON.stringify(productIds),
        orderedAt: new Date(NOW - DAY),
      },
    });
    const previewOf = (order: string) => previewLoader(args(`/app/flows/${flowId}/preview?step=0${order ? `&order=${order}` : ""}`, { id: flowId }));
    const note = (res: Response) => decodeURIComponent(res.headers.get("X-Afterglow-Recommendations-Note") ?? "");

    // Shopify does not answer: the samples, and the toolbar says why.
    admin.failNext(1, 503);
    const down = await previewOf(real.id);
    expect(down.status).toBe(200);
    expect(down.headers.get("X-Afterglow-Recommendations")).toBe("sample");
    expect(note(down)).toMatch(/^Sample products: Shopify did not answer for #1002/);
    expect(await down.text()).toContain(SAMPLE_RECOMMENDATIONS[1].title);

    // Shopify answers: what the dispatcher's recommendation code picks for this order.
    const expected = await fetchRecommendations({
      client: createAdminClient({ shop: SHOP, accessToken: ACCESS_TOKEN, urlTemplate: admin.url, throttle: new AdminApiThrottle() }),
      productIds,
      currencyCode: real.currency,
      countryCode: real.countryCode,
      shopCurrency: store.shop.currencyCode,
      cache: createRecommendationCache(),
      limit: 4,
    });
    expect(expected.length).toBeGreaterThan(0);
    const up = await previewOf(real.id);
    expect(up.headers.get("X-Afterglow-Recommendations")).toBe("shop");
    expect(note(up)).toBe("Recommendations for #1002 from your store.");
    const html = await up.text();
    for (const product of expected) expect(html).toContain(product.url);
    expect(html).not.toContain(SAMPLE_RECOMMENDATIONS[1].title);

    // The sample order always shows the samples.
    const sample = await previewOf("");
    expect(sample.headers.get("X-Afterglow-Recommendations")).toBe("sample");
    expect(note(sample)).toMatch(/sample order/);
    expect(await sample.text()).toContain(SAMPLE_RECOMMENDATIONS[1].title);
  });
});

describe("test send", () => {
  it("sends the draft step to the merchant marked as a test, sets testSentAt, and never counts it", async () => {
    await prisma.shop.update({ where: { domain: SHOP }, data: { senderEmail: "hello@juniper.example" } });
    const draft = (await get<{ flow: FlowDraft }>(editorLoader, `/app/flows/${flowId}`, { id: flowId })).flow;
    draft.steps[0].subject = "Draft subject for {{ order.name }}";
    const res = await post(editorAction, `/app/flows/${flowId}`, { intent: "test_send", flow: JSON.stringify(draft), step: "0", to: "" }, { id: flowId });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, message: "Test sent to owner@juniper.example." });

    const sent = await prisma.outboxMessage.findFirstOrThrow({ where: { shop: SHOP } });
    expect(sent.subject).toBe("[Test] Draft subject for #1042");
    expect(sent.toAddress).toContain("owner@juniper.example");
    expect(sent.fromAddress).toContain("hello@juniper.example");
    const f = await prisma.followUp.findFirstOrThrow({ where: { shop: SHOP } });
    expect(f).toMatchObject({ isTest: true, status: "sent", recipient: "owner@juniper.example", flowId, messageId: sent.messageId });
    expect((await prisma.shop.findUniqueOrThrow({ where: { domain: SHOP } })).testSentAt).toBeInstanceOf(Date);

    const home = await get<Home>(homeLoader, "/app");
    expect(home).toMatchObject({ week: { sent: 0 }, scheduled7d: 0 });
    expect(home.guide.tasks.find((t) => t.id === "test_send")?.done).toBe(true);
    expect((await get<FlowList>(flowsLoader, "/app/flows")).flows[0].sent30d).toBe(0);
    // The test order never shows up as a real order to preview with.
    expect((await get<{ orders: unknown[] }>(editorLoader, `/app/flows/${flowId}`, { id: flowId })).orders).toEqual([]);
  });

  it("sends the A/B variant being previewed, recorded on the test", async () => {
    const draft = (await get<{ flow: FlowDraft }>(editorLoader, `/app/flows/${flowId}`, { id: flowId })).flow;
    draft.steps[0].variants = { id: "t", variants: [{ key: "a", weight: 50 }, { key: "b", weight: 50, subject: "Variant B for {{ order.name }}", content: { heading: "Only in B" } }] };
    const res = await post(editorAction, `/app/flows/${flowId}`, { intent: "test_send", flow: JSON.stringify(draft), step: "0", variant: "b", to: "" }, { id: flowId });
    expect(res.status).toBe(200);
    const sent = await prisma.outboxMessage.findFirstOrThrow({ where: { shop: SHOP } });
    expect(sent.subject).toBe("[Test] Variant B for #1042");
    expect(sent.html).toContain("Only in B");
    expect(await prisma.followUp.findFirstOrThrow({ where: { shop: SHOP } })).toMatchObject({ isTest: true, variant: "b" });
    const unknown = await post(editorAction, `/app/flows/${flowId}`, { intent: "test_send", flow: JSON.stringify(draft), step: "0", variant: "z", to: "" }, { id: flowId });
    expect(unknown.status).toBe(400);
    expect(await prisma.outboxMessage.count()).toBe(1);
  });

  it("refuses a bad address next to its field and sends nothing", async () => {
    const draft = (await get<{ flow: FlowDraft }>(editorLoader, `/app/flows/${flowId}`, { id: flowId })).flow;
    const res = await post(editorAction, `/app/flows/${flowId}`, { intent: "test_send", flow: JSON.stringify(draft), step: "0", to: "not-an-address" }, { id: flowId });
    expect(res.status).toBe(400);
    expect(((await res.json()) as FlowEditorActionData).problems).toEqual([{ path: "/testSend/to", message: expect.stringMatching(/complete email address/) }]);
    expect(await prisma.outboxMessage.count()).toBe(0);
    expect(await prisma.followUp.count()).toBe(0);
  });

  const testSend = async (fields: Record<string, string>, draft?: FlowDraft) => {
    const flow = draft ?? (await get<{ flow: FlowDraft }>(editorLoader, `/app/flows/${flowId}`, { id: flowId })).flow;
    return post(editorAction, `/app/flows/${flowId}`, { intent: "test_send", flow: JSON.stringify(flow), step: "0", ...fields }, { id: flowId });
  };
  const nothingSent = async () => {
    expect(await prisma.outboxMessage.count()).toBe(0);
    expect(await prisma.followUp.count()).toBe(0);
  };

  it("offers the shop's own addresses from Shopify, and sends to no other address", async () => {
    const editor = await get<{ testRecipients: string[] }>(editorLoader, `/app/flows/${flowId}`, { id: flowId });
    expect(editor.testRecipients).toEqual(["owner@juniper.example", "hello@juniper.example"]);

    const res = await testSend({ to: "stranger@example.com" });
    expect(res.status).toBe(400);
    const body = (await res.json()) as FlowEditorActionData;
    expect(body.problems).toEqual([{ path: "/testSend/to", message: expect.stringMatching(/owner@juniper\.example, hello@juniper\.example/) }]);
    expect(body.message).toMatch(/stranger@example\.com is not one of your store's addresses/);
    await nothingSent();
    expect(admin.requests.some((r) => r.operationName === "TestSendRecipients")).toBe(true);

    const contact = await testSend({ to: "Hello@Juniper.example" });
    expect(contact.status).toBe(200);
    expect(await contact.json()).toMatchObject({ ok: true, message: "Test sent to hello@juniper.example." });
    expect((await prisma.outboxMessage.findFirstOrThrow({ where: { shop: SHOP } })).toAddress).toContain("hello@juniper.example");
  });

  it("sends nothing to a suppressed address and says why", async () => {
    await prisma.suppression.create({ data: { shop: SHOP, email: "owner@juniper.example", scope: "all", reason: "unsubscribed" } });
    const res = await testSend({ to: "owner@juniper.example" });
    expect(res.status).toBe(400);
    expect(((await res.json()) as FlowEditorActionData).problems).toEqual([
      { path: "/testSend/to", message: expect.stringMatching(/owner@juniper\.example is on your suppression list \(unsubscribed, every email\)/) },
    ]);
    await nothingSent();

    // Suppressed for marketing only: a marketing step gets no test, a service step does.
    await prisma.suppression.create({ data: { shop: SHOP, email: "hello@juniper.example", scope: "marketing", reason: "manual" } });
    const draft = (await get<{ flow: FlowDraft }>(editorLoader, `/app/flows/${flowId}`, { id: flowId })).flow;
    draft.steps[0].category = "marketing";
    const marketing = await testSend({ to: "hello@juniper.example" }, draft);
    expect(marketing.status).toBe(400);
    expect(((await marketing.json()) as FlowEditorActionData).message).toMatch(/suppression list \(manual, marketing emails\)/);
    await nothingSent();
    draft.steps[0].category = "service";
    expect((await testSend({ to: "hello@juniper.example" }, draft)).status).toBe(200);
  });

  it("allows TEST_SENDS_PER_HOUR test sends per shop, counted from the stored tests, and says when the next one is possible", async () => {
    const o = await order("#2001", "owner@juniper.example");
    const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000);
    // Recorded by any process: the database is what counts.
    for (const minutesAgo of [90, 50, 20]) await followUp(o, { isTest: true, status: "sent", dueAt: at(minutesAgo), orderId: `test:${randomUUID()}` });
    expect((await testSend({ to: "" })).status).toBe(200);
    const refused = await testSend({ to: "" });
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get("Retry-After"));
    // The oldest test within the hour (50 minutes ago) leaves it in about 10 minutes.
    expect(retryAfter).toBeGreaterThan(9 * 60);
    expect(retryAfter).toBeLessThanOrEqual(10 * 60);
    const body = (await refused.json()) as FlowEditorActionData;
    expect(body.message).toMatch(/3 test emails in the last hour/);
    expect(body.message).toMatch(/next one at \d{2}:\d{2} UTC/);
    expect(await prisma.outboxMessage.count()).toBe(1);
    expect(await prisma.followUp.count({ where: { isTest: true } })).toBe(4);
  });

  it("lets only one of several simultaneous test sends take the hour's last place", async () => {
    const o = await order("#2002", "owner@juniper.example");
    for (const minutesAgo of [40, 30]) await followUp(o, { isTest: true, status: "sent", dueAt: new Date(Date.now() - minutesAgo * 60_000), orderId: `test:${randomUUID()}` });
    const draft = (await get<{ flow: FlowDraft }>(editorLoader, `/app/flows/${flowId}`, { id: flowId })).flow;
    const statuses = (await Promise.all([1, 2, 3, 4].map(() => testSend({ to: "" }, draft)))).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 429, 429, 429]);
    expect(await prisma.outboxMessage.count()).toBe(1);
  });

  it("answers 400 with the problems for content that cannot be sent, and sends nothing", async () => {
    const base = (await get<{ flow: FlowDraft }>(editorLoader, `/app/flows/${flowId}`, { id: flowId })).flow;
    const broken = structuredClone(base);
    broken.steps[0].subject = "Hello {{ customer.first_name";
    const res = await testSend({ to: "" }, broken);
    expect(res.status).toBe(400);
    const body = (await res.json()) as FlowEditorActionData;
    expect(body.problems).toEqual(expect.arrayContaining([{ path: "/steps/0/subject", message: expect.stringMatching(/never closed/) }]));
    await nothingSent();

    const empty = structuredClone(base);
    empty.steps[0].subject = "";
    empty.steps[0].template = "no-such-template";
    const invalid = await testSend({ to: "" }, empty);
    expect(invalid.status).toBe(400);
    const paths = ((await invalid.json()) as FlowEditorActionData).problems?.map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(["/steps/0/subject", "/steps/0/template"]));
    await nothingSent();

    const locale = await testSend({ to: "", locale: "../../etc/passwd" });
    expect(locale.status).toBe(400);
    expect(((await locale.json()) as FlowEditorActionData).problems).toEqual([{ path: "/testSend/locale", message: expect.stringMatching(/language/) }]);
    const variant = await testSend({ to: "", variant: "z" });
    expect(variant.status).toBe(400);
    expect(((await variant.json()) as FlowEditorActionData).problems).toEqual([{ path: "/testSend/variant", message: expect.stringMatching(/no variant "z"/) }]);
    await nothingSent();
  });
});

describe("messages", () => {
  type List = Awaited<ReturnType<typeof messagesLoader>>;
  it("filters by status, flow and due date, searches order name and email, and pages", async () => {
    expect((await get<List>(messagesLoader, "/app/messages")).anyFollowUps).toBe(false);
    const a = await order("#3001", "ada@example.com");
    const b = await order("#3002", "ben@shop.example");
    await followUp(a, { status: "sent", sentAt: new Date(NOW), dueAt: new Date("2026-10-01T10:00:00Z") });
    await followUp(b, { status: "failed", lastError: "SendGrid said 400", dueAt: new Date("2026-10-05T10:00:00Z") });
    for (let i = 0; i < 30; i++) await followUp(b, { orderId: `many-${i}`, status: "scheduled", dueAt: new Date("2026-11-01T10:00:00Z"), createdAt: new Date(NOW - i * 1000) });

    const failed = await get<List>(messagesLoader, "/app/messages?status=failed");
    // A failure's cause in the merchant's words, the flow and step by name.
    expect(failed.rows.map((r) => [r.order, r.status, r.reason, r.step])).toEqual([["#3002", "failed", "The email could not be sent.", "Step 1"]]);
    expect(failed.anyFollowUps).toBe(true);
    expect((await get<List>(messagesLoader, "/app/messages?q=ADA@example")).rows.map((r) => r.order)).toEqual(["#3001"]);
    expect((await get<List>(messagesLoader, "/app/messages?q=3001")).rows.map((r) => r.order)).toEqual(["#3001"]);
    expect((await get<List>(messagesLoader, "/app/messages?from=2026-10-01&to=2026-10-05")).rows.map((r) => r.order).sort()).toEqual(["#3001", "#3002"]);
    expect((await get<List>(messagesLoader, `/app/messages?flow=${flowId}&status=sent`)).rows).toHaveLength(1);
    expect((await get<List>(messagesLoader, "/app/messages?flow=another")).rows).toHaveLength(0);

    const first = await get<List>(messagesLoader, "/app/messages?status=scheduled");
    expect(first.rows).toHaveLength(25);
    const second = await get<List>(messagesLoader, `/app/messages?status=scheduled&cursor=${first.nextCursor}`);
    expect(second.rows).toHaveLength(5);
    expect(second.nextCursor).toBeNull();
    expect(new Set([...first.rows, ...second.rows].map((r) => r.id)).size).toBe(30);
  });

  it("reads the date filter as days in the shop's time zone", async () => {
    const a = await order("#3101", "ada@example.com");
    // 23:30 UTC on 1 Oct is already 2 Oct in Warsaw.
    await followUp(a, { status: "scheduled", dueAt: new Date("2026-10-01T23:30:00Z") });
    const on = (day: string) => get<List>(messagesLoader, `/app/messages?from=${day}&to=${day}`);
    expect((await on("2026-10-01")).rows).toHaveLength(1);
    await prisma.shop.update({ where: { domain: SHOP }, data: { ianaTimezone: "Europe/Warsaw" } });
    try {
      expect((await on("2026-10-01")).rows).toHaveLength(0);
      expect((await on("2026-10-02")).rows).toHaveLength(1);
    } finally {
      await prisma.shop.update({ where: { domain: SHOP }, data: { ianaTimezone: null } });
    }
  });

  it("explains a failure in the merchant's words and refuses a retry that cannot help", async () => {
    const a = await order("#4101", "ada@example.com");
    const badAddress = await followUp(a, {
      status: "failed",
      lastError: "SendGrid rejected the email for follow-up x (s) (HTTP 400): personalizations.0.to.0.email: Does not contain a valid address.. Fix these fields; sending it unchanged will fail again.",
    });
    const outage = await followUp(a, {
      orderId: "o",
      status: "failed",
      lastError: "Sending failed: SendGrid had a temporary problem (HTTP 503) while sending follow-up x (s); it can be retried. Gave up after 8 attempts.",
    });
    const detail = async (id: string) => (await get<Awaited<ReturnType<typeof messageLoader>>>(messageLoader, `/app/messages/${id}`, { id })).detail;

    expect(await detail(badAddress.id)).toMatchObject({ canRetry: false, failure: { kind: "invalid_address", retryHelps: false, action: "open_order" } });
    const refused = await post(messageAction, `/app/messages/${badAddress.id}`, { intent: "retry" }, { id: badAddress.id });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { message: string }).message).toMatch(/^Sending again would fail the same way\. The customer's email address is not valid/);
    expect((await prisma.followUp.findUniqueOrThrow({ where: { id: badAddress.id } })).status).toBe("failed");

    expect(await detail(outage.id)).toMatchObject({ canRetry: true, failure: { kind: "mail_service_down", action: "retry" } });
    // The address bounced since: the next attempt would be skipped, so a retry cannot help either.
    await prisma.suppression.create({ data: { shop: SHOP, email: "ada@example.com", scope: "all", reason: "hard_bounce" } });
    expect(await detail(outage.id)).toMatchObject({ canRetry: false, failure: { kind: "suppressed", action: "open_suppressions" } });
    expect((await post(messageAction, `/app/messages/${outage.id}`, { intent: "retry" }, { id: outage.id })).status).toBe(409);
  });

  it("words a failure from its recorded code in the list and on the page alike, and offers Retry now once a missing sender is set", async () => {
    const a = await order("#4151", "ada@example.com");
    // The provider's text says nothing the page can read; the code does.
    const noSender = await followUp(a, { status: "failed", lastError: "The mail service said no." });
    await prisma.followUpFailure.create({ data: { followUpId: noSender.id, code: "no_sender", at: new Date(NOW) } });
    const detail = async (id: string) => (await get<Awaited<ReturnType<typeof messageLoader>>>(messageLoader, `/app/messages/${id}`, { id })).detail;
    const listed = async () => (await get<Awaited<ReturnType<typeof messagesLoader>>>(messagesLoader, "/app/messages?status=failed")).rows.find((r) => r.id === noSender.id)!.reason;

    // The shop's address counts as a sender: without it (and no app address) there is none.
    await prisma.shop.update({ where: { domain: SHOP }, data: { email: null, senderEmail: null } });
    try {
      const before = await detail(noSender.id);
      expect(before).toMatchObject({ canRetry: false, failure: { kind: "no_sender", action: "open_settings" } });
      expect(await listed()).toBe(before!.failure!.cause);
      await prisma.shop.update({ where: { domain: SHOP }, data: { senderEmail: "care@juniper.example" } });
      const after = await detail(noSender.id);
      expect(after).toMatchObject({ canRetry: true, failure: { kind: "no_sender", action: "retry", retryHelps: true } });
      expect(after!.failure!.cause).toMatch(/one is set now/);
      expect(await listed()).toBe(after!.failure!.cause);
      expect((await post(messageAction, `/app/messages/${noSender.id}`, { intent: "retry" }, { id: noSender.id })).status).toBe(200);
      expect((await prisma.followUp.findUniqueOrThrow({ where: { id: noSender.id } })).status).toBe("scheduled");
    } finally {
      await prisma.shop.update({ where: { domain: SHOP }, data: { email: "owner@juniper.example", senderEmail: null } });
    }
  });

  it("keeps a failed test send's code, and says its cause with the page that fixes it instead of Retry now", async () => {
    // SendGrid accepts only another address as a sender: the shop's is refused with 403.
    const sendgrid = await startSendGridStandIn({ verifiedSenders: ["someone@else.example"] });
    try {
      const draft = (await get<{ flow: FlowDraft }>(editorLoader, `/app/flows/${flowId}`, { id: flowId })).flow;
      const result = await sendTestEmail({
        prisma,
        shop: SHOP,
        flow: { id: flowId, key: draft.key ?? "thank-you" },
        step: draft.steps[0],
        to: "owner@juniper.example",
        actor: "staff",
        transport: createSendGridTransport({ apiKey: "SG.test", baseUrl: sendgrid.url, timeoutMs: 2000 }),
        appTransport: () => {
          throw new Error("the test's own transport is used");
        },
      });
      expect(result).toMatchObject({ ok: false, status: 502 });
      const id = (result as { followUpId: string }).followUpId;
      expect((await prisma.followUpFailure.findUniqueOrThrow({ where: { followUpId: id } })).code).toBe("sender_not_verified");
      const page = await get<Awaited<ReturnType<typeof messageLoader>>>(messageLoader, `/app/messages/${id}`, { id });
      expect(page.detail).toMatchObject({ isTest: true, canRetry: false, failure: { kind: "test_send", action: "open_sender", retryHelps: false } });
      expect(page.detail!.failure!.cause).toBe(
        "This test email could not be sent. SendGrid refused your sender address because it is not verified. Verify the address or its domain, then send another test.",
      );
      const list = await get<Awaited<ReturnType<typeof messagesLoader>>>(messagesLoader, "/app/messages?status=failed");
      expect(list.rows.find((r) => r.id === id)!.reason).toBe(page.detail!.failure!.cause);
    } finally {
      await sendgrid.close();
    }
  });

  it("tells SendGrid's events in the merchant's words, with the facts kept for the details", async () => {
    const a = await order("#4201", "ada@example.com");
    const sent = await followUp(a, { status: "sent", createdAt: new Date(NOW - 60_000), sentAt: new Date(NOW), messageId: "sg-msg-1", transport: "sendgrid" });
    const at = (s: number) => new Date(NOW + s * 1000);
    const smtp = "550 5.1.1 The email account that you tried to reach does not exist.";
    await prisma.messageEvent.create({
      data: { dedupeKey: "k1", shop: SHOP, followUpId: sent.id, messageId: "sg-msg-1.filter", event: "bounce", email: "ada@example.com", reason: smtp, detail: JSON.stringify({ type: "bounce", status: "5.1.1" }), occurredAt: at(60) },
    });
    await prisma.followUpEvent.create({ data: { followUpId: sent.id, type: "bounce", detail: `Bounced: ${smtp}`, at: at(60) } });
    const d = (await get<Awaited<ReturnType<typeof messageLoader>>>(messageLoader, `/app/messages/${sent.id}`, { id: sent.id })).detail;
    expect(d.timeline.map((t) => t.title)).toEqual(["Scheduled", "Sent", "Bounced: the address does not exist"]);
    expect(d.timeline.map((t) => t.description).join(" ")).not.toContain("550");
    expect(d.timeline[2].detail).toContain("550 5.1.1");
    expect(d).toMatchObject({ deliveryProblem: "Bounced: the address does not exist", failure: null, sendgridMessageIds: ["sg-msg-1", "sg-msg-1.filter"] });
  });

  it("shows a follow-up's email, reason and timeline; cancels a scheduled one and retries a failed one, audited", async () => {
    const a = await order("#4001", "ada@example.com");
    const scheduled = await followUp(a, { status: "scheduled" });
    const failed = await followUp(a, { orderId: "f", status: "failed", attempts: 5, lastError: "Sending failed: 503. Gave up after 5 attempts." });
    await prisma.followUpEvent.create({ data: { followUpId: failed.id, type: "failed", detail: "Sending failed: 503. Gave up after 5 attempts." } });

    const detail = await get<Awaited<ReturnType<typeof messageLoader>>>(messageLoader, `/app/messages/${failed.id}`, { id: failed.id });
    expect(detail.detail).toMatchObject({ status: "failed", lastError: expect.stringContaining("503"), canRetry: true, canCancel: false });
    expect(detail.detail.timeline.map((t) => t.type)).toEqual(["scheduled", "failed"]);
    expect(detail.html).toContain("Order #4001");

    // A variant's follow-up shows that variant's content.
    const savedVariants = (await prisma.flowStep.findUniqueOrThrow({ where: { id: stepId } })).variants;
    await prisma.flowStep.update({
      where: { id: stepId },
      data: { variants: JSON.stringify({ id: "ab", variants: [{ key: "a", weight: 50 }, { key: "b", weight: 50, content: { heading: "Hello from variant b" } }] }) },
    });
    const ofB = await followUp(a, { orderId: "b", status: "sent", variant: "b" });
    const ofA = await followUp(a, { orderId: "a", status: "sent", variant: "a" });
    const shown = async (id: string) => (await get<Awaited<ReturnType<typeof messageLoader>>>(messageLoader, `/app/messages/${id}`, { id })).html;
    expect(await shown(ofB.id)).toContain("Hello from variant b");
    expect(await shown(ofA.id)).not.toContain("Hello from variant b");
    await prisma.flowStep.update({ where: { id: stepId }, data: { variants: savedVariants } });

    const cancel = await post(messageAction, `/app/messages/${scheduled.id}`, { intent: "cancel" }, { id: scheduled.id });
    expect(cancel.status).toBe(200);
    expect(await prisma.followUp.findUniqueOrThrow({ where: { id: scheduled.id } })).toMatchObject({ status: "cancelled", skipReason: "Cancelled by the merchant." });
    expect((await post(messageAction, `/app/messages/${scheduled.id}`, { intent: "cancel" }, { id: scheduled.id })).status).toBe(409);
    expect((await post(messageAction, `/app/messages/${scheduled.id}`, { intent: "retry" }, { id: scheduled.id })).status).toBe(409);

    const before = Date.now();
    const retry = await post(messageAction, `/app/messages/${failed.id}`, { intent: "retry" }, { id: failed.id });
    expect(retry.status).toBe(200);
    const retried = await prisma.followUp.findUniqueOrThrow({ where: { id: failed.id } });
    expect(retried).toMatchObject({ status: "scheduled", attempts: 0 });
    expect(retried.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    const after = await get<Awaited<ReturnType<typeof messageLoader>>>(messageLoader, `/app/messages/${failed.id}`, { id: failed.id });
    expect(after.detail.timeline.map((t) => t.type)).toEqual(["scheduled", "failed", "retry_requested"]);
    expect((await listAudit(prisma, SHOP)).map((e) => e.action).reverse()).toEqual(["follow_up.cancelled", "follow_up.retried"]);
  });
});

describe("settings", () => {
  type Settings = Awaited<ReturnType<typeof settingsLoader>>;
  const good = {
    senderName: "Juniper & Pine",
    senderEmail: "Hello@Juniper.example",
    replyTo: "care@juniper.example",
    sendWindowEnabled: "on",
    sendWindowDays: ["mon", "wed", "fri"],
    sendWindowStart: "09:00",
    sendWindowEnd: "18:00",
    frequencyCapEnabled: "on",
    frequencyCapMaxSends: "2",
    frequencyCapPeriodHours: "24",
    marketingConsentRequired: "on",
  };

  it("starts with consent required and the default smart sending cap", async () => {
    const s = await get<Settings>(settingsLoader, "/app/settings");
    expect(s).toMatchObject({ marketingConsentRequired: true, frequencyCap: { enabled: true, maxSends: 1, periodHours: 16 }, defaultSendWindow: null });
  });

  it("saves valid settings, audits which fields changed, and reads them back", async () => {
    const res = await post(settingsAction, "/app/settings", good);
    expect(res.status).toBe(200);
    expect(((await res.json()) as SettingsActionData).changed).toEqual(expect.arrayContaining(["senderName", "senderEmail", "replyTo", "defaultSendWindow", "frequencyCap"]));
    const s = await get<Settings>(settingsLoader, "/app/settings");
    expect(s).toMatchObject({ senderEmail: "hello@juniper.example", defaultSendWindow: { days: ["mon", "wed", "fri"], start: "09:00", end: "18:00" }, frequencyCap: { enabled: true, maxSends: 2, periodHours: 24 } });
    const [entry] = await listAudit(prisma, SHOP);
    expect(entry.action).toBe("settings.updated");
    expect(JSON.stringify(entry.detail)).not.toContain("juniper.example");
    // Unticked consent box: marketing goes to everyone; the shop's row says so.
    await post(settingsAction, "/app/settings", { ...good, marketingConsentRequired: [] });
    expect((await prisma.shop.findUniqueOrThrow({ where: { domain: SHOP } })).marketingConsentRequired).toBe(false);
  });

  it("refuses bad addresses, a bad send window and a bad cap, each under its field, changing nothing", async () => {
    await prisma.shop.update({ where: { domain: SHOP }, data: { senderEmail: "kept@juniper.example" } });
    const res = await post(settingsAction, "/app/settings", {
      ...good,
      senderEmail: "hello@",
      replyTo: "care juniper",
      sendWindowDays: [],
      sendWindowStart: "9am",
      frequencyCapMaxSends: "0",
    });
    expect(res.status).toBe(400);
    const { errors } = (await res.json()) as SettingsActionData;
    expect(Object.keys(errors!).sort()).toEqual(["defaultSendWindow", "frequencyCap", "replyTo", "senderEmail"]);
    expect(errors!.frequencyCap).toMatch(/Emails per customer must be a whole number from 1 to 50/);
    expect(errors!.defaultSendWindow).toMatch(/Start/);
    expect((await prisma.shop.findUniqueOrThrow({ where: { domain: SHOP } })).senderEmail).toBe("kept@juniper.example");
    expect(await listAudit(prisma, SHOP)).toEqual([]);
  });
});
