// The brand on the Settings page in Chromium: the merchant uploads a PNG logo (it goes to the
// store simulator's Files through the real upload path), picks an accent colour and a font,
// watches the preview change, saves with the save bar, finds it all after a reload, and a test
// send carries the logo, colour and font. Screenshots at 1280 and 375 px in var/screenshots.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// The app and this test share one fresh database; set before any module opens one.
const ctx = await vi.hoisted(async () => (await import("../helpers/env")).appTestEnv({ name: "browser-brand" }));

import type { Page } from "playwright-core";
import prisma from "~/db.server";
import { SAFE_FONTS } from "~/domain/content";
import { chromiumFound, screenshotAtWidths, withScreenshot as keepScreenshot, type AdminBrowser } from "./admin-browser";
import { BROWSER_SCOPES, startBrowserShop, type BrowserShop } from "./browser-shop";
import type { AdminSimulator } from "../../simulator/admin-api";
import { solidPng } from "../helpers/png";

afterAll(async () => {
  await ctx.cleanup();
});

const SHOP = "brand-shop.myshopify.com";
const SCOPES = `${BROWSER_SCOPES},write_files`;
const ACCENT = "#8a2be2";

describe.skipIf(!chromiumFound)("brand on the Settings page", () => {
  let running: BrowserShop | undefined;
  let browser: AdminBrowser;
  let admin: AdminSimulator;
  const logoFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "afterglow-brand-")), "Juniper Logo.png");

  beforeAll(async () => {
    fs.writeFileSync(logoFile, solidPng({ width: 240, height: 80, rgb: [138, 43, 226] }));
    // Shopify's CDN serves the uploaded logo; here the simulator's Files do.
    running = await startBrowserShop({
      shop: SHOP,
      databaseUrl: ctx.url,
      scopes: SCOPES,
      cdn: "files",
      seedStore: (store) => {
        store.shop.email = "owner@juniper.example";
        store.shop.contactEmail = "hello@juniper.example";
      },
    });
    ({ browser, admin } = running);
  }, 120_000);

  afterAll(async () => {
    await running?.close();
    fs.rmSync(path.dirname(logoFile), { recursive: true, force: true });
  });

  const withScreenshot = (page: Page, name: string, run: () => Promise<void>) => keepScreenshot(page, browser.app, name, run);
  const previewHtml = (page: Page) => page.locator('iframe[title="Brand preview"]').getAttribute("srcdoc");
  // Whether the preview shows `text` (a yes or no, so a failure does not print the whole email).
  const previewHas = async (page: Page, text: string) => Boolean((await previewHtml(page))?.includes(text));

  it("uploads a logo, picks a colour and a font, sees the preview change, saves with the save bar, and finds it after a reload", async () => {
    const { page, problems } = await browser.open();
    await withScreenshot(page, "brand-settings", async () => {
      await page.goto(browser.embeddedUrl("/app/settings"));
      await expect.poll(() => previewHas(page, "Thank you, Maya"), { timeout: 20_000 }).toBe(true);
      const saveBar = page.locator("ui-save-bar");
      expect(await saveBar.getAttribute("data-shown")).toBeNull();
      // No brand yet: the store's name heads the email.
      expect(await page.frameLocator('iframe[title="Brand preview"]').locator("img[alt='Juniper & Pine']").count()).toBe(0);
      await screenshotAtWidths(page, "settings-before-brand", async () => {
        await expect.poll(() => previewHas(page, "Thank you, Maya")).toBe(true);
      });

      // A file the emails cannot show is refused in the page, before it travels.
      const svg = path.join(path.dirname(logoFile), "logo.svg");
      fs.writeFileSync(svg, '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
      await page.locator('input[type="file"]').setInputFiles(svg);
      await expect.poll(() => page.getByText(/SVG logos cannot be used: Gmail and Outlook/).count(), { timeout: 10_000 }).toBe(1);
      expect(admin.requests.filter((r) => r.operationName === "StagedUploadsCreate")).toHaveLength(0);

      await page.locator('input[type="file"]').setInputFiles(logoFile);
      const logoAddress = page.getByLabel("Logo address", { exact: true });
      await expect.poll(() => logoAddress.inputValue(), { timeout: 20_000 }).toMatch(/^https:\/\/cdn\.shopify\.com\/s\/files\/.+\/files\/juniper-logo\.png\?v=\d+$/);
      const logoUrl = await logoAddress.inputValue();
      await expect.poll(() => page.locator(".app-bridge-toast", { hasText: "Logo uploaded to your Files" }).count()).toBe(1);
      expect(admin.requests.map((r) => r.operationName)).toEqual(expect.arrayContaining(["StagedUploadsCreate", "FileCreate", "FileStatus"]));
      await expect.poll(() => saveBar.getAttribute("data-shown")).toBe("");

      await page.getByLabel("Accent colour", { exact: true }).fill(ACCENT);
      await page.getByLabel("Font", { exact: true }).selectOption("Georgia");

      // The preview is the thank-you email rendered with the unsaved brand.
      await expect.poll(() => previewHas(page, `background-color:${ACCENT}`), { timeout: 15_000 }).toBe(true);
      const html = (await previewHtml(page))!;
      expect(html).toContain(`src="${logoUrl.replace(/&/g, "&amp;")}"`);
      expect(html).toContain("font-family:Georgia");
      // The logo loads in the preview, from the CDN, with the store's name as its alt text.
      const logo = page.frameLocator('iframe[title="Brand preview"]').locator("img[alt='Juniper & Pine']");
      await expect.poll(() => logo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 10_000 }).toBe(240);

      await screenshotAtWidths(page, "settings-brand", async () => {
        await expect.poll(() => previewHas(page, ACCENT)).toBe(true);
      });

      await saveBar.getByRole("button", { name: "Save" }).click();
      await expect.poll(() => page.locator(".app-bridge-toast", { hasText: "Settings saved" }).count(), { timeout: 15_000 }).toBe(1);
      await expect.poll(() => saveBar.getAttribute("data-shown")).toBeNull();
      const row = await prisma.shop.findUniqueOrThrow({ where: { domain: SHOP } });
      expect(JSON.parse(row.brand!)).toEqual({ logoUrl, accentColor: ACCENT, font: "Georgia" });

      await page.reload();
      await expect.poll(() => page.getByLabel("Logo address", { exact: true }).inputValue(), { timeout: 15_000 }).toBe(logoUrl);
      expect(await page.getByLabel("Accent colour", { exact: true }).inputValue()).toBe(ACCENT);
      expect(await page.getByLabel("Font", { exact: true }).inputValue()).toBe("Georgia");
      expect(await saveBar.getAttribute("data-shown")).toBeNull();

      // Discard puts back what is stored.
      await page.getByLabel("Accent colour", { exact: true }).fill("#123456");
      await expect.poll(() => saveBar.getAttribute("data-shown")).toBe("");
      await saveBar.getByRole("button", { name: "Discard" }).click();
      await expect.poll(() => page.getByLabel("Accent colour", { exact: true }).inputValue()).toBe(ACCENT);
      await expect.poll(() => saveBar.getAttribute("data-shown")).toBeNull();
    });
    expect(problems).toEqual([]);
  }, 120_000);

  it("shows a bad colour's problem under its field, and a test send carries the saved logo, colour and font", async () => {
    const { page, problems } = await browser.open();
    await withScreenshot(page, "brand-send", async () => {
      await page.goto(browser.embeddedUrl("/app/settings"));
      await expect.poll(() => page.getByLabel("Accent colour", { exact: true }).inputValue(), { timeout: 15_000 }).toBe(ACCENT);
      // Checked as it is typed, by the rules the server saves by; saving is refused in the page.
      await expect.poll(() => previewHas(page, `background-color:${ACCENT}`), { timeout: 15_000 }).toBe(true);
      const previews = await page.locator('iframe[title="Brand preview"]').getAttribute("data-version");
      await page.getByLabel("Accent colour", { exact: true }).fill("purple");
      await expect.poll(() => page.getByText('"purple" is not a colour like #2f5d50 (a # and six hex digits).').count(), { timeout: 10_000 }).toBe(1);
      await page.locator("ui-save-bar").getByRole("button", { name: "Save" }).click();
      await expect.poll(() => page.locator(".app-bridge-toast.error", { hasText: "Fix the highlighted fields" }).count()).toBe(1);
      expect(JSON.parse((await prisma.shop.findUniqueOrThrow({ where: { domain: SHOP } })).brand!).accentColor).toBe(ACCENT);
      // The preview keeps the last brand it could show.
      expect(await page.getByText("The preview shows your last brand without problems.").count()).toBe(1);
      expect(await page.locator('iframe[title="Brand preview"]').getAttribute("data-version")).toBe(previews);
      await page.locator("ui-save-bar").getByRole("button", { name: "Discard" }).click();

      const flow = await prisma.flow.findFirstOrThrow({ where: { shop: SHOP, key: "thank-you" } });
      await page.goto(browser.embeddedUrl(`/app/flows/${flow.id}`));
      await expect.poll(() => page.getByLabel("Send to", { exact: true }).inputValue(), { timeout: 15_000 }).toBe("owner@juniper.example");
      await page.getByRole("button", { name: "Send test email" }).click();
      await expect.poll(() => page.locator(".app-bridge-toast", { hasText: "Test sent to owner@juniper.example." }).count(), { timeout: 15_000 }).toBe(1);
      const sent = await prisma.outboxMessage.findFirstOrThrow({ where: { shop: SHOP }, orderBy: { createdAt: "desc" } });
      const brand = JSON.parse((await prisma.shop.findUniqueOrThrow({ where: { domain: SHOP } })).brand!) as { logoUrl: string };
      expect(sent.html).toContain(`src="${brand.logoUrl.replace(/&/g, "&amp;")}"`);
      expect(sent.html).toContain('alt="Juniper &amp; Pine"');
      expect(sent.html).toContain(`background-color:${ACCENT}`);
      expect(sent.html).toContain(`font-family:${SAFE_FONTS.Georgia.replace(/"/g, "&quot;")}`);
    });
    expect(problems).toEqual([]);
  }, 120_000);

  it("Reviews: picks Judge.me, sets an anchor, the period and the token, saves with the save bar; a bad anchor is refused under its field", async () => {
    const { page, problems } = await browser.open();
    await withScreenshot(page, "settings-reviews-flow", async () => {
      await page.goto(browser.embeddedUrl("/app/settings"));
      const app = page.getByLabel("Review app", { exact: true });
      await expect.poll(() => app.inputValue(), { timeout: 15_000 }).toBe("custom");
      // The token field is there only for an app whose API Afterglow reads.
      expect(await page.getByLabel("Judge.me private API token", { exact: true }).count()).toBe(0);
      await app.selectOption("judgeme");
      const token = page.getByLabel("Judge.me private API token", { exact: true });
      await expect.poll(() => token.count()).toBe(1);
      await token.fill("jm-browser-token-9911");
      await page.getByLabel("Ask about the same product again after", { exact: true }).fill("180");
      const saveBar = page.locator("ui-save-bar");
      await expect.poll(() => saveBar.getAttribute("data-shown")).toBe("");
      await screenshotAtWidths(page, "settings-reviews", async () => {
        await expect.poll(() => token.count()).toBe(1);
      });

      // A malformed anchor: shown under its field as it is typed, and saving is refused in the page.
      await page.getByLabel("Anchor on the product page", { exact: true }).fill("reviews section");
      await expect.poll(() => page.getByText(/An anchor starts with # and a letter/).count(), { timeout: 15_000 }).toBe(1);
      await saveBar.getByRole("button", { name: "Save" }).click();
      await expect.poll(() => page.locator(".app-bridge-toast.error", { hasText: "Fix the highlighted fields" }).count()).toBeGreaterThan(0);
      // (The brand saves above stored the Reviews section's defaults.)
      expect(await prisma.shopReviewSetting.findUnique({ where: { shop: SHOP } })).toMatchObject({ reviewApp: "custom", anchor: null, apiTokenEnc: null });

      await page.getByLabel("Anchor on the product page", { exact: true }).fill("#product-reviews");
      await saveBar.getByRole("button", { name: "Save" }).click();
      await expect.poll(() => page.locator(".app-bridge-toast", { hasText: "Settings saved" }).count(), { timeout: 15_000 }).toBeGreaterThan(0);
      await expect.poll(() => saveBar.getAttribute("data-shown")).toBeNull();
      const row = await prisma.shopReviewSetting.findUniqueOrThrow({ where: { shop: SHOP } });
      expect(row).toMatchObject({ reviewApp: "judgeme", anchor: "#product-reviews", reaskDays: 180 });
      expect(row.apiTokenEnc).toBeTruthy();
      expect(row.apiTokenEnc).not.toContain("jm-browser-token-9911");

      await page.reload();
      await expect.poll(() => page.getByLabel("Review app", { exact: true }).inputValue(), { timeout: 15_000 }).toBe("judgeme");
      expect(await page.getByLabel("Anchor on the product page", { exact: true }).inputValue()).toBe("#product-reviews");
      expect(await page.getByLabel("Ask about the same product again after", { exact: true }).inputValue()).toBe("180");
      // The saved token never comes back to the page.
      expect(await page.getByLabel("Judge.me private API token", { exact: true }).inputValue()).toBe("");
      expect(await page.getByLabel("Remove the saved token", { exact: true }).count()).toBe(1);
      expect(await saveBar.getAttribute("data-shown")).toBeNull();
    });
    expect(problems).toEqual([]);
  }, 120_000);
});
