// Settings in Chromium where Postmark is configured beside the outbox: the thank-you page's
// sign-up checkbox (its edge at a phone's width) and the mail provider choice, saved with the
// save bar and used from then on. Screenshots at 1280 and 375 px in var/screenshots.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const ctx = await vi.hoisted(async () => (await import("../helpers/env")).appTestEnv({ name: "browser-settings" }));

import type { Page } from "playwright-core";
import prisma from "~/db.server";
import { chromiumFound, screenshotAtWidths, withScreenshot as keepScreenshot, type AdminBrowser } from "./admin-browser";
import { startBrowserShop, type BrowserShop } from "./browser-shop";

afterAll(async () => {
  await ctx.cleanup();
});

const SHOP = "settings-shop.myshopify.com";

describe.skipIf(!chromiumFound)("settings in a browser", () => {
  let running: BrowserShop | undefined;
  let browser: AdminBrowser;

  beforeAll(async () => {
    running = await startBrowserShop({ shop: SHOP, databaseUrl: ctx.url, env: { POSTMARK_SERVER_TOKEN: "2f0d6a3e-5c1b-4d0e-9a7b-8c6d5e4f3a2b" } });
    ({ browser } = running);
  }, 120_000);

  afterAll(async () => {
    await running?.close();
  });

  const withScreenshot = (page: Page, name: string, run: () => Promise<void>) => keepScreenshot(page, browser.app, name, run);

  it("draws the thank-you sign-up checkbox's edge at 1280 and 375 px, and saves it off", async () => {
    const { page, problems } = await browser.open();
    await withScreenshot(page, "settings-sign-up", async () => {
      await page.goto(browser.embeddedUrl("/app/settings"));
      const box = page.getByLabel("Offer email sign-up on the thank-you page", { exact: true });
      await expect.poll(() => box.count(), { timeout: 15_000 }).toBe(1);
      expect(await box.isChecked()).toBe(true);
      // Unchecked, the box shows only its edge (checked, Polaris fills it).
      await box.click({ force: true });
      expect(await box.isChecked()).toBe(false);
      // Polaris 13 draws a checkbox's edge as an inset shadow over a 0 px border, at every width;
      // below 48em the box is larger and the edge the same. Both must be there at each width.
      const edge = () =>
        box.evaluate((input) => {
          const style = getComputedStyle(input.nextElementSibling as Element);
          return { border: style.borderTopWidth, shadow: style.boxShadow, size: Math.round((input.nextElementSibling as Element).getBoundingClientRect().width) };
        });
      const edges: Record<number, Awaited<ReturnType<typeof edge>>> = {};
      await screenshotAtWidths(page, "settings-sign-up", async () => {
        await box.scrollIntoViewIfNeeded();
        edges[page.viewportSize()!.width] = await edge();
      });
      for (const width of [1280, 375]) {
        expect(edges[width].shadow, `${width}px`).toMatch(/ 0px 0px 0px 0\.6\d*px inset$/);
        expect(edges[width].border, `${width}px`).toBe("0px");
        expect(edges[width].size, `${width}px`).toBeGreaterThan(0);
      }
      expect(edges[375].size).toBeGreaterThanOrEqual(edges[1280].size);

      await page.locator("ui-save-bar").getByRole("button", { name: "Save" }).click();
      await expect.poll(() => page.locator(".app-bridge-toast", { hasText: "Settings saved" }).count(), { timeout: 10_000 }).toBeGreaterThan(0);
      expect((await prisma.thankYouPageSetting.findUniqueOrThrow({ where: { shop: SHOP } })).offerEmailSignUp).toBe(false);
      expect(problems).toEqual([]);
    });
  }, 120_000);

  it("chooses the mail provider, shown because Postmark is configured, and saves it with the save bar", async () => {
    const { page, problems } = await browser.open();
    await withScreenshot(page, "settings-mail-provider", async () => {
      await page.goto(browser.embeddedUrl("/app/settings"));
      const provider = page.getByLabel("Send follow-ups through", { exact: true });
      await expect.poll(() => provider.count(), { timeout: 15_000 }).toBe(1);
      expect(await provider.inputValue()).toBe("auto");
      expect(await provider.locator("option").allTextContents()).toEqual([
        "SendGrid, with Postmark when SendGrid is down (recommended)",
        "Always SendGrid",
        "Always Postmark",
      ]);
      await screenshotAtWidths(page, "settings-mail-provider", async () => {
        await provider.scrollIntoViewIfNeeded();
      });

      const saveBar = page.locator("ui-save-bar");
      await provider.selectOption("postmark");
      await expect.poll(() => saveBar.getAttribute("data-shown")).not.toBeNull();
      await saveBar.getByRole("button", { name: "Save" }).click();
      await expect.poll(() => page.locator(".app-bridge-toast", { hasText: "Settings saved" }).count(), { timeout: 10_000 }).toBeGreaterThan(0);
      expect((await prisma.shop.findUniqueOrThrow({ where: { domain: SHOP } })).mailProvider).toBe("postmark");
      await page.reload();
      await expect.poll(() => provider.inputValue(), { timeout: 15_000 }).toBe("postmark");
      expect(problems).toEqual([]);
    });
  }, 120_000);
});
