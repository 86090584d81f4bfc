// The new templates through the real dispatcher: purchased products and discount codes from the
// store simulator, the email at the SendGrid stand-in.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase } from "../helpers/db";
import { startSendGridStandIn, type SendGridStandIn } from "../../simulator/sendgrid";
import { discountsOf, startAdminSimulator, type AdminSimulator } from "../../simulator/admin-api";
import { legacyId, SIMULATOR_SHOP, type SeedStore } from "../../simulator/store";
import { createSendGridTransport } from "~/adapters/mail/sendgrid.server";
import { createDispatcher } from "~/services/dispatch/dispatcher.server";
import { receiveOrderCreated } from "~/services/intake/intake.server";
import { connectShop } from "~/services/shop/shops.server";
import { importFlows } from "~/services/flows/flows.server";
import { InvalidFlowsError } from "~/domain/flows";
import { discountCodeFor } from "~/adapters/shopify-admin/discounts.server";
import type { RecommendedProduct } from "~/domain/recommendations.types";
import { createLogger } from "~/platform/logger.server";
import { turnOnFlow } from "../helpers/flows";
import { renderWithShopify } from "../helpers/render-path";

const db = createTestDatabase("follow-up-dispatch");
const prisma = db.prisma;
let sendgrid: SendGridStandIn;
let simulator: AdminSimulator;
let store: SeedStore;
let clock = new Date("2026-11-28T12:00:00Z");
const HOUR = 3600_000;
const DAY = 24 * HOUR;

const recommended: RecommendedProduct = {
  id: "gid://shopify/Product/900",
  title: "Linen Napkins (Set of 4)",
  url: "https://juniperandpine.example/products/linen-napkins-set-of-4",
  imageUrl: null,
  imageAlt: null,
  price: { amount: "24.00", currencyCode: "USD" },
  source: "complementary",
};

function dispatcher() {
  return createDispatcher({
    prisma,
    transport: createSendGridTransport({ apiKey: "SG.test", baseUrl: sendgrid.url, timeoutMs: 2000 }),
    recommend: async () => [recommended],
    render: renderWithShopify({ prisma, simulator, now: () => clock }),
    now: () => clock,
    retryPolicy: { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 10_000 },
    logger: createLogger({}, { write: () => {} }),
  });
}

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
          key: "cross-sell",
          delay: { amount: 2, unit: "days", from: "trigger" },
          template: "cross-sell",
          subject: 'Something for you, {{ customer.first_name | default: "friend" }}',
          content: {
            discount: { percentage: 15, expiresInDays: 14 },
            locales: { pl: { subject: "Coś dla Ciebie, {{ customer.first_name }}: {{ discount.code }}" } },
          },
        },
        {
          key: "review",
          delay: { amount: 7, unit: "days", from: "trigger" },
          template: "review-request",
          subject: "How are you finding your {{ product.title }}?",
          content: { reviewAnchor: "#shopify-product-reviews" },
        },
        {
          key: "restock",
          // Replenishment: N days after the order (the step's delay, counted from the trigger);
          // only orders with a consumable get the email, the others are skipped with the reason.
          delay: { amount: 30, unit: "days", from: "trigger" },
          template: "replenishment",
          subject: "Time to restock your {{ product.title }}?",
          content: { consumables: { productTypes: ["Candles"] } },
        },
      ],
    },
  ],
};

let seq = 0;
async function orderCreated({ products, locale = "pl-PL" }: { products: string[]; locale?: string }) {
  const customer = store.customers[0]!;
  const outcome = await receiveOrderCreated({
    prisma,
    delivery: { shop: SIMULATOR_SHOP, topic: "orders/create", webhookId: `wh-${++seq}` },
    payload: {
      id: 5000 + seq,
      name: `#${5000 + seq}`,
      email: "ola@example.com",
      created_at: clock.toISOString(),
      currency: "USD",
      total_price: "48.00",
      customer_locale: locale,
      customer: { id: legacyId(customer.id), first_name: "Ola" },
      line_items: products.map((title, i) => ({
        id: i + 1,
        product_id: legacyId(store.products.find((p) => p.title === title)!.id),
        quantity: 1,
        price: "24.00",
      })),
    },
    now: clock,
  });
  if (outcome.kind !== "scheduled") throw new Error(`not scheduled: ${outcome.kind}`);
  return outcome.followUps;
}

beforeAll(async () => {
  sendgrid = await startSendGridStandIn();
  simulator = await startAdminSimulator();
  store = simulator.stores[0]!;
});
afterAll(async () => {
  await sendgrid.close();
  await simulator.close();
  await db.cleanup();
});
beforeEach(async () => {
  sendgrid.clear();
  discountsOf(store).length = 0;
  clock = new Date("2026-11-28T12:00:00Z");
  for (const t of ["followUpEvent", "followUp", "order", "webhookDelivery", "flowStep", "flow", "shop"] as const) {
    await (prisma[t] as unknown as { deleteMany(): Promise<unknown> }).deleteMany();
  }
  await connectShop({ prisma, shop: SIMULATOR_SHOP, profile: { name: "Juniper & Pine", email: "hello@juniper.example" } });
  await turnOnFlow({ prisma, shop: SIMULATOR_SHOP });
  await prisma.shop.update({
    where: { domain: SIMULATOR_SHOP },
    // Several steps of one order fall due in one drain here: smart sending would hold all but one.
    data: {
      primaryLocale: "en",
      brand: JSON.stringify({ accentColor: "#8a3b12", font: "Georgia" }),
      frequencyCap: JSON.stringify({ enabled: false, maxSends: 1, periodHours: 16 }),
    },
  });
  await importFlows(prisma, SIMULATOR_SHOP, flows);
});

