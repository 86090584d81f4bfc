// The Plans page and the held banner in Chromium: a shop on the free plan whose month is used up
// sees how many marketing follow-ups are held on Home and on every other page, the Plans page shows
// its usage and the plans; Subscribe takes the whole admin to Shopify's confirmation page (the store
// simulator's), the merchant approves, Shopify sends them back with charge_id and the page shows the
// new plan, the banner gone. Screenshots at 1280 and 375 px.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const ctx = await vi.hoisted(async () => (await import("../helpers/env")).appTestEnv({ name: "browser-plans" }));

import type { Page } from "playwright-core";
import prisma from "~/db.server";
import { receiveOrderCreated } from "~/services/intake/intake.server";
import { connectShop, storeOfflineToken } from "~/services/shop/shops.server";
import { describeSkipReason, skipFields } from "~/domain/skip-reasons";
import { TEST_API_SECRET } from "../../scripts/harness";
import { chromiumFound, screenshotAtWidths, startAdminBrowser, withScreenshot as keepScreenshot, type AdminBrowser } from "./admin-browser";
import { startAdminSimulator, type AdminSimulator } from "../../simulator/admin-api";
import { createSeedStore } from "../../simulator/store";
import { turnOnFlow } from "../helpers/flows";

afterAll(async () => {
  await ctx.cleanup();
});

const SHOP = "plans-browser.myshopify.com";
const HELD = 3;

