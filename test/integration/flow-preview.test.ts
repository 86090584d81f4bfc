// The editor's preview tells the truth about a cross-sell: the step's own 25 % for 10 days, the
// expiry date counted from now in the shop's time zone, the shop's brand and language. The same
// step for the same order, previewed the way the editor asks (its draft, now, the shop's own
// recommendations) and sent by the dispatcher wired as the runtime wires it, gives the same
// HTML and text; only the code (an example in the preview, the customer's own when sent) and
// the unsubscribe token differ.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDatabase } from "../helpers/db";
import { connectBrandedShop, runtimeDispatcher, startRenderStore } from "../helpers/render-path";
import type { AdminSimulator } from "../../simulator/admin-api";
import { legacyId, SIMULATOR_SHOP, type SeedStore } from "../../simulator/store";
import type { OutgoingEmail } from "~/adapters/mail/transport";
import type { RecommendedProduct } from "~/domain/recommendations.types";
import { PREVIEW_DISCOUNT_CODE } from "~/email/preview.server";
import { receiveOrderCreated } from "~/services/intake/intake.server";
import { findPreviewOrder, loadFlowDraft, previewRecommendations, previewStep, recentOrders } from "~/services/flows/flow-editor.server";

const db = createTestDatabase("flow-preview");
const prisma = db.prisma;
// 11:30 in London is already the next day in Auckland: a date counted in UTC would be a day early.
const NOW = new Date("2026-11-28T11:30:00Z");
let simulator: AdminSimulator;
let store: SeedStore;
let stopStore: () => Promise<void>;
const sent: OutgoingEmail[] = [];

const flows = {
  version: 1,
  flows: [
    {
      key: "more-for-you",
      name: "More for you",
      trigger: "order_created",
      active: true,
      steps: [
        {
          key: "offer",
          delay: { amount: 0, unit: "minutes", from: "trigger" },
          template: "cross-sell",
          subject: "{{ discount.percentage }} für {{ customer.first_name }}: {{ discount.code }}",
          content: { discount: { percentage: 25, expiresInDays: 10 } },
        },
      ],
    },
  ],
};

beforeAll(async () => {
  // Only the clock is fixed: the preview counts from `new Date()` as the editor's request does.
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(NOW);
  ({ simulator, store, stop: stopStore } = await startRenderStore());
  await connectBrandedShop(prisma, { primaryLocale: "de", ianaTimezone: "Pacific/Auckland", flows });
});
afterAll(async () => {
  vi.useRealTimers();
  await stopStore?.();
  await db.cleanup();
});

// Which source leads the recommendations is drawn at random per email (the shop's learned
// preference), so the send gets the list the preview showed.
const dispatcher = (recommendations: RecommendedProduct[]) => runtimeDispatcher({ prisma, simulator, recommendations, sent });

