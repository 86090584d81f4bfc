// Review requests that get reviews, through the app's real path: signed orders/create webhooks to
// the route, the intake, the dispatcher as the runtime wires it (the store simulator for the
// products' pages, the Judge.me stand-in for what was already reviewed), and the email at the
// SendGrid stand-in: five star links per product at the review app's anchor, no product asked
// about twice within the shop's period, a product already reviewed left out, and a review app
// that cannot answer never holding the email back.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { ActionFunctionArgs } from "@remix-run/node";

const ENCRYPTION_KEYS = `k1:${randomBytes(32).toString("base64")}`;
const ctx = await vi.hoisted(async () =>
  (await import("../helpers/env")).appTestEnv({
    name: "review-requests",
    apiKey: "review-requests-key",
    secret: "review-requests-secret",
    env: { LOG_LEVEL: "error" },
  }),
);

import prisma from "~/db.server";
import { action as ordersCreateAction } from "~/routes/webhooks.orders.create";
import { action as customersRedactAction } from "~/routes/webhooks.customers.redact";
import { connectShop, storeOfflineToken } from "~/services/shop/shops.server";
import { importFlows } from "~/services/flows/flows.server";
import { loadFlowDraft, previewStep } from "~/services/flows/flow-editor.server";
import { saveReviewSettings } from "~/services/shop/review-settings.server";
import { createRuntime } from "~/runtime/runtime.server";
import { loadConfig } from "~/platform/config.server";
import { startAdminSimulator, type AdminSimulator } from "../../simulator/admin-api";
import { startSendGridStandIn, type SendGridStandIn } from "../../simulator/sendgrid";
import { startJudgeMeStandIn, type JudgeMeStandIn } from "../../simulator/review-apps";
import { createSeedStore, legacyId, SIMULATOR_ACCESS_TOKEN, SIMULATOR_SHOP } from "../../simulator/store";
import { customersRedactPayload, orderCreatedPayload } from "../../simulator/orders";
import { signedWebhook } from "../helpers/webhooks";

const store = createSeedStore();
const JUDGEME_TOKEN = "jm-private-token-4821";
const SENDGRID_KEY = "SG.review-requests-key";
let admin: AdminSimulator;
let sendgrid: SendGridStandIn;
let judgeme: JudgeMeStandIn;

const [candle, board, third] = store.products.filter((p) => p.status === "ACTIVE" && p.onlineStoreUrl);
const customer = store.customers.find((c) => c.email)!;

const flow = {
  key: "reviews",
  name: "Ask for reviews",
  trigger: "order_created",
  active: true,
  exitRules: { orderedAgain: false },
  steps: [{ key: "review", delay: { amount: 0, unit: "minutes" }, template: "review-request", subject: "How is your {{ product.title }}?" }],
};

const runtime = () =>
  createRuntime({
    prisma,
    config: loadConfig({
      ...process.env,
      SENDGRID_API_KEY: SENDGRID_KEY,
      SENDGRID_API_URL: sendgrid.url,
      SHOPIFY_ADMIN_API_URL: admin.url,
      JUDGEME_API_URL: judgeme.url,
      AFTERGLOW_ENCRYPTION_KEYS: ENCRYPTION_KEYS,
    }),
  });

// Orders a minute apart (Shopify's times have whole seconds), all before now: their requests are due.
const START = Date.now() - 86_400_000;
let seq = 0;
async function ordered(products: { id: string }[], createdAt = new Date(START + ++seq * 60_000)) {
  const payload = orderCreatedPayload({ store, customerId: customer.id, lines: products.map((p) => ({ productId: p.id, quantity: 1 })), createdAt });
  const request = signedWebhook({ topic: "orders/create", shop: SIMULATOR_SHOP, payload, secret: ctx.secret });
  const res = await ordersCreateAction({ request, params: {}, context: {} } as ActionFunctionArgs);
  expect(res.status).toBe(200);
  return payload.admin_graphql_api_id as string;
}

const reviewOf = (orderId: string) => prisma.followUp.findFirstOrThrow({ where: { orderId, stepKey: "review" }, include: { events: true } });
const mailFor = async (orderId: string): Promise<SendGridStandIn["messages"][number]> => {
  const followUp = await reviewOf(orderId);
  const mail = sendgrid.messages.find((m) => m.customArgs.followUpId === followUp.id);
  expect(mail, `the review request of ${orderId}`).toBeDefined();
  return mail!;
};

