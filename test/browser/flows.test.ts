// The Flows page and the editor's preview in Chromium, on the built app with the store simulator
// as the shop's Admin API. The preview is a mail client's width (600 px on a desktop, 375 px on a
// phone) and as tall as the email; a cross-sell shows the step's own discount and date; a recent
// order shows its own products. On the Flows page a flow is deleted through App Bridge's modal,
// exported as a file and imported back; a file with problems is refused, naming them.
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// The app and this test share one fresh database; set before any module opens one.
const ctx = await vi.hoisted(async () => (await import("../helpers/env")).appTestEnv({ name: "browser-flows" }));

import type { Page } from "playwright-core";
import prisma from "~/db.server";
import { importFlows } from "~/services/flows/flows.server";
import { EXAMPLE_DISCOUNT_CODE } from "~/domain/templates";
import { chromiumFound, screenshotAtWidths, withScreenshot as keepScreenshot, type AdminBrowser } from "./admin-browser";
import { startBrowserShop, type BrowserShop } from "./browser-shop";
import type { SeedStore } from "../../simulator/store";

afterAll(async () => {
  await ctx.cleanup();
});

const SHOP = "flows-shop.myshopify.com";
const TIME_ZONE = "Pacific/Auckland";
const DAY = 24 * 3600_000;

const FLOW = {
  key: "more-for-you",
  name: "More for you",
  trigger: "order_created",
  active: true,
  steps: [
    {
      key: "offer",
      delay: { amount: 2, unit: "days" },
      template: "cross-sell",
      subject: "Something for you",
      content: { discount: { percentage: 10, expiresInDays: 30 } },
    },
    { key: "review", delay: { amount: 7, unit: "days" }, template: "review-request", subject: "How is your {{ product.title }}?" },
  ],
};