describe.skipIf(!chromiumFound)("plans page in a browser", () => {
  let browser: AdminBrowser;
  let admin: AdminSimulator;

  beforeAll(async () => {
    const accessToken = `shpat_${randomUUID().replace(/-/g, "")}`;
    const store = createSeedStore({ shop: SHOP, accessToken });
    store.shop.partnerDevelopment = true;
    admin = await startAdminSimulator({ stores: [store] });
    await storeOfflineToken({ prisma, shop: SHOP, accessToken, scope: "read_orders" });
    await connectShop({ prisma, shop: SHOP, profile: { name: "Juniper & Pine", email: "hello@juniper.example", ianaTimezone: "UTC" } });
    await turnOnFlow({ prisma, shop: SHOP });
    const now = new Date();
    const month = now.toISOString().slice(0, 7);
    // The month's 5 emails are sent; three orders' thank-yous wait for a bigger plan.
    await prisma.monthlyEmailCount.create({ data: { shop: SHOP, month, sent: 5 } });
    for (let n = 1; n <= HELD; n++) {
      await receiveOrderCreated({
        prisma,
        delivery: { shop: SHOP, topic: "orders/create", webhookId: `wh-${randomUUID()}` },
        payload: { id: 9100 + n, name: `#${9100 + n}`, email: `buyer${n}@example.com`, created_at: now.toISOString(), currency: "USD", total_price: "30.00", line_items: [] },
        now,
      });
    }
    const reason = { code: "plan_limit", planName: "Free", allowance: 5, renewsAt: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)), timeZone: "UTC" } as const;
    await prisma.followUp.updateMany({ where: { shop: SHOP }, data: { ...skipFields(reason), nextAttemptAt: new Date(now.getTime() + 6 * 3_600_000) } });
    expect(describeSkipReason(reason)).toMatch(/^Held: the Free plan/);
    browser = await startAdminBrowser({
      shop: SHOP,
      env: { DATABASE_URL: ctx.url, MAIL_TRANSPORT: "outbox", SHOPIFY_ADMIN_API_URL: admin.url, AFTERGLOW_FREE_EMAILS_PER_MONTH: "5" },
    });
    // Shopify's confirmation page is the simulator's; the app's webhooks go to the running app.
    await browser.context.route(`${admin.origin}/**`, (route) => route.continue());
    admin.deliverWebhooksTo({ appUrl: browser.app.url, secret: TEST_API_SECRET });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await admin?.close();
  });

  const withScreenshot = (page: Page, name: string, run: () => Promise<void>) => keepScreenshot(page, browser.app, name, run);
  const banner = (page: Page) => page.getByTestId("plan-limit-banner");

  it("shows the held follow-ups on Home and the other pages, the plans, and takes the merchant through Shopify's approval", async () => {
    const { page, problems } = await browser.open();
    await withScreenshot(page, "plans", async () => {
      await page.goto(browser.embeddedUrl("/app"));
      await expect.poll(() => banner(page).textContent(), { timeout: 15_000 }).toContain("3 marketing follow-ups are held: this month's emails on Free (5 emails a month) are used up");
      expect(await banner(page).textContent()).toContain("Choose Afterglow Growth or a larger plan on the Plans page");
      await screenshotAtWidths(page, "home-plan-banner", async () => {
        await expect.poll(() => banner(page).isVisible()).toBe(true);
      });

      // The app frame says it on the other pages too.
      await page.goto(browser.embeddedUrl("/app/flows"));
      await expect.poll(() => banner(page).count(), { timeout: 15_000 }).toBe(1);
      await screenshotAtWidths(page, "flows-plan-banner", async () => {
        await expect.poll(() => banner(page).isVisible()).toBe(true);
      });
      await banner(page).getByRole("link", { name: "Choose a plan" }).click();

      await expect.poll(() => page.getByTestId("current-plan").textContent(), { timeout: 15_000 }).toBe("Free");
      expect(await page.getByTestId("month-usage").textContent()).toBe("5 of 5 emails sent this month.");
      expect(await banner(page).count()).toBe(1);
      expect(await page.getByRole("button", { name: /^Subscribe to / }).count()).toBe(2);
      await screenshotAtWidths(page, "plans-free", async () => {
        await expect.poll(() => page.getByTestId("current-plan").isVisible()).toBe(true);
      });

      // Subscribe: the top frame goes to Shopify's confirmation page.
      await page.getByRole("button", { name: "Subscribe to Afterglow Growth" }).click();
      await page.waitForURL(/\/admin\/charges\/\d+\/RecurringApplicationCharge\/confirm_recurring_application_charge/, { timeout: 15_000 });
      expect(await page.getByRole("heading", { name: "Afterglow Growth" }).count()).toBe(1);
      expect(await page.textContent("body")).toContain("$19.00 every 30 days (test charge), 7-day trial");
      const [subscription] = admin.subscriptions(SHOP);
      expect(subscription).toMatchObject({ status: "PENDING", test: true, returnUrl: `https://admin.shopify.com/store/plans-browser/apps/afterglow-local-api-key/app/plans` });

      // The merchant approves; Shopify answers with the way back, which the admin opens embedded.
      const approve = await fetch(`${page.url().split("?")[0]}/approve?${new URL(page.url()).searchParams}`, { method: "POST", redirect: "manual" });
      expect(approve.status).toBe(303);
      const back = new URL(approve.headers.get("location")!);
      expect(back.pathname).toBe("/store/plans-browser/apps/afterglow-local-api-key/app/plans");
      expect(admin.subscriptionWebhooks(SHOP)).toEqual([{ subscriptionId: subscription.id, status: "ACTIVE", answer: 200 }]);

      await page.goto(browser.embeddedUrl(`/app/plans?charge_id=${back.searchParams.get("charge_id")}`));
      await expect.poll(() => page.getByTestId("current-plan").textContent(), { timeout: 15_000 }).toBe("Afterglow Growth");
      expect(await page.getByText("You are on Afterglow Growth. Held follow-ups go out within minutes.").count()).toBe(1);
      expect(await page.getByText("Test charge", { exact: true }).count()).toBe(1);
      expect(await page.getByTestId("month-usage").textContent()).toBe("5 of 10,000 emails sent this month.");
      expect(await banner(page).count()).toBe(0);
      await screenshotAtWidths(page, "plans-growth", async () => {
        await expect.poll(() => page.getByTestId("current-plan").isVisible()).toBe(true);
      });
      const followUps = await prisma.followUp.findMany({ where: { shop: SHOP } });
      expect(followUps.map((f) => [f.status, f.skipCode])).toEqual(Array.from({ length: HELD }, () => ["scheduled", null]));
      expect(problems).toEqual([]);
    });
  }, 180_000);

  it("Switch to Free: confirmed in App Bridge's modal, the subscription is cancelled in Shopify and the page shows Free", async () => {
    const { page, problems } = await browser.open();
    await withScreenshot(page, "plans-switch-to-free", async () => {
      await page.goto(browser.embeddedUrl("/app/plans"));
      await expect.poll(() => page.getByTestId("current-plan").textContent(), { timeout: 15_000 }).toBe("Afterglow Growth");
      const modal = page.getByRole("dialog", { name: "Switch to Free?" });
      await page.getByRole("button", { name: "Switch to Free" }).click();
      await expect.poll(() => modal.isVisible()).toBe(true);
      expect(await modal.getByText("Your Afterglow Growth subscription ends now", { exact: false }).count()).toBe(1);
      await screenshotAtWidths(page, "plans-switch-to-free", async () => {
        await expect.poll(() => modal.isVisible()).toBe(true);
      });
      // Cancel changes nothing.
      await modal.getByRole("button", { name: "Cancel" }).click();
      await expect.poll(() => modal.isVisible()).toBe(false);
      const [subscription] = admin.subscriptions(SHOP).filter((s) => s.status === "ACTIVE");
      expect(subscription).toBeDefined();

      await page.getByRole("button", { name: "Switch to Free" }).click();
      await modal.getByRole("button", { name: "Switch to Free" }).click();
      await expect.poll(() => page.locator(".app-bridge-toast", { hasText: "You are on the Free plan" }).count(), { timeout: 15_000 }).toBe(1);
      await expect.poll(() => page.getByTestId("current-plan").textContent()).toBe("Free");
      expect(admin.subscriptions(SHOP).find((s) => s.id === subscription.id)).toMatchObject({ status: "CANCELLED" });
      await expect.poll(() => admin.subscriptionWebhooks(SHOP)).toContainEqual({ subscriptionId: subscription.id, status: "CANCELLED", answer: 200 });
      expect(await prisma.planSubscription.findUniqueOrThrow({ where: { id: subscription.id } })).toMatchObject({ status: "CANCELLED" });
      expect(await page.getByRole("button", { name: "Switch to Free" }).count()).toBe(0);
      expect(problems).toEqual([]);
    });
  }, 120_000);
});