// The star links of an email: the product's path, the rating and the anchor of each.
function starLinks(html: string) {
  return [...html.matchAll(/<a [^>]*href="([^"]*)"[^>]*data-rating-label="([^"]*)"/g)].map((m) => {
    const url = new URL(m[1].replace(/&amp;/g, "&"));
    return { path: url.pathname, rating: url.searchParams.get("rating"), hash: url.hash, label: m[2], utm: url.searchParams.get("utm_campaign") };
  });
}

async function reviewSettings(input: Record<string, unknown>) {
  const saved = await saveReviewSettings({ prisma, shop: SIMULATOR_SHOP, actor: "test", input, secrets: { encryptionKeys: ENCRYPTION_KEYS } });
  expect(saved.ok).toBe(true);
}

beforeAll(async () => {
  admin = await startAdminSimulator({ stores: [store] });
  sendgrid = await startSendGridStandIn({ apiKeys: [SENDGRID_KEY] });
  judgeme = await startJudgeMeStandIn();
  await storeOfflineToken({ prisma, shop: SIMULATOR_SHOP, accessToken: SIMULATOR_ACCESS_TOKEN });
});
afterAll(async () => {
  await admin.close();
  await sendgrid.close();
  await judgeme.close();
  await ctx.cleanup();
});
beforeEach(async () => {
  sendgrid.clear();
  judgeme.clear();
  judgeme.addShop(SIMULATOR_SHOP, JUDGEME_TOKEN);
  for (const t of ["reviewRequest", "shopReviewSetting", "followUpEvent", "followUp", "order", "webhookDelivery", "flowStep", "flow", "shop"] as const) {
    await (prisma[t] as unknown as { deleteMany(): Promise<unknown> }).deleteMany();
  }
  await connectShop({ prisma, shop: SIMULATOR_SHOP, profile: { name: store.shop.name, email: store.shop.email, storefrontUrl: store.shop.primaryDomain.url } });
  // Several orders' review requests go out close together here: smart sending would hold them.
  await prisma.shop.update({ where: { domain: SIMULATOR_SHOP }, data: { frequencyCap: JSON.stringify({ enabled: false, maxSends: 1, periodHours: 16 }) } });
  await importFlows(prisma, SIMULATOR_SHOP, { version: 1, flows: [flow] });
  await reviewSettings({ reviewApp: "judgeme", anchor: "", reaskDays: "365", apiToken: JUDGEME_TOKEN });
});

