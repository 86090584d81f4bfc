// Plans end to end: the built app with its in-process dispatcher, signed order webhooks, the store
// simulator's Billing API and the SendGrid stand-in. A shop past its free allowance gets its
// service follow-ups sent and its marketing ones held with the reason; the merchant approves a
// subscription on Shopify's page, Shopify's signed app_subscriptions/update reaches the app, and
// the held ones reach SendGrid, each exactly once. A badly signed webhook changes nothing.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runCli, startApp, TEST_API_SECRET, type RunningApp } from "../../scripts/harness";
import { orderCreatedPayload } from "../../simulator/orders";
import { SIMULATOR_SHOP } from "../../simulator/store";
import { sendWebhook, webhookRequest } from "../../simulator/webhooks";
import { subscriptionWebhookBody } from "../../simulator/billing";
import { adminClientForShop } from "~/adapters/shopify-admin/index.server";
import { currentPlan, requestSubscription } from "~/services/billing/plans.server";
import { billingMonth } from "~/domain/plans";
import { startTestStack, type TestStack } from "../helpers/stack";

vi.setConfig({ testTimeout: 120_000 });

const FREE = 2;
const ORDERS = 4;
let stack: TestStack;
let app: RunningApp;
let dir: string;

async function cli(env: Record<string, string>, ...args: string[]) {
  const r = await runCli(args, env);
  if (r.status !== 0) throw new Error(`afterglow ${args.join(" ")} failed:\n${r.stderr}${r.stdout}`);
}

