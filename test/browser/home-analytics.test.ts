// Home and Analytics in Chromium, as a new merchant meets them: the setup guide from 0 of 3 to
// done (the flow turned on from Home), the address mail goes from and why, a week with too little
// mail to judge; Analytics in plain words with flow and step names, charts that load without
// moving the page, and the attribution settings saved from App Bridge's save bar. Each page at
// 1280 and 375 px, kept in var/screenshots, with no script or console error.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// The app and this test share one fresh database; set before any module opens one.
const ctx = await vi.hoisted(async () => (await import("../helpers/env")).appTestEnv({ name: "home-analytics" }));

import prisma from "~/db.server";
import { connectShop, storeOfflineToken } from "~/services/shop/shops.server";
import { chromiumFound, screenshotAtWidths, startAdminBrowser, withScreenshot as keepScreenshot, type AdminBrowser } from "./admin-browser";
import type { Page } from "playwright-core";

afterAll(async () => {
  await ctx.cleanup();
});

const SHOP = "home-analytics.myshopify.com";
const SCOPES = "read_orders,read_products,read_customers,write_customers";
const DAY = 24 * 3600_000;

// Last week's mail: 23 follow-ups sent, 21 delivered, 2 bounced (8.7%), a few opened and clicked.
async function seedWeek(flowId: string, stepId: string) {
  const order = await prisma.order.create({
    data: {
      shop: SHOP,
      orderId: "gid://shopify/Order/7001",
      name: "#7001",
      email: "ada@example.com",
      currency: "USD",
      totalPrice: "40.00",
      productIds: "[]",
      orderedAt: new Date(Date.now() - 2 * DAY),
    },
  });
  const at = new Date(Date.now() - DAY);
  for (let i = 0; i < 23; i++) {
    const f = await prisma.followUp.create({
      data: {
        shop: SHOP,
        orderRef: order.id,
        orderId: `${order.orderId}-${i}`,
        flowId,
        stepId,
        stepKey: "thank-you",
        template: "thank-you",
        recipient: `c${i}@example.com`,
        status: "sent",
        dueAt: at,
        nextAttemptAt: at,
        sentAt: at,
      },
    });
    const events = [i < 21 ? "delivered" : "bounce", ...(i < 6 ? ["open"] : []), ...(i < 2 ? ["click"] : [])];
    for (const event of events)
      await prisma.messageEvent.create({ data: { dedupeKey: `${f.id}-${event}`, shop: SHOP, followUpId: f.id, event, email: f.recipient, occurredAt: at } });
  }
}

// What the rollup and the health check would have stored for the same week.
async function seedAnalytics(flowId: string) {
  const day = new Date(Date.now() - DAY).toISOString().slice(0, 10);
  for (const variant of ["a", "b"]) {
    await prisma.dailyStat.create({
      data: {
        shop: SHOP,
        day,
        flowId,
        stepKey: "thank-you",
        variant,
        scheduled: 12,
        sent: 12,
        delivered: 11,
        opens: 3,
        machineOpens: 4,
        clicks: 1,
        bounces: 1,
        unsubscribes: variant === "a" ? 1 : 0,
      },
    });
  }
  await prisma.recommendationSourceStat.createMany({
    data: [
      { shop: SHOP, source: "complementary", impressions: 23, clicks: 2, orders: 1, revenue: "40.00" },
      { shop: SHOP, source: "best_seller", impressions: 23, clicks: 0 },
    ],
  });
  const window = { sent: 23, delivered: 21, bounces: 2, spamReports: 0 };
  const report = {
    level: "ok",
    windowDays: 7,
    window,
    bounceRate: 2 / 23,
    spamRate: 0,
    deferralsByProvider: { gmail: 1, outlook: 0, yahoo: 0, other: 0 },
    problems: [],
    checkedAt: new Date().toISOString(),
  };
  await prisma.deliverabilityHealth.create({ data: { shop: SHOP, level: "ok", report: JSON.stringify(report), checkedAt: new Date() } });
  // Per recipient domain, and which provider each domain's MX records named: Gmail (gmail.com and
  // a company on Google Workspace) past its 0.3% spam line, Yahoo below it, Outlook with no line,
  // a small mail server, and a domain the lookup has not reached yet.
  const domains = [
    { domain: "gmail.com", provider: "gmail", sent: 800, delivered: 790, bounces: 10, deferred: 12, spamReports: 3, opens: 300, clicks: 40 },
    { domain: "fernhill.example", provider: "gmail", sent: 220, delivered: 210, bounces: 10, deferred: 2, spamReports: 1, opens: 90, clicks: 11 },
    { domain: "yahoo.com", provider: "yahoo", sent: 300, delivered: 296, bounces: 4, deferred: 30, spamReports: 0, opens: 120, clicks: 9 },
    { domain: "harbourline.example", provider: "outlook", sent: 260, delivered: 250, bounces: 10, deferred: 0, spamReports: 2, opens: 80, clicks: 7 },
    { domain: "quietmail.example", provider: "other", sent: 12, delivered: 12, bounces: 0, deferred: 0, spamReports: 0, opens: 4, clicks: 1 },
    { domain: "newcomer.example", provider: null, sent: 3, delivered: 3, bounces: 0, deferred: 0, spamReports: 0, opens: 1, clicks: 0 },
  ];
  for (const { domain, provider, ...counts } of domains) {
    await prisma.dailyDomainStat.create({ data: { shop: SHOP, day, domain, ...counts, machineOpens: 0 } });
    if (provider) await prisma.mailboxDomain.create({ data: { domain, provider, checkedAt: new Date() } });
  }
}

