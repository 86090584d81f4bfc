// The email a merchant previews is the email the customer gets: the same step and order, with the
// same recommendations, rendered through the editor's preview and through the real dispatcher
// (purchased products and the discount code from the store simulator), give the same HTML. Only
// the unsubscribe token differs (a preview signs no link), and in the editor's preview of a
// cross-sell, the code (it makes none in Shopify).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase } from "../helpers/db";
import { connectBrandedShop, RENDER_APP_URL as APP_URL, runtimeDispatcher, startRenderStore } from "../helpers/render-path";
import type { AdminSimulator } from "../../simulator/admin-api";
import { legacyId, SIMULATOR_SHOP, type SeedStore } from "../../simulator/store";
import type { OutgoingEmail } from "~/adapters/mail/transport";
import { PREVIEW_DISCOUNT_CODE } from "~/email/preview.server";
import { receiveOrderCreated } from "~/services/intake/intake.server";
import { loadFlowDraft, previewStep } from "~/services/flows/flow-editor.server";
import type { RecommendedProduct } from "~/domain/recommendations.types";

const db = createTestDatabase("one-render-path");
const prisma = db.prisma;
let simulator: AdminSimulator;
let store: SeedStore;
let stopStore: () => Promise<void>;
let clock = new Date("2026-11-28T12:00:00Z");
const sent: OutgoingEmail[] = [];

const recommendations: RecommendedProduct[] = [
  {
    id: "gid://shopify/Product/900",
    title: "Linen Napkins (Set of 4)",
    url: "https://juniperandpine.example/products/linen-napkins-set-of-4",
    imageUrl: "https://cdn.example/napkins.jpg",
    imageAlt: "Four linen napkins",
    price: { amount: "24.00", currencyCode: "PLN" },
    source: "complementary",
  },
  {
    id: "gid://shopify/Product/901",
    title: "Stoneware Mug",
    url: "https://juniperandpine.example/products/stoneware-mug",
    imageUrl: null,
    imageAlt: null,
    price: { amount: "39.50", currencyCode: "PLN" },
    source: "related",
  },
];

const flows = {
  version: 1,
  flows: [
    {
      key: "after-purchase",
      name: "After purchase",
      trigger: "order_created",
      active: true,
      steps: [
        {
          key: "thanks",
          delay: { amount: 1, unit: "hours", from: "trigger" },
          template: "thank-you",
          subject: "Thank you, {{ customer.first_name }}",
          content: {
            heading: "{{ order.name }} is on its way",
            blocks: [
              { type: "text", text: "Your total: {{ order.total }}." },
              { type: "products", heading: "Goes with {{ product.title }}" },
              { type: "button", text: "Visit {{ shop.name }}", url: "{{ shop.url }}/collections/all" },
            ],
            locales: { pl: { heading: "{{ order.name }} jest w drodze" } },
          },
        },
        {
          key: "offer",
          delay: { amount: 2, unit: "days", from: "trigger" },
          template: "cross-sell",
          subject: "Something for you: {{ discount.code }}",
          content: { discount: { percentage: 10, expiresInDays: 30 } },
        },
        {
          key: "review",
          delay: { amount: 7, unit: "days", from: "trigger" },
          template: "review-request",
          subject: "How is your {{ product.title }}?",
          content: { reviewAnchor: "#judgeme_product_reviews" },
        },
      ],
    },
  ],
};

// Wired as the runtime wires it, on the test's clock.
const dispatcher = () => runtimeDispatcher({ prisma, simulator, recommendations, sent, now: () => clock });

beforeAll(async () => {
  ({ simulator, store, stop: stopStore } = await startRenderStore());
});
afterAll(async () => {
  await stopStore?.();
  await db.cleanup();
});
beforeEach(async () => {
  sent.length = 0;
  clock = new Date("2026-11-28T12:00:00Z");
  await connectBrandedShop(prisma, { primaryLocale: "en", ianaTimezone: "Europe/Warsaw", flows });
});