const messages = () => stack.sendgrid.messages.filter((m) => m.customArgs?.shop === SIMULATOR_SHOP);
const perFollowUp = () => {
  const per = new Map<string, number>();
  for (const m of messages()) per.set(m.customArgs.followUpId, (per.get(m.customArgs.followUpId) ?? 0) + 1);
  return per;
};

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "afterglow-e2e-billing-"));
  stack = await startTestStack({ name: "e2e-billing", sendgridKey: "SG.billing-key", env: { AFTERGLOW_FREE_EMAILS_PER_MONTH: String(FREE), DISPATCH_INTERVAL_MS: "250" } });
  const file = path.join(dir, "flows.json");
  fs.writeFileSync(
    file,
    JSON.stringify({
      version: 1,
      flows: [
        { key: "thanks", name: "Thanks", trigger: "order_created", active: true, steps: [{ key: "thanks", delay: { amount: 0, unit: "minutes" }, template: "thank-you", subject: "Thanks for {{ order.name }}" }] },
        { key: "care", name: "Care", trigger: "order_created", active: true, steps: [{ key: "care", delay: { amount: 0, unit: "minutes" }, template: "care-guide", category: "service", subject: "Caring for it" }] },
      ],
    }),
  );
  await cli(stack.env, "flows", "import", SIMULATOR_SHOP, file);
  // Consent is another gate's business; here every marketing follow-up may go.
  await stack.prisma.shop.update({ where: { domain: SIMULATOR_SHOP }, data: { marketingConsentRequired: false } });
  await stack.prisma.flow.deleteMany({ where: { shop: SIMULATOR_SHOP, key: { notIn: ["thanks", "care"] } } });
  // The month's free emails are already sent.
  const shop = await stack.prisma.shop.findUniqueOrThrow({ where: { domain: SIMULATOR_SHOP } });
  await stack.prisma.monthlyEmailCount.create({ data: { shop: SIMULATOR_SHOP, month: billingMonth(new Date(), shop.ianaTimezone), sent: FREE } });
  app = await startApp({ env: stack.env });
  stack.admin.deliverWebhooksTo({ appUrl: app.url, secret: TEST_API_SECRET });
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await stack?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("a shop past its free allowance", () => {
  it("sends its service follow-ups and holds the marketing ones with the reason", async () => {
    const { store } = stack;
    for (let i = 0; i < ORDERS; i++) {
      const payload = orderCreatedPayload({ store, customerId: store.customers[i].id, lines: [{ productId: store.products[0].id, quantity: 1 }] });
      const res = await sendWebhook(`${app.url}/webhooks/orders/create`, { topic: "orders/create", shop: SIMULATOR_SHOP, payload, secret: TEST_API_SECRET });
      expect(res.status).toBe(200);
    }
    const held = () => stack.prisma.followUp.count({ where: { shop: SIMULATOR_SHOP, status: "scheduled", skipCode: "plan_limit" } });
    await expect.poll(async () => [messages().length, await held()], { timeout: 60_000, interval: 250 }).toEqual([ORDERS, ORDERS]);
    const followUps = await stack.prisma.followUp.findMany({ where: { shop: SIMULATOR_SHOP } });
    expect(followUps.filter((f) => f.category === "service").map((f) => f.status)).toEqual(Array(ORDERS).fill("sent"));
    const marketing = followUps.filter((f) => f.category === "marketing");
    expect(marketing.map((f) => f.status)).toEqual(Array(ORDERS).fill("scheduled"));
    for (const f of marketing) {
      expect(f.skipReason).toMatch(/^Held: the Free plan includes 2 emails a month and this month's are used up\. It goes out as soon as you choose a larger plan on the Plans page/);
    }
    expect(messages().every((m) => m.categories.includes("service"))).toBe(true);
    expect([...perFollowUp().values()].every((n) => n === 1)).toBe(true);
  });

  it("answers 401 to an app_subscriptions/update with a bad HMAC and changes nothing", async () => {
    const before = await stack.prisma.planSubscription.count();
    const body = { app_subscription: { admin_graphql_api_id: "gid://shopify/AppSubscription/1", name: "Afterglow Scale", status: "ACTIVE", updated_at: new Date().toISOString() } };
    const req = webhookRequest({ topic: "app_subscriptions/update", shop: SIMULATOR_SHOP, payload: body, secret: "not-the-secret" });
    const res = await fetch(`${app.url}/webhooks/app_subscriptions/update`, { method: "POST", headers: req.headers, body: req.body });
    expect(res.status).toBe(401);
    expect(await stack.prisma.planSubscription.count()).toBe(before);
    expect(await currentPlan(stack.prisma, SIMULATOR_SHOP)).toBe("free");
  });

  it("releases them once the merchant approves a plan on Shopify's page: each reaches SendGrid exactly once", async () => {
    const sentBefore = messages().length;
    const heldBefore = await stack.prisma.followUp.count({ where: { shop: SIMULATOR_SHOP, skipCode: "plan_limit" } });
    const client = await adminClientForShop({ prisma: stack.prisma, shop: SIMULATOR_SHOP, urlTemplate: stack.admin.url });
    const { confirmationUrl, test } = await requestSubscription({
      prisma: stack.prisma,
      client,
      shop: SIMULATOR_SHOP,
      plan: "growth",
      returnUrl: "https://admin.shopify.com/store/juniper-and-pine/apps/afterglow/app/plans",
    });
    expect(test).toBe(false); // not a development store: a real charge
    const page = await fetch(confirmationUrl);
    expect(page.status).toBe(200);
    const approveUrl = `${confirmationUrl.split("?")[0]}/approve?${new URL(confirmationUrl).searchParams}`;
    const approved = await fetch(approveUrl, { method: "POST", redirect: "manual" });
    expect(approved.status).toBe(303);
    expect(approved.headers.get("location")).toMatch(/\/app\/plans\?charge_id=\d+$/);
    const [subscription] = stack.admin.subscriptions(SIMULATOR_SHOP);
    expect(stack.admin.subscriptionWebhooks(SIMULATOR_SHOP)).toEqual([{ subscriptionId: subscription.id, status: "ACTIVE", answer: 200 }]);
    expect(await currentPlan(stack.prisma, SIMULATOR_SHOP)).toBe("growth");

    await expect.poll(() => messages().length, { timeout: 60_000, interval: 250 }).toBe(sentBefore + heldBefore);
    expect(await stack.prisma.followUp.count({ where: { shop: SIMULATOR_SHOP, status: { not: "sent" } } })).toBe(0);
    const per = perFollowUp();
    expect(per.size).toBe(2 * ORDERS);
    expect([...per.values()].every((n) => n === 1)).toBe(true);
    // A second delivery of the same webhook, and a later pass, send nothing more.
    const again = await sendWebhook(`${app.url}/webhooks/app_subscriptions/update`, {
      topic: "app_subscriptions/update",
      shop: SIMULATOR_SHOP,
      payload: subscriptionWebhookBody(stack.store, subscription),
      secret: TEST_API_SECRET,
    });
    expect(again.status).toBe(200);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(messages().length).toBe(2 * ORDERS);
  });

  it("goes back to the free plan when Shopify cancels the subscription", async () => {
    const [subscription] = stack.admin.subscriptions(SIMULATOR_SHOP);
    await stack.admin.setSubscriptionStatus(SIMULATOR_SHOP, subscription.id, "CANCELLED");
    expect(stack.admin.subscriptionWebhooks(SIMULATOR_SHOP).at(-1)).toEqual({ subscriptionId: subscription.id, status: "CANCELLED", answer: 200 });
    expect(await currentPlan(stack.prisma, SIMULATOR_SHOP)).toBe("free");
  });
});