const withoutToken = (s: string) => s.replace(/\/unsubscribe\/[^?"&\s\]]+/g, "/unsubscribe/TOKEN");
const visibleText = (html: string) =>
  html
    .replace(/<head>[\s\S]*?<\/head>/i, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/&nbsp;|\u00a0/g, " ")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");

describe("the editor's preview of a cross-sell", () => {
  it("shows the step's own discount, dated from now in the shop's time zone, and is the email the dispatcher sends for the same order", async () => {
    const customer = store.customers[0]!;
    const outcome = await receiveOrderCreated({
      prisma,
      delivery: { shop: SIMULATOR_SHOP, topic: "orders/create", webhookId: "wh-preview-1" },
      payload: {
        id: 8101,
        name: "#8101",
        email: "jonas@example.com",
        created_at: NOW.toISOString(),
        currency: "EUR",
        total_price: "74.00",
        customer: { id: legacyId(customer.id), first_name: "Jonas" },
        line_items: [
          {
            id: 1,
            product_id: legacyId(store.products.find((p) => p.title === "Juniper Forest Soy Candle")!.id),
            title: "Juniper Forest Soy Candle",
            quantity: 1,
            price: "74.00",
          },
        ],
      },
      now: NOW,
    });
    expect(outcome.kind).toBe("scheduled");

    // The editor: the order picked from the recent ones, the shop's recommendations for it, the draft's step.
    const flow = await prisma.flow.findFirstOrThrow({ where: { shop: SIMULATOR_SHOP, key: "more-for-you" } });
    const draft = (await loadFlowDraft(prisma, { shop: SIMULATOR_SHOP, id: flow.id }))!;
    const picked = (await recentOrders(prisma, SIMULATOR_SHOP)).find((o) => o.name === "#8101")!;
    const order = (await findPreviewOrder(prisma, { shop: SIMULATOR_SHOP, orderId: picked.id }))!;
    const shop = await prisma.shop.findUniqueOrThrow({ where: { domain: SIMULATOR_SHOP } });
    const recommendations = await previewRecommendations({ prisma, shop, real: order });
    expect(recommendations.source).toBe("shop");
    expect(recommendations.products.length).toBeGreaterThan(0);
    const preview = await previewStep({ prisma, shop, flowKey: flow.key, step: draft.steps[0], order, recommendations: recommendations.products });

    // The send, due now.
    await dispatcher(recommendations.products).drain();
    expect(sent).toHaveLength(1);
    const email = sent[0]!;
    const followUp = await prisma.followUp.findFirstOrThrow({ where: { flowId: flow.id, stepKey: "offer" } });
    expect(followUp.status).toBe("sent");
    const code = followUp.discountCode!;
    expect(code).toMatch(/^THANKS-/);

    // What the merchant reads: 25 %, until 9 December in Auckland (8 December in UTC), in German.
    const text = visibleText(preview.html);
    expect(text).toContain("25 % Rabatt");
    expect(text).toContain("9. Dezember 2026");
    expect(text).not.toContain("8. Dezember");
    expect(text).not.toContain("15");
    expect(text).toContain(PREVIEW_DISCOUNT_CODE);
    expect(preview.html).toMatch(/<html[^>]*\blang="de"/);
    expect(preview.html).toContain("#8a3b12");
    expect(preview.subject).toBe(`25 % für Jonas: ${PREVIEW_DISCOUNT_CODE}`.replace(" ", "\u00a0"));
    for (const p of recommendations.products) expect(preview.html).toContain(p.title);

    // And the rest is what went out: the example code stands where the customer's own is.
    const asSent = (s: string) => withoutToken(s.replaceAll(PREVIEW_DISCOUNT_CODE, code));
    expect(asSent(preview.subject)).toBe(email.subject);
    // Compared as a boolean first: a failed comparison of two whole emails prints both.
    expect(asSent(preview.html) === withoutToken(email.html), "the preview's HTML is the sent HTML").toBe(true);
    expect(asSent(preview.text)).toBe(withoutToken(email.text));
    expect(email.html).not.toContain(PREVIEW_DISCOUNT_CODE);
  });

  it("shows the sample order in the shop's language, with the same discount and date", async () => {
    const flow = await prisma.flow.findFirstOrThrow({ where: { shop: SIMULATOR_SHOP, key: "more-for-you" } });
    const draft = (await loadFlowDraft(prisma, { shop: SIMULATOR_SHOP, id: flow.id }))!;
    const shop = await prisma.shop.findUniqueOrThrow({ where: { domain: SIMULATOR_SHOP } });
    const sample = await previewStep({ prisma, shop, flowKey: flow.key, step: draft.steps[0], order: null });
    const text = visibleText(sample.html);
    expect(sample.html).toMatch(/<html[^>]*\blang="de"/);
    expect(text).toContain("25 % Rabatt");
    expect(text).toContain("9. Dezember 2026");
    expect(text).toContain(PREVIEW_DISCOUNT_CODE);
  });
});