describe.skipIf(!chromiumFound)("flows and the preview in a browser", () => {
  let running: BrowserShop | undefined;
  let browser: AdminBrowser;
  let store: SeedStore;
  let flowId: string;
  let orderId: string;

  beforeAll(async () => {
    // The product pictures live on Shopify's CDN: a pixel here.
    running = await startBrowserShop({ shop: SHOP, databaseUrl: ctx.url, cdn: "pixel" });
    ({ browser, store } = running);
    await prisma.shop.update({ where: { domain: SHOP }, data: { ianaTimezone: TIME_ZONE, primaryLocale: "en" } });
    await importFlows(prisma, SHOP, { version: 1, flows: [FLOW] });
    flowId = (await prisma.flow.findFirstOrThrow({ where: { shop: SHOP, key: FLOW.key } })).id;
    // A recent order of two of the shop's products.
    const bought = ["Olive Wood Serving Board", "Linen Napkins (Set of 4)"].map((title) => store.products.find((p) => p.title === title)!);
    orderId = (
      await prisma.order.create({
        data: {
          shop: SHOP,
          orderId: "gid://shopify/Order/5101",
          name: "#5101",
          email: "ola@example.com",
          firstName: "Ola",
          currency: "USD",
          totalPrice: "96.00",
          productIds: JSON.stringify(bought.map((p) => p.id)),
          lineItems: JSON.stringify(bought.map((p) => ({ productId: p.id, title: p.title }))),
          orderedAt: new Date(Date.now() - DAY),
        },
      })
    ).id;
  }, 120_000);

  afterAll(async () => {
    await running?.close();
  });

  const withScreenshot = (page: Page, name: string, run: () => Promise<void>) => keepScreenshot(page, browser.app, name, run);
  const previewFrame = (page: Page) => page.locator('iframe[title="Email preview"]');
  // The frame's CSS width and its document's, what it takes on screen, and whether the email scrolls inside it.
  const measureFrame = (page: Page) =>
    previewFrame(page).evaluate((f: HTMLIFrameElement) => {
      const doc = f.contentDocument!.documentElement;
      const email = f.contentDocument!.querySelector<HTMLElement>('table[style*="max-width:600px"]');
      return {
        cssWidth: f.offsetWidth,
        documentWidth: doc.clientWidth,
        screenWidth: f.getBoundingClientRect().width,
        scale: Number(f.dataset.scale),
        column: f.parentElement!.parentElement!.clientWidth,
        scrollsInside: doc.scrollHeight > doc.clientHeight + 1 || doc.scrollWidth > doc.clientWidth + 1,
        frameHeight: f.offsetHeight,
        emailHeight: f.contentDocument!.body.getBoundingClientRect().height,
        emailWidth: email?.getBoundingClientRect().width ?? 0,
      };
    });

  it("shows the email 600 px wide on a desktop and 375 px on a phone, as tall as the email, with the step's own discount and date", async () => {
    const { page, problems } = await browser.open();
    page.on("dialog", (d) => {
      problems.push(`browser dialog: ${d.message()}`);
      void d.dismiss();
    });
    await withScreenshot(page, "flows-preview", async () => {
      await page.goto(browser.embeddedUrl(`/app/flows/${flowId}`));
      await expect.poll(() => previewFrame(page).getAttribute("srcdoc"), { timeout: 15_000 }).toContain("10% off your next order");

      // The step's own discount, edited and not yet saved: 25 % for 10 days, counted from now in the shop's zone.
      await page.getByLabel("Discount (%)", { exact: true }).fill("25");
      await page.getByLabel("Code valid for (days)", { exact: true }).fill("10");
      const until = new Intl.DateTimeFormat("en", { dateStyle: "long", timeZone: TIME_ZONE }).format(new Date(Date.now() + 10 * DAY));
      await expect.poll(() => previewFrame(page).getAttribute("srcdoc"), { timeout: 10_000 }).toContain("25% off your next order");
      const body = page.frameLocator('iframe[title="Email preview"]').locator("body");
      await expect.poll(() => body.textContent(), { timeout: 10_000 }).toContain(`Valid until ${until}, for one order.`);
      expect(await body.textContent()).toContain(EXAMPLE_DISCOUNT_CODE);
      expect(await body.textContent()).not.toContain("15%");
      expect(await page.getByTestId("preview-discount").textContent()).toMatch(/^EXAMPLE-CODE is an example/);

      // Desktop: a 600 px frame, scaled as a whole to fit the column, as tall as the email.
      await expect.poll(async () => (await measureFrame(page)).emailHeight, { timeout: 10_000 }).toBeGreaterThan(300);
      await expect.poll(async () => { const m = await measureFrame(page); return Math.abs(m.frameHeight - m.emailHeight); }).toBeLessThanOrEqual(1);
      const desktop = await measureFrame(page);
      expect(desktop).toMatchObject({ cssWidth: 600, documentWidth: 600, emailWidth: 600, scrollsInside: false });
      expect(desktop.screenWidth).toBeCloseTo(600 * desktop.scale, 0);
      expect(desktop.screenWidth).toBeLessThanOrEqual(desktop.column + 1);

      // Mobile: 375 px, the email laid out for a phone.
      await page.getByRole("button", { name: "Mobile", exact: true }).click();
      await expect.poll(async () => (await measureFrame(page)).cssWidth).toBe(375);
      await expect.poll(async () => { const m = await measureFrame(page); return Math.abs(m.frameHeight - m.emailHeight); }).toBeLessThanOrEqual(1);
      const mobile = await measureFrame(page);
      expect(mobile).toMatchObject({ cssWidth: 375, documentWidth: 375, scrollsInside: false });
      expect(mobile.emailWidth).toBeLessThanOrEqual(375);
      expect(mobile.screenWidth).toBeCloseTo(375 * mobile.scale, 0);
      expect(mobile.frameHeight).toBeGreaterThan(desktop.frameHeight);
      expect(await page.getByRole("button", { name: "Mobile", exact: true }).getAttribute("aria-pressed")).toBe("true");
      await page.getByRole("button", { name: "Desktop", exact: true }).click();
      await expect.poll(async () => (await measureFrame(page)).cssWidth).toBe(600);

      await screenshotAtWidths(page, "flow-editor-preview", async () => {
        await expect.poll(async () => { const m = await measureFrame(page); return m.screenWidth <= m.column + 1 && !m.scrollsInside; }).toBe(true);
      });
      expect(problems).toEqual([]);
    });
  }, 90_000);

  it("offers the shop's recent orders by name and date, and shows the chosen order's own products", async () => {
    const { page, problems } = await browser.open();
    await withScreenshot(page, "flows-preview-order", async () => {
      await page.goto(browser.embeddedUrl(`/app/flows/${flowId}`));
      const orderSelect = page.getByLabel("Order", { exact: true });
      await expect.poll(() => orderSelect.locator("option").allTextContents(), { timeout: 15_000 }).toEqual([
        "Sample order",
        `#5101 · ${new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeZone: TIME_ZONE }).format(new Date(Date.now() - DAY))}`,
      ]);
      // The review request lists what the order bought.
      // Step 1 is previewed; step 2 offers to be. (Once step 1's has come: a newer choice
      // cancels a preview still on its way, which the page would count as a failed request.)
      await expect.poll(() => previewFrame(page).getAttribute("srcdoc"), { timeout: 10_000 }).toContain("off your next order");
      await page.getByRole("button", { name: "Preview this step" }).click();
      await expect.poll(() => previewFrame(page).getAttribute("srcdoc"), { timeout: 10_000 }).toContain("Cedar &amp; Sage Soy Candle");
      await orderSelect.selectOption(orderId);
      await expect.poll(() => previewFrame(page).getAttribute("srcdoc"), { timeout: 10_000 }).toContain("Olive Wood Serving Board");
      const srcdoc = (await previewFrame(page).getAttribute("srcdoc"))!;
      expect(srcdoc).toContain("Linen Napkins (Set of 4)");
      expect(srcdoc).not.toContain("Cedar &amp; Sage Soy Candle");
      expect(srcdoc).toContain("#5101");
      expect(problems).toEqual([]);
    });
  }, 90_000);

  it("lists flows without scrolling sideways, deletes one only once confirmed in the modal, and says so", async () => {
    const { page, problems } = await browser.open();
    page.on("dialog", (d) => {
      problems.push(`browser dialog: ${d.message()}`);
      void d.dismiss();
    });
    await importFlows(prisma, SHOP, { version: 1, flows: [{ ...FLOW, key: "to-delete", name: "Old offer", active: false }] });
    const doomed = await prisma.flow.findFirstOrThrow({ where: { shop: SHOP, key: "to-delete" } });
    await withScreenshot(page, "flows-delete", async () => {
      await page.goto(browser.embeddedUrl("/app/flows"));
      await expect.poll(() => page.getByRole("link", { name: "Old offer" }).count(), { timeout: 15_000 }).toBe(1);
      // The title bar carries the page's primary action.
      const titleBar = page.locator('ui-title-bar[title="Flows"]');
      expect(await titleBar.count()).toBe(1);
      expect(await titleBar.locator("> button").allTextContents()).toEqual(["Create flow"]);
      expect(await titleBar.locator("> button").getAttribute("variant")).toBe("primary");
      await screenshotAtWidths(page, "flows-index", async () => {
        await expect.poll(() => page.getByRole("link", { name: "Old offer" }).isVisible()).toBe(true);
      });

      const modal = page.getByRole("dialog", { name: "Delete flow" });
      await page.getByRole("button", { name: "Delete Old offer" }).click();
      await expect.poll(() => modal.isVisible()).toBe(true);
      // The content sits where the admin draws it (a shadow root here), which getByText reaches.
      expect(await modal.getByText("Delete “Old offer”? Follow-ups it has scheduled will not be sent.", { exact: false }).count()).toBe(1);
      await modal.getByRole("button", { name: "Cancel" }).click();
      await expect.poll(() => modal.isVisible()).toBe(false);
      expect(await prisma.flow.findUnique({ where: { id: doomed.id } })).not.toBeNull();

      await page.getByRole("button", { name: "Delete Old offer" }).click();
      await modal.getByRole("button", { name: "Delete flow" }).click();
      await expect.poll(() => page.locator(".app-bridge-toast", { hasText: "Flow deleted." }).count(), { timeout: 10_000 }).toBe(1);
      await expect.poll(() => page.getByRole("link", { name: "Old offer" }).count()).toBe(0);
      expect(await prisma.flow.findUnique({ where: { id: doomed.id } })).toBeNull();
      expect(await modal.isVisible()).toBe(false);

      // At a phone's width the table is a list, one flow per row, its actions included.
      await page.setViewportSize({ width: 375, height: 1000 });
      await expect.poll(() => page.getByRole("button", { name: "Export More for you" }).isVisible()).toBe(true);
      await page.setViewportSize({ width: 1280, height: 1000 });
      expect(problems).toEqual([]);
    });
  }, 90_000);

  it("exports a flow as a file and imports it back, off, and refuses a file with problems, naming them", async () => {
    const { page, problems } = await browser.open();
    await withScreenshot(page, "flows-files", async () => {
      await page.goto(browser.embeddedUrl("/app/flows"));
      await expect.poll(() => page.getByRole("link", { name: "More for you" }).count(), { timeout: 15_000 }).toBe(1);

      const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export More for you" }).click()]);
      expect(download.suggestedFilename()).toBe("more-for-you.flow.json");
      const saved = fs.readFileSync(await download.path());
      const exported = JSON.parse(saved.toString("utf8"));
      expect(exported).toMatchObject({ version: 1, flows: [{ key: "more-for-you", name: "More for you", active: true }] });

      // The file as the merchant's computer keeps it: under the name it was saved with.
      await page.locator('input[type="file"]').setInputFiles({ name: download.suggestedFilename(), mimeType: "application/json", buffer: saved });
      await expect.poll(() => page.locator(".app-bridge-toast", { hasText: "Imported More for you. It is off until you turn it on." }).count(), { timeout: 10_000 }).toBe(1);
      await expect.poll(() => page.getByRole("link", { name: "More for you" }).count()).toBe(2);
      const copy = await prisma.flow.findFirstOrThrow({ where: { shop: SHOP, key: "more-for-you-2" }, include: { steps: { orderBy: { position: "asc" } } } });
      expect(copy).toMatchObject({ name: "More for you", active: false });
      expect(copy.steps.map((s) => [s.key, s.template])).toEqual([
        ["offer", "cross-sell"],
        ["review", "review-request"],
      ]);

      const before = await prisma.flow.count({ where: { shop: SHOP } });
      const broken = { ...exported, flows: [{ ...exported.flows[0], name: "", steps: [{ ...exported.flows[0].steps[0], subject: "" }] }] };
      await page.locator('input[type="file"]').setInputFiles({ name: "broken.flow.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(broken)) });
      await expect.poll(() => page.getByText("broken.flow.json was not imported").count(), { timeout: 10_000 }).toBe(1);
      const listed = await page.getByTestId("import-problems").locator("li").allTextContents();
      expect(listed).toEqual(["Flow 1, name: Give the flow a name.", "Flow 1, step 1, subject: Write a subject line."]);
      expect(await prisma.flow.count({ where: { shop: SHOP } })).toBe(before);
      await screenshotAtWidths(page, "flows-import-problems", async () => {
        await expect.poll(() => page.getByTestId("import-problems").isVisible()).toBe(true);
      });
      // Chromium logs every 4xx answer to the console; the refusal is the one expected.
      const refusal = "console error: Failed to load resource: the server responded with a status of 400 (Bad Request)";
      expect(problems.filter((p) => p === refusal)).toHaveLength(1);
      expect(problems.filter((p) => p !== refusal)).toEqual([]);
    });
  }, 90_000);
});