async function drainAt(at: Date) {
  clock = at;
  return dispatcher().drain();
}

describe("new templates through the dispatcher", () => {
  it("cross-sell: creates the code once although the first send fails, and the email carries it", async () => {
    const start = clock;
    await orderCreated({ products: ["Juniper Forest Soy Candle"] });
    expect(await drainAt(new Date(start.getTime() + HOUR))).toMatchObject({ sent: 1 }); // the thank-you
    sendgrid.clear();

    sendgrid.failNext({ status: 500, count: 1 });
    expect(await drainAt(new Date(start.getTime() + 2 * DAY))).toMatchObject({ claimed: 1, retried: 1, sent: 0 });
    const followUp = await prisma.followUp.findFirstOrThrow({ where: { stepKey: "cross-sell" } });
    const code = discountCodeFor(followUp.id);
    expect(followUp.discountCode).toBe(code);
    expect(discountsOf(store)).toHaveLength(1);

    expect(await drainAt(new Date(followUp.nextAttemptAt.getTime() + 1))).toMatchObject({ claimed: 1, sent: 1 });
    expect(discountsOf(store)).toHaveLength(1);
    expect(discountsOf(store)[0]).toMatchObject({ code, percentage: 0.15, usageLimit: 1, customers: [store.customers[0]!.id] });
    expect(simulator.requests.filter((r) => r.operationName === "DiscountCodeCreate")).toHaveLength(1);

    const mail = sendgrid.messages.at(-1)!;
    expect(mail.subject).toBe(`Coś dla Ciebie, Ola: ${code}`);
    expect(mail.html).toContain(code);
    expect(mail.text).toContain(code);
    expect(mail.text).toContain("15% zniżki na kolejne zamówienie");
    expect(mail.html).toContain("Linen Napkins (Set of 4)");
    expect(mail.html).toContain("background-color:#8a3b12");
    expect(mail.html).toContain('lang="pl"');
  });

  it("review request: links each purchased product to its review section; English for an English customer", async () => {
    const start = clock;
    await orderCreated({ products: ["Juniper Forest Soy Candle", "Olive Wood Serving Board"], locale: "en-GB" });
    await drainAt(new Date(start.getTime() + 7 * DAY));
    const mail = sendgrid.messages.find((m) => m.customArgs.step === "review")!;
    expect(mail.subject).toBe("How are you finding your Juniper Forest Soy Candle?");
    const links = [...(mail.html ?? "").matchAll(/href="([^"]*#shopify-product-reviews)"/g)].map((m) => m[1].replace(/&amp;/g, "&"));
    // Five star links and the button per product.
    expect(links.map((l) => new URL(l).pathname)).toEqual([
      ...Array(6).fill("/products/juniper-forest-soy-candle"),
      ...Array(6).fill("/products/olive-wood-serving-board"),
    ]);
    expect(mail.text).toContain("Write a review");
    // No recommendations were asked for: this template shows none.
    expect(mail.html).not.toContain("Linen Napkins");
  });

  it("replenishment: 30 days after an order with a consumable; skipped with the reason otherwise", async () => {
    const start = clock;
    await orderCreated({ products: ["Juniper Forest Soy Candle", "Stoneware Mug — Moss"], locale: "de-DE" });
    await orderCreated({ products: ["Stoneware Mug — Sand"], locale: "de-DE" });
    const due = await prisma.followUp.findMany({ where: { stepKey: "restock" }, orderBy: { orderId: "asc" } });
    expect(due.map((f) => f.dueAt.getTime())).toEqual([start.getTime() + 30 * DAY, start.getTime() + 30 * DAY]);

    expect(await drainAt(new Date(start.getTime() + 30 * DAY - 60_000))).toMatchObject({ claimed: 6 }); // all earlier steps
    sendgrid.clear();
    expect(await drainAt(new Date(start.getTime() + 30 * DAY))).toMatchObject({ claimed: 2, sent: 1, skipped: 1 });
    const mail = sendgrid.messages[0]!;
    // The step's subject is the template's English default, so a German customer gets the German one.
    expect(mail.subject).toBe("Zeit, Juniper Forest Soy Candle nachzubestellen?");
    expect(mail.text).toContain("Erneut bestellen");
    expect(mail.html).not.toContain("Stoneware Mug — Moss");
    const skipped = await prisma.followUp.findFirstOrThrow({ where: { stepKey: "restock", status: "skipped" } });
    expect(skipped.skipReason).toMatch(/has no consumable products \(types: candles/);
  });

  it("refuses to import a flow whose content is not valid, naming the field", async () => {
    const bad = structuredClone(flows);
    (bad.flows[0]!.steps[0]!.content as Record<string, unknown>).discount = { percentage: 0, expiresInDays: 14 };
    bad.flows[0]!.steps[1]!.subject = "Hi {{ customer.nickname }}";
    const error = await importFlows(prisma, SIMULATOR_SHOP, bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidFlowsError);
    expect((error as InvalidFlowsError).problems).toEqual([
      "/flows/0/steps/0/content/discount/percentage: The discount percentage must be between 1 and 100.",
      expect.stringMatching(/^\/flows\/0\/steps\/1\/subject: Unknown variable "customer\.nickname"/),
    ]);
  });
});
