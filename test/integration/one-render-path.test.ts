// The email a merchant previews is the email the customer gets: the same step and order, with the
// same recommendations, rendered through the editor's preview and through the real dispatcher
// (purchased products and the discount code from the store simulator), give the same HTML. Only
// the unsubscribe token differs (a preview signs no link), and in the editor's preview of a
// cross-sell, the code (it makes none in Shopify).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase } from "../helpers/db";
import { startAdminSimulator, type AdminSimulator } from "../../simulator/admin-api";
import { legacyId, SIMULATOR_ACCESS_TOKEN, SIMULATOR_SHOP, type SeedStore } from "../../simulator/store";
import type { MailTransport, OutgoingEmail } from "~/adapters/mail/transport";
import { AdminApiThrottle, createAdminClient } from "~/adapters/shopify-admin/index.server";
import { createDispatcher } from "~/services/dispatch/dispatcher.server";
import { discountCodesFromShopify, prepareFollowUp, purchasedFromShopify } from "~/email/prepare.server";
import { renderFollowUp } from "~/email/render.server";
import { PREVIEW_DISCOUNT_CODE } from "~/email/preview.server";
import { unsubscribeLinks, unsubscribeSecrets } from "~/domain/unsubscribe";
import { receiveOrderCreated } from "~/services/intake/intake.server";
import { connectShop, storeOfflineToken } from "~/services/shop/shops.server";
import { importFlows } from "~/services/flows/flows.server";
import { loadFlowDraft, previewStep } from "~/services/flows/flow-editor.server";
import type { RecommendedProduct } from "~/domain/recommendations.types";
import { createLogger } from "~/platform/logger.server";

const db = createTestDatabase("one-render-path");
const prisma = db.prisma;
const APP_URL = "https://afterglow.example";
let simulator: AdminSimulator;
let store: SeedStore;
let clock = new Date("2026-11-28T12:00:00Z");
const sent: OutgoingEmail[] = [];
const env = { ...process.env };

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

function dispatcher() {
  const client = createAdminClient({
    shop: SIMULATOR_SHOP,
    accessToken: SIMULATOR_ACCESS_TOKEN,
    urlTemplate: simulator.url,
    throttle: new AdminApiThrottle(),
    maxRetries: 0,
  });
  const transport: MailTransport = {
    name: "capture",
    send: async (email) => {
      sent.push(email);
      return { transport: "capture", messageId: `m-${sent.length}` };
    },
  };
  // Wired as the runtime wires it.
  return createDispatcher({
    prisma,
    transport,
    recommend: async () => recommendations,
    render: async (req) =>
      renderFollowUp(
        await prepareFollowUp(req, {
          purchasedProducts: purchasedFromShopify(async () => client),
          issueDiscountCode: discountCodesFromShopify({ prisma, adminClient: async () => client, now: () => clock }),
          now: () => clock,
        }),
      ),
    unsubscribe: (req) => unsubscribeLinks({ appUrl: APP_URL, secrets: unsubscribeSecrets({ secret: "test-secret", previousSecrets: [] }), mailto: null, ...req }),
    now: () => clock,
    logger: createLogger({}, { write: () => {} }),
  });
}

beforeAll(async () => {
  simulator = await startAdminSimulator();
  store = simulator.stores[0]!;
  // The preview's own Admin API client and unsubscribe link read these, as in production.
  process.env.SHOPIFY_ADMIN_API_URL = simulator.url;
  process.env.SHOPIFY_APP_URL = APP_URL;
});
afterAll(async () => {
  process.env.SHOPIFY_ADMIN_API_URL = env.SHOPIFY_ADMIN_API_URL;
  process.env.SHOPIFY_APP_URL = env.SHOPIFY_APP_URL;
  if (env.SHOPIFY_ADMIN_API_URL === undefined) delete process.env.SHOPIFY_ADMIN_API_URL;
  if (env.SHOPIFY_APP_URL === undefined) delete process.env.SHOPIFY_APP_URL;
  await simulator.close();
  await db.cleanup();
});
beforeEach(async () => {
  sent.length = 0;
  clock = new Date("2026-11-28T12:00:00Z");
  await storeOfflineToken({ prisma, shop: SIMULATOR_SHOP, accessToken: SIMULATOR_ACCESS_TOKEN });
  await connectShop({ prisma, shop: SIMULATOR_SHOP, profile: { name: "Juniper & Pine", email: "hello@juniper.example" } });
  await prisma.shop.update({
    where: { domain: SIMULATOR_SHOP },
    data: {
      primaryLocale: "en",
      ianaTimezone: "Europe/Warsaw",
      brand: JSON.stringify({ accentColor: "#8a3b12", font: "Georgia" }),
      frequencyCap: JSON.stringify({ enabled: false, maxSends: 1, periodHours: 16 }),
    },
  });
  await importFlows(prisma, SIMULATOR_SHOP, flows);
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