// The unsubscribe link's token: signed per follow-up when sent, a placeholder in a preview.
const withoutToken = (html: string) => html.replace(/\/unsubscribe\/[^?"&]+/g, "/unsubscribe/TOKEN");

describe("one render path", () => {
  it("the preview of each step equals the email the dispatcher sent for the same order and products", async () => {
    const customer = store.customers[0]!;
    const outcome = await receiveOrderCreated({
      prisma,
      delivery: { shop: SIMULATOR_SHOP, topic: "orders/create", webhookId: "wh-one-path" },
      payload: {
        id: 7001,
        name: "#7001",
        email: "ola@example.com",
        created_at: clock.toISOString(),
        currency: "PLN",
        total_price: "148.00",
        customer_locale: "pl-PL",
        customer: { id: legacyId(customer.id), first_name: "Ola" },
        line_items: ["Juniper Forest Soy Candle", "Olive Wood Serving Board"].map((title, i) => ({
          id: i + 1,
          product_id: legacyId(store.products.find((p) => p.title === title)!.id),
          title,
          quantity: 1,
          price: "74.00",
        })),
      },
      now: clock,
    });
    expect(outcome.kind).toBe("scheduled");

    const shop = await prisma.shop.findUniqueOrThrow({ where: { domain: SIMULATOR_SHOP } });
    const flow = await prisma.flow.findFirstOrThrow({ where: { shop: SIMULATOR_SHOP, key: "after-purchase" } });
    const draft = (await loadFlowDraft(prisma, { shop: SIMULATOR_SHOP, id: flow.id }))!;
    const order = await prisma.order.findFirstOrThrow({ where: { shop: SIMULATOR_SHOP, name: "#7001" } });

    for (const [index, stepKey] of ["thanks", "offer", "review"].entries()) {
      const due = await prisma.followUp.findFirstOrThrow({ where: { flowId: flow.id, stepKey } });
      clock = new Date(due.dueAt.getTime() + 1000);
      await dispatcher().drain();
      const email = sent.find((e) => e.followUpId === due.id)!;
      expect(email).toBeDefined();
      const followUp = await prisma.followUp.findUniqueOrThrow({ where: { id: due.id } });

      // The message page's inputs: the follow-up's due time and the code it carries.
      const preview = await previewStep({
        prisma,
        shop,
        flowKey: flow.key,
        step: draft.steps[index],
        order,
        recommendations,
        dueAt: followUp.dueAt,
        discountCode: followUp.discountCode,
      });
      expect(preview.subject).toBe(email.subject);
      expect(withoutToken(preview.html)).toBe(withoutToken(email.html));
      expect(preview.text.replace(/\/unsubscribe\/[^?\s\]]+/g, "/unsubscribe/TOKEN")).toBe(
        email.text.replace(/\/unsubscribe\/[^?\s\]]+/g, "/unsubscribe/TOKEN"),
      );
      expect(preview.html).toContain(`${APP_URL}/unsubscribe/preview?lang=pl`);
    }
    // What made them equal was there to compare: the Polish version, the products bought, the code.
    const byStep = (key: string) => sent.find((e) => e.customArgs?.flow === "after-purchase" && e.customArgs?.step === key)!;
    expect(byStep("thanks").html).toContain("#7001 jest w drodze");
    expect(byStep("thanks").html).toContain("Linen Napkins (Set of 4)");
    expect(byStep("review").html).toContain("#judgeme_product_reviews");
    expect(byStep("review").html).toContain("Olive Wood Serving Board");

    // The editor's preview of the cross-sell: the step's own 10 % for 30 days, a code that is
    // clearly not real, otherwise the email that was sent.
    const offer = await prisma.followUp.findFirstOrThrow({ where: { flowId: flow.id, stepKey: "offer" } });
    const code = offer.discountCode!;
    expect(code).toMatch(/^THANKS-/);
    const editor = await previewStep({ prisma, shop, flowKey: flow.key, step: draft.steps[1], order, recommendations, dueAt: offer.dueAt });
    const offerEmail = sent.find((e) => e.followUpId === offer.id)!;
    expect(editor.html).toContain(PREVIEW_DISCOUNT_CODE);
    expect(editor.html).not.toContain(code);
    expect(withoutToken(editor.html.replaceAll(PREVIEW_DISCOUNT_CODE, code))).toBe(withoutToken(offerEmail.html));
    expect(offerEmail.text).toContain("10% zniżki na kolejne zamówienie");
    expect(offerEmail.text).toContain("Ważny do 30 grudnia 2026, na jedno zamówienie.");
  });
});