describe("review requests", () => {
  it("the seeded products and customer are what the tests take them for", () => {
    for (const p of [candle, board, third]) expect(p?.onlineStoreUrl).toMatch(/^https:\/\//);
    expect(new Set([candle.id, board.id, third.id]).size).toBe(3);
    expect(customer.email).toMatch(/@/);
  });

  it("an order of two products: five star links each at Judge.me's anchor, in the HTML and the text part, and the products remembered", async () => {
    const orderId = await ordered([candle, board]);
    expect(await runtime().dispatcher.drain()).toMatchObject({ sent: 1 });
    const mail = await mailFor(orderId);
    const stars = starLinks(mail.html ?? "");
    expect(stars).toHaveLength(10);
    const path = (p: { onlineStoreUrl: string | null }) => new URL(p.onlineStoreUrl!).pathname;
    expect(stars.map((s) => [s.path, s.rating, s.hash])).toEqual(
      [candle, board].flatMap((p) => ["1", "2", "3", "4", "5"].map((r) => [path(p), r, "#judgeme_product_reviews"])),
    );
    // The seeded customer shops in Polish: each star's words are in the email's language.
    expect(stars.map((s) => s.label).slice(0, 5)).toEqual([1, 2, 3, 4, 5].map((n) => `Oceń na ${n} z 5`));
    expect(new Set(stars.map((s) => s.utm))).toEqual(new Set(["reviews"]));
    expect(mail.html).toContain('aria-label="Oceń na 4 z 5"');
    // The text part says what each star does and where it goes.
    const textStars = [...(mail.text ?? "").matchAll(/^Oceń na (\d) z 5: (\S+)$/gm)];
    expect(textStars.map((m) => m[1])).toEqual(["1", "2", "3", "4", "5", "1", "2", "3", "4", "5"]);
    expect(new URL(textStars[3][2]).searchParams.get("rating")).toBe("4");
    // Judge.me was asked with the shop's domain and its token.
    expect(judgeme.requests.map((r) => [r.query.shop_domain, r.query.api_token, r.status])).toEqual([[SIMULATOR_SHOP, JUDGEME_TOKEN, 200]]);

    const followUp = await reviewOf(orderId);
    const rows = await prisma.reviewRequest.findMany({ where: { followUpId: followUp.id } });
    expect(rows.map((r) => r.productId).sort()).toEqual([candle.id, board.id].sort());
    // The row names no one: the customer is a hash.
    for (const r of rows) expect(r.customerKey).toMatch(/^[0-9a-f]{64}$/);
  });

  it("never asks twice within the period: a product asked about is left out, and with none left the follow-up is skipped naming them", async () => {
    const first = await ordered([candle, board]);
    expect(await runtime().dispatcher.drain()).toMatchObject({ sent: 1 });
    sendgrid.clear();

    const again = await ordered([candle]);
    expect(await runtime().dispatcher.drain()).toMatchObject({ skipped: 1, sent: 0 });
    expect(await reviewOf(again)).toMatchObject({
      status: "skipped",
      skipCode: "review_already_requested",
      skipReason: `No product left to ask a review for: "${candle.title}" was asked about within the last 365 days.`,
    });

    const mixed = await ordered([board, third]);
    expect(await runtime().dispatcher.drain()).toMatchObject({ sent: 1 });
    const stars = starLinks((await mailFor(mixed)).html ?? "");
    expect(new Set(stars.map((s) => s.path))).toEqual(new Set([new URL(third.onlineStoreUrl!).pathname]));
    expect(stars).toHaveLength(5);
    expect(sendgrid.messages).toHaveLength(1);
    expect((await reviewOf(first)).status).toBe("sent");
  });

  it("a period of 0 asks every time; a shop's own anchor wins over the app's", async () => {
    await reviewSettings({ reviewApp: "judgeme", anchor: "#product-reviews", reaskDays: "0", apiToken: "" });
    await ordered([candle]);
    await ordered([candle]);
    expect(await runtime().dispatcher.drain()).toMatchObject({ sent: 2 });
    for (const mail of sendgrid.messages) {
      expect(starLinks(mail.html ?? "").map((s) => s.hash)).toEqual(Array(5).fill("#product-reviews"));
    }
  });

  it("Judge.me says the customer already reviewed one product: only the other is asked about", async () => {
    judgeme.addReview(SIMULATOR_SHOP, { productExternalId: legacyId(candle.id), reviewerEmail: customer.email!.toUpperCase(), rating: 5 });
    // Someone else's review of the board changes nothing.
    judgeme.addReview(SIMULATOR_SHOP, { productExternalId: legacyId(board.id), reviewerEmail: "someone.else@example.com", rating: 2 });
    const orderId = await ordered([candle, board]);
    expect(await runtime().dispatcher.drain()).toMatchObject({ sent: 1 });
    const stars = starLinks((await mailFor(orderId)).html ?? "");
    expect(new Set(stars.map((s) => s.path))).toEqual(new Set([new URL(board.onlineStoreUrl!).pathname]));
    const rows = await prisma.reviewRequest.findMany();
    expect(rows.map((r) => r.productId)).toEqual([board.id]);

    // Both reviewed: nothing left, and the reason says so.
    judgeme.addReview(SIMULATOR_SHOP, { productExternalId: legacyId(board.id), reviewerEmail: customer.email!, rating: 4 });
    await prisma.reviewRequest.deleteMany();
    const second = await ordered([candle, board]);
    expect(await runtime().dispatcher.drain()).toMatchObject({ skipped: 1 });
    expect((await reviewOf(second)).skipReason).toBe(`No product left to ask a review for: "${candle.title}" and "${board.title}" were already reviewed.`);
  });

  it("Judge.me down, or refusing the token: the email still goes, asking about every product, and the timeline says why", async () => {
    judgeme.setDown();
    const down = await ordered([candle, board]);
    expect(await runtime().dispatcher.drain()).toMatchObject({ sent: 1 });
    expect(starLinks((await mailFor(down)).html ?? "")).toHaveLength(10);
    const event = (await reviewOf(down)).events.find((e) => e.type === "review_app_unavailable");
    expect(event?.detail).toMatch(/^Judge\.me could not say which products were already reviewed; asked about all of them\. Judge\.me answered 503/);

    judgeme.setDown(false);
    await reviewSettings({ reviewApp: "judgeme", anchor: "", reaskDays: "0", apiToken: "not-the-token" });
    const refused = await ordered([candle]);
    expect(await runtime().dispatcher.drain()).toMatchObject({ sent: 1 });
    expect(starLinks((await mailFor(refused)).html ?? "")).toHaveLength(5);
    expect(judgeme.requests.at(-1)).toMatchObject({ status: 401 });
    expect((await reviewOf(refused)).events.find((e) => e.type === "review_app_unavailable")?.detail).toMatch(/refused the API token/);
  });

  it("the editor's preview lands the stars where the send does: the shop's review app and anchor", async () => {
    await reviewSettings({ reviewApp: "shopify_product_reviews", anchor: "", reaskDays: "365", apiToken: "" });
    const flowRow = await prisma.flow.findFirstOrThrow({ where: { shop: SIMULATOR_SHOP, key: "reviews" } });
    const draft = (await loadFlowDraft(prisma, { shop: SIMULATOR_SHOP, id: flowRow.id }))!;
    const shop = await prisma.shop.findUniqueOrThrow({ where: { domain: SIMULATOR_SHOP } });
    const preview = await previewStep({ prisma, shop, flowKey: flowRow.key, step: draft.steps[0], order: null });
    const stars = starLinks(preview.html);
    expect(stars.length).toBeGreaterThan(0);
    expect(new Set(stars.map((s) => s.hash))).toEqual(new Set(["#shopify-product-reviews"]));

    const orderId = await ordered([candle]);
    expect(await runtime().dispatcher.drain()).toMatchObject({ sent: 1 });
    expect(new Set(starLinks((await mailFor(orderId)).html ?? "").map((s) => s.hash))).toEqual(new Set(["#shopify-product-reviews"]));
    // Shopify Product Reviews has no API Afterglow reads: Judge.me was not asked.
    expect(judgeme.requests).toEqual([]);
  });

  it("customers/redact takes the customer's review requests with their orders", async () => {
    await ordered([candle, board]);
    expect(await runtime().dispatcher.drain()).toMatchObject({ sent: 1 });
    expect(await prisma.reviewRequest.count()).toBe(2);
    const payload = customersRedactPayload({ store, customerId: customer.id });
    const request = signedWebhook({ topic: "customers/redact", shop: SIMULATOR_SHOP, payload, secret: ctx.secret });
    expect((await customersRedactAction({ request, params: {}, context: {} } as ActionFunctionArgs)).status).toBe(200);
    expect(await prisma.reviewRequest.count()).toBe(0);
  });

  it("the token is stored encrypted, never in clear, and Settings refuses a bad anchor or period", async () => {
    const row = await prisma.shopReviewSetting.findUniqueOrThrow({ where: { shop: SIMULATOR_SHOP } });
    expect(row.apiTokenEnc).toBeTruthy();
    expect(row.apiTokenEnc).not.toContain(JUDGEME_TOKEN);
    const bad = await saveReviewSettings({ prisma, shop: SIMULATOR_SHOP, actor: "test", input: { reviewApp: "judgeme", anchor: "reviews", reaskDays: "-1", apiToken: "" } });
    expect(bad).toEqual({
      ok: false,
      errors: {
        anchor: "An anchor starts with # and a letter, then letters, digits, - or _ (e.g. #judgeme_product_reviews).",
        reaskDays: "Enter a whole number of days from 0 to 3650 (0 asks every time).",
      },
    });
    // The refused save changed nothing.
    expect(await prisma.shopReviewSetting.findUniqueOrThrow({ where: { shop: SIMULATOR_SHOP } })).toEqual(row);
  });
});