describe.skipIf(!chromiumFound)("home and analytics in a browser", () => {
  let browser: AdminBrowser;
  let flowId: string;

  beforeAll(async () => {
    const accessToken = `shpat_${randomUUID().replace(/-/g, "")}`;
    await storeOfflineToken({ prisma, shop: SHOP, accessToken, scope: SCOPES });
    await connectShop({
      prisma,
      shop: SHOP,
      profile: { name: "Juniper & Pine", email: "owner@juniper.example", ianaTimezone: "Europe/Warsaw", currencyCode: "USD" },
    });
    const flow = await prisma.flow.findFirstOrThrow({ where: { shop: SHOP }, include: { steps: true } });
    flowId = flow.id;
    await seedWeek(flow.id, flow.steps[0].id);
    await seedAnalytics(flow.id);
    // A DNS server that refuses: the app's analytics pass never reaches the network for MX records.
    browser = await startAdminBrowser({ shop: SHOP, env: { DATABASE_URL: ctx.url, MAIL_TRANSPORT: "outbox", SCOPES, AFTERGLOW_DNS_SERVERS: "127.0.0.1:9" } });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  const withScreenshot = (page: Page, name: string, run: () => Promise<void>) => keepScreenshot(page, browser.app, name, run);

  it("walks a new shop through the setup guide, turns the flow on from Home, and says there is too little mail to judge", async () => {
    const { page, problems } = await browser.open();
    await withScreenshot(page, "home", async () => {
      // Installed, the default flow waits switched off.
      expect((await prisma.flow.findUniqueOrThrow({ where: { id: flowId } })).active).toBe(false);
      await page.goto(browser.embeddedUrl("/app"));
      await expect.poll(() => page.getByTestId("setup-progress").textContent(), { timeout: 15_000 }).toBe("0 of 3 tasks complete");
      // No sender of its own yet: Home names the address mail really goes from, and why.
      expect(await page.getByTestId("sender-from").textContent()).toBe("Juniper & Pine <owner@juniper.example>");
      expect(await page.getByText(/^This app has no sending address of its own configured, so follow-ups go from owner@juniper\.example/).count()).toBe(1);
      expect(await page.getByTestId("health-verdict").textContent()).toBe("Not enough mail yet to judge (23 of 200)");
      expect(await page.getByTestId("sent-7d").textContent()).toBe("23");
      expect(await page.getByTestId("bounced-7d").textContent()).toBe("2");
      expect(await page.getByText("Healthy").count()).toBe(0);
      // The first task is open, with its one action.
      expect(await page.getByRole("link", { name: "Open Settings" }).isVisible()).toBe(true);
      await screenshotAtWidths(page, "home-new", async () => {
        await expect.poll(() => page.getByRole("link", { name: "Open Settings" }).isVisible()).toBe(true);
      });

      // Sender and brand, as the Settings page stores them.
      await prisma.shop.update({ where: { domain: SHOP }, data: { senderName: "Juniper & Pine", brand: JSON.stringify({ accentColor: "#2f6f4f" }) } });
      await page.reload();
      await expect.poll(() => page.getByTestId("setup-progress").textContent(), { timeout: 15_000 }).toBe("1 of 3 tasks complete");
      // The next task opens by itself and leads to the default flow's editor.
      await page.getByRole("link", { name: "Preview and send a test" }).click();
      await page.waitForURL(new RegExp(`/app/flows/${flowId}`), { timeout: 15_000 });
      // The editor's test send records the time on the shop (the flow editor's own test sends one for real).
      await prisma.shop.update({ where: { domain: SHOP }, data: { testSentAt: new Date() } });

      await page.goto(browser.embeddedUrl("/app"));
      await expect.poll(() => page.getByTestId("setup-progress").textContent(), { timeout: 15_000 }).toBe("2 of 3 tasks complete");
      await page.getByRole("button", { name: "Turn on “Thank you + recommendations”" }).click();
      await expect.poll(() => page.locator(".app-bridge-toast", { hasText: "Flow turned on" }).count(), { timeout: 10_000 }).toBe(1);
      await expect.poll(() => page.getByTestId("setup-progress").textContent(), { timeout: 10_000 }).toBe("3 of 3 tasks complete");
      expect((await prisma.flow.findUniqueOrThrow({ where: { id: flowId } })).active).toBe(true);
      expect(await prisma.auditLog.count({ where: { shop: SHOP, action: "flow.turned_on" } })).toBe(1);
      await screenshotAtWidths(page, "home-done", async () => {
        await expect.poll(() => page.getByTestId("setup-progress").isVisible()).toBe(true);
      });

      // Done, the guide may be dismissed, and stays away.
      await page.getByRole("button", { name: "More setup guide actions" }).click();
      await page.getByRole("button", { name: "Dismiss" }).click();
      await expect.poll(() => page.getByText("Setup guide").count(), { timeout: 10_000 }).toBe(0);
      await page.reload();
      await expect.poll(() => page.getByTestId("sender-from").count(), { timeout: 15_000 }).toBe(1);
      expect(await page.getByText("Setup guide").count()).toBe(0);
      await screenshotAtWidths(page, "home", async () => {
        await expect.poll(() => page.getByTestId("health-verdict").isVisible()).toBe(true);
      });
      expect(problems).toEqual([]);
    });
  }, 120_000);

  it("shows Analytics in plain words with flow and step names, charts that move nothing, and saves attribution from the save bar", async () => {
    const { page, problems } = await browser.open();
    // Every layout shift the page makes while it loads, as Chrome reports them for CLS.
    await page.addInitScript(() => {
      const w = window as unknown as { __cls: number };
      w.__cls = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[])
          if (!entry.hadRecentInput) w.__cls += entry.value;
      }).observe({ type: "layout-shift", buffered: true });
    });
    await withScreenshot(page, "analytics", async () => {
      await page.goto(browser.embeddedUrl("/app/analytics"));
      await expect.poll(() => page.locator('[data-chart="activity"] svg').count(), { timeout: 20_000 }).toBeGreaterThan(0);
      await expect.poll(() => page.locator('[data-chart="funnel"] svg').count(), { timeout: 10_000 }).toBeGreaterThan(0);
      await page.waitForTimeout(1000);
      const cls = await page.evaluate(() => (window as unknown as { __cls: number }).__cls);
      console.log(`Analytics CLS at 1280 px: ${cls.toFixed(4)}`);
      expect(cls).toBeLessThan(0.1);

      const text = (await page.locator("body").innerText()).replace(/\s+/g, " ");
      expect(text).toContain("Thank you + recommendations");
      expect(text).toContain("Step 1 · Thank you + recommendations");
      expect(text).toContain("Version A");
      expect(text).toContain("Complementary products");
      expect(text).toContain("Not enough mail yet to judge (23 of 200)");
      for (const jargon of ["Thompson", "Machine opens", "z-test", "thank-you", "complementary", "Healthy", "unchecked"])
        expect(text, jargon).not.toContain(jargon);

      // The attribution settings: App Bridge's save bar appears on a change and saves it.
      const saveBar = page.locator("ui-save-bar");
      expect(await saveBar.getAttribute("data-shown")).toBeNull();
      await page.getByLabel("Credit an order to a follow-up for (days after a click)").fill("7");
      await expect.poll(() => saveBar.getAttribute("data-shown")).toBe("");
      await saveBar.getByRole("button", { name: "Save" }).click();
      await expect.poll(() => page.locator(".app-bridge-toast", { hasText: "Settings saved" }).count(), { timeout: 10_000 }).toBe(1);
      await expect.poll(() => saveBar.getAttribute("data-shown")).toBeNull();
      expect((await prisma.shop.findUniqueOrThrow({ where: { domain: SHOP } })).attributionWindowDays).toBe(7);
      // Discard puts back what is saved.
      await page.getByLabel("Count opens as well as clicks").check();
      await expect.poll(() => saveBar.getAttribute("data-shown")).toBe("");
      await saveBar.getByRole("button", { name: "Discard" }).click();
      await expect.poll(() => page.getByLabel("Count opens as well as clicks").isChecked()).toBe(false);

      // A range button: pressed at once, then the page for that range (kept in the URL); the
      // same range again loads and lets go of the button.
      const sevenDays = page.getByRole("button", { name: "7 days" });
      // Only the page's own data is fetched: the frame (navigation, plan banner) stays as it is.
      const dataRequests: string[] = [];
      const onRequest = (r: { url(): string }) => {
        const route = new URL(r.url()).searchParams.get("_data");
        if (route) dataRequests.push(route);
      };
      page.on("request", onRequest);
      await sevenDays.click();
      await page.waitForURL(/from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}/);
      await page.waitForLoadState("networkidle");
      page.off("request", onRequest);
      expect(dataRequests).toEqual(["routes/app.analytics"]);
      const url = new URL(page.url());
      const days = (Date.parse(url.searchParams.get("to")!) - Date.parse(url.searchParams.get("from")!)) / 86_400_000 + 1;
      expect(days).toBe(7);
      await expect.poll(() => page.getByRole("button", { name: `${url.searchParams.get("from")} – ${url.searchParams.get("to")}` }).count(), { timeout: 10_000 }).toBe(1);
      await expect.poll(() => sevenDays.getAttribute("aria-pressed")).not.toBe("true");
      // Whether the button showed pressed, however quickly the load then lets go of it.
      await sevenDays.evaluate((button) => {
        const w = window as unknown as { __pressed: boolean };
        w.__pressed = false;
        new MutationObserver(() => {
          if (button.getAttribute("aria-pressed") === "true") w.__pressed = true;
        }).observe(button, { attributes: true, attributeFilter: ["aria-pressed"] });
      });
      await sevenDays.click();
      await expect.poll(() => page.evaluate(() => (window as unknown as { __pressed: boolean }).__pressed)).toBe(true);
      await expect.poll(() => sevenDays.getAttribute("aria-pressed"), { timeout: 10_000 }).not.toBe("true");
      expect(await page.locator("body").innerText()).toContain("Thank you + recommendations");

      await screenshotAtWidths(page, "analytics", async () => {
        await expect.poll(() => page.locator('[data-chart="activity"] svg').count(), { timeout: 10_000 }).toBeGreaterThan(0);
        await page.waitForTimeout(300);
      });
      expect(problems).toEqual([]);
    });
  }, 120_000);

  it("shows mail per mailbox provider, each spam rate beside the line its provider publishes", async () => {
    const { page, problems } = await browser.open();
    await withScreenshot(page, "analytics-providers", async () => {
      await page.goto(browser.embeddedUrl("/app/analytics"));
      const card = page.getByTestId("mailbox-providers");
      await expect.poll(() => card.isVisible(), { timeout: 20_000 }).toBe(true);
      const rows = card.locator("tbody tr");
      await expect.poll(() => rows.count()).toBe(5);
      const row = async (name: string) => (await card.locator("tbody tr", { hasText: name }).innerText()).replace(/\s+/g, " ");
      // Polaris gives each badge its tone in words for screen readers ("Critical").
      // gmail.com and the Workspace company together: 1020 sent, 4 complaints of 1000 delivered.
      expect(await row("Gmail")).toBe("Gmail 1020 1000 (98%) 20 (2%) 14 (1.4%) 4 (0.4%) Critical At or past Gmail's 0.3% limit 390 (39%) 51 (5.1%)");
      expect(await row("Yahoo")).toBe("Yahoo 300 296 (98.7%) 4 (1.3%) 30 (10%) 0 (0%) Success Below 0.3% 120 (40.5%) 9 (3%)");
      // Microsoft publishes no rate: the number without a badge.
      expect(await row("Outlook")).toBe("Outlook 260 250 (96.2%) 10 (3.8%) 0 (0%) 2 (0.8%) 80 (32%) 7 (2.8%)");
      expect(await row("Other mail servers")).toBe("Other mail servers 12 12 (100%) 0 (0%) 0 (0%) 0 (0%) 4 (33.3%) 1 (8.3%)");
      expect(await row("Not looked up yet")).toContain("Not looked up yet 3 ");
      const critical = card.locator(".Polaris-Badge--toneCritical");
      expect(await critical.count()).toBe(1);
      expect((await critical.innerText()).replace(/\s+/g, " ").trim()).toBe("Critical At or past Gmail's 0.3% limit");
      expect(await card.getByRole("link", { name: "Google's Email sender guidelines" }).getAttribute("href")).toBe("https://support.google.com/a/answer/81126");

      await screenshotAtWidths(page, "analytics-providers", async () => {
        await expect.poll(() => card.isVisible()).toBe(true);
        await card.scrollIntoViewIfNeeded();
      });
      // At 375 px each provider is one block of lines, its badge among them.
      await page.setViewportSize({ width: 375, height: 1000 });
      await expect.poll(() => card.getByText("Spam complaints:", { exact: true }).count(), { timeout: 5_000 }).toBe(5);
      expect(await card.getByText("At or past Gmail's 0.3% limit").isVisible()).toBe(true);
      await page.setViewportSize({ width: 1280, height: 1000 });
      expect(problems).toEqual([]);
    });
  }, 120_000);
});
