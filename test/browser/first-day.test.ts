// A merchant's first day, in Chromium, from the App Store install to the first email: the
// embedded app's first load installs the shop (token exchange at the store simulator, profile
// read), the setup guide leads through the sender domain (authenticated at the SendGrid stand-in,
// verified once its records are in DNS), the brand, the email's blocks in two languages, the
// preview at both widths and a test send, then the flow is turned on from Home; a signed
// orders/create becomes a branded Polish email with the shop's address, sent through SendGrid,
// and Messages shows it sent. Every page on the way is kept as a screenshot at 1280 and 375 px,
// and no script error, console error or failed request is allowed.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const ctx = await vi.hoisted(async () => (await import("../helpers/env")).appTestEnv({ name: "browser-first-day" }));

import type { Page } from "playwright-core";
import prisma from "~/db.server";
import { decodeAuthenticationRecords } from "~/domain/domain-authentication";
import { chromiumFound, screenshotAtWidths, withScreenshot as keepScreenshot, type AdminBrowser, type WatchedPage } from "./admin-browser";
import { startBrowserShop, type BrowserShop } from "./browser-shop";
import { runCli, TEST_API_SECRET } from "../../scripts/harness";
import type { AdminSimulator } from "../../simulator/admin-api";
import { publishRecords, type DnsZone } from "../../simulator/dns-server";
import { orderCreatedPayload } from "../../simulator/orders";
import type { SendGridStandIn } from "../../simulator/sendgrid";
import { SIMULATOR_SHOP, type SeedStore } from "../../simulator/store";
import { sendWebhook } from "../../simulator/webhooks";

afterAll(async () => {
  await ctx.cleanup();
});

const KEY = "SG.first-day.key";
const DOMAIN = "juniperandpine.example";
const ACCENT = "#8a3b12";
const LOGO = "https://cdn.shopify.com/s/files/1/0000/0001/files/juniper-logo.png";

describe.skipIf(!chromiumFound)("a merchant's first day, in a browser", () => {
  let running: BrowserShop | undefined;
  let browser: AdminBrowser;
  let admin: AdminSimulator;
  let sendgrid: SendGridStandIn;
  let store: SeedStore;
  let env: Record<string, string>;
  const zones: Record<string, DnsZone> = { [DOMAIN]: { "@": { A: ["192.0.2.10"] } } };

  beforeAll(async () => {
    // Nothing is stored for the shop: the first embedded load installs it. The logo's CDN answers
    // with a pixel, and mail goes through the SendGrid stand-in.
    running = await startBrowserShop({ shop: SIMULATOR_SHOP, databaseUrl: ctx.url, install: "embedded", sendgrid: { apiKey: KEY, zones }, mail: "sendgrid", cdn: "pixel" });
    ({ browser, admin, store, env } = running);
    sendgrid = running.sendgrid!;
  }, 120_000);

  afterAll(async () => {
    await running?.close();
  });

  const withScreenshot = (page: Page, name: string, run: () => Promise<void>) => keepScreenshot(page, browser.app, name, run);
  const toast = (page: Page, text: string) => page.locator(".app-bridge-toast", { hasText: text });
  const label = (page: Page, name: string) => page.getByLabel(name, { exact: true });
  const progress = (page: Page) => page.getByTestId("setup-progress").textContent();

  it("installs from the embedded load, sets up sender, brand and a two-language email, turns it on, and sends the first order's email", async () => {
    const watched: WatchedPage = await browser.open();
    const { page, problems } = watched;
    await withScreenshot(page, "first-day", async () => {
      // 1. The install: App Bridge's session token is all the first load has.
      expect(await prisma.shop.count()).toBe(0);
      await page.goto(browser.embeddedUrl("/app"));
      await expect.poll(() => progress(page), { timeout: 30_000 }).toBe("0 of 3 tasks complete");
      // The page's first requests may each exchange the token before one is stored; all ask for the offline token.
      expect(admin.tokenExchanges.length).toBeGreaterThan(0);
      expect(new Set(admin.tokenExchanges.map((e) => e.requestedTokenType))).toEqual(new Set(["urn:shopify:params:oauth:token-type:offline-access-token"]));
      const installed = await prisma.shop.findUniqueOrThrow({ where: { domain: SIMULATOR_SHOP } });
      expect(installed).toMatchObject({ name: "Juniper & Pine", ianaTimezone: "Europe/Warsaw", primaryLocale: "pl", address: "ul. Złota 44, lok. 7, 00-120 Warszawa, Poland" });
      const flow = await prisma.flow.findFirstOrThrow({ where: { shop: SIMULATOR_SHOP }, orderBy: { createdAt: "asc" } });
      expect(flow.active).toBe(false); // nothing goes out before the merchant has seen it
      await screenshotAtWidths(page, "first-day-home", async () => {
        await expect.poll(() => progress(page)).toBe("0 of 3 tasks complete");
      });

      // 2. The sender domain, authenticated in SendGrid for the merchant and verified.
      await page.goto(browser.embeddedUrl("/app/sender"));
      const from = page.getByTestId("from-address");
      await expect.poll(() => from.textContent(), { timeout: 15_000 }).toBe("Juniper & Pine <mail@afterglow.example>");
      expect(await label(page, "Your domain").inputValue()).toBe(DOMAIN);
      await page.getByRole("button", { name: "Authenticate domain" }).click();
      await expect.poll(() => page.getByText(`s1._domainkey.${DOMAIN}`, { exact: true }).count(), { timeout: 15_000 }).toBe(1);
      const records = decodeAuthenticationRecords((await prisma.senderDomain.findUniqueOrThrow({ where: { shop: SIMULATOR_SHOP } })).records);
      publishRecords(zones, DOMAIN, records);
      await page.getByRole("button", { name: "Verify", exact: true }).click();
      await expect.poll(() => toast(page, `${DOMAIN} is verified`).count(), { timeout: 15_000 }).toBe(1);
      await expect.poll(() => from.textContent()).toBe(`Juniper & Pine <hello@${DOMAIN}>`);
      await screenshotAtWidths(page, "first-day-sender", async () => {
        await expect.poll(() => from.isVisible()).toBe(true);
      });

      // 3. The brand, saved from the save bar.
      await page.goto(browser.embeddedUrl("/app/settings"));
      await expect.poll(() => label(page, "Logo address").isVisible(), { timeout: 15_000 }).toBe(true);
      await label(page, "Logo address").fill(LOGO);
      await label(page, "Accent colour").fill(ACCENT);
      await label(page, "Font").selectOption("Georgia");
      await expect.poll(() => page.locator('iframe[title="Brand preview"]').getAttribute("srcdoc"), { timeout: 15_000 }).toContain(ACCENT);
      await screenshotAtWidths(page, "first-day-settings", async () => {
        await expect.poll(() => label(page, "Accent colour").isVisible()).toBe(true);
      });
      await page.locator("ui-save-bar").getByRole("button", { name: "Save" }).click();
      await expect.poll(() => toast(page, "Settings saved").count(), { timeout: 15_000 }).toBe(1);

      await page.goto(browser.embeddedUrl("/app"));
      await expect.poll(() => progress(page), { timeout: 15_000 }).toBe("1 of 3 tasks complete");

      // 4. The email: sent at once, a block of the merchant's own, in the shop's language (Polish,
      // the base) and in English.
      await page.getByRole("link", { name: "Preview and send a test" }).click();
      await page.waitForURL(new RegExp(`/app/flows/${flow.id}`), { timeout: 15_000 });
      await expect.poll(() => label(page, "Flow name").inputValue(), { timeout: 15_000 }).toBe(flow.name);
      await page.getByLabel("Wait").first().fill("0");
      await page.getByLabel("Unit").first().selectOption("minutes");
      expect(await page.getByRole("tab", { name: "Polish (base)" }).count()).toBeGreaterThan(0);
      await page.getByRole("button", { name: "Start from the template's blocks" }).first().click();
      await page.getByRole("button", { name: "Add block", exact: true }).first().click();
      await page.getByRole("menuitem", { name: /^Text/ }).click();
      await page.getByLabel(/^Block \d+ text$/).last().fill("Każda świeca jest ręcznie odlewana w Warszawie.");
      await label(page, "Subject").fill("Dziękujemy, {{ customer.first_name }}!");
      await page.getByRole("tab", { name: "English", exact: true }).first().click();
      await label(page, "Subject").fill("Thank you, {{ customer.first_name }}!");
      await page.getByRole("button", { name: "Copy the base blocks" }).click();
      await page.getByLabel(/^Block \d+ text$/).last().fill("Every candle is poured by hand in Warsaw.");
      const saveBar = page.locator("ui-save-bar");
      await saveBar.getByRole("button", { name: "Save" }).click();
      await expect.poll(() => toast(page, "Flow saved").count(), { timeout: 15_000 }).toBeGreaterThan(0);
      await expect.poll(() => saveBar.getAttribute("data-shown")).toBeNull();

      // 5. The preview in English (the tab being written) and in Polish, at a desktop's and a phone's width.
      const frame = page.locator('iframe[title="Email preview"]');
      await expect.poll(() => frame.getAttribute("srcdoc"), { timeout: 15_000 }).toContain("Every candle is poured by hand in Warsaw.");
      await page.getByRole("tab", { name: "Polish (base)" }).first().click();
      await expect.poll(() => frame.getAttribute("srcdoc"), { timeout: 15_000 }).toContain("Każda świeca jest ręcznie odlewana w Warszawie.");
      for (const [view, width] of [["Mobile", 375], ["Desktop", 600]] as const) {
        await page.getByRole("button", { name: view, exact: true }).click();
        await expect.poll(() => frame.evaluate((el: HTMLIFrameElement) => el.offsetWidth), { timeout: 10_000 }).toBe(width);
        await expect.poll(() => frame.evaluate((el: HTMLIFrameElement) => el.contentDocument?.documentElement.clientWidth ?? 0)).toBe(width);
      }
      await screenshotAtWidths(page, "first-day-editor", async () => {
        await expect.poll(() => frame.isVisible()).toBe(true);
      });

      // 6. A test, to the store's own address.
      await page.getByRole("button", { name: "Send test email" }).click();
      await expect.poll(() => toast(page, "Test sent to").count(), { timeout: 20_000 }).toBe(1);
      expect(sendgrid.messages).toHaveLength(1);
      expect(sendgrid.messages[0].subject).toMatch(/^\[Test\]/);

      // 7. Turned on from Home.
      await page.goto(browser.embeddedUrl("/app"));
      await expect.poll(() => progress(page), { timeout: 15_000 }).toBe("2 of 3 tasks complete");
      await page.getByRole("button", { name: `Turn on “${flow.name}”` }).click();
      await expect.poll(() => toast(page, "Flow turned on").count(), { timeout: 15_000 }).toBe(1);
      await expect.poll(() => progress(page), { timeout: 15_000 }).toBe("3 of 3 tasks complete");

      // 8. A Polish customer orders; Shopify's signed webhook, then the dispatcher's pass.
      const customer = store.customers.find((c) => c.locale === "pl-PL" && c.email)!;
      const product = store.products.find((p) => p.status === "ACTIVE" && p.onlineStoreUrl)!;
      const order = orderCreatedPayload({ store, customerId: customer.id, lines: [{ productId: product.id, quantity: 1 }] });
      const posted = await sendWebhook(`${browser.app.url}/webhooks/orders/create`, { topic: "orders/create", shop: SIMULATOR_SHOP, payload: order, secret: TEST_API_SECRET, webhookId: randomUUID() });
      expect(posted.status).toBe(200);
      const dispatched = await runCli(["dispatch", "--once"], env);
      expect(dispatched.stdout + dispatched.stderr).toMatch(/1 sent/);
      expect(sendgrid.messages).toHaveLength(2);
      const mail = sendgrid.messages[1];
      expect(mail.to[0].email).toBe(customer.email);
      expect(mail.from).toMatchObject({ email: `hello@${DOMAIN}`, name: "Juniper & Pine" });
      expect(mail.subject).toBe(`Dziękujemy, ${customer.firstName}!`);
      expect(mail.html).toContain("Każda świeca jest ręcznie odlewana w Warszawie.");
      expect(mail.html).toContain(`src="${LOGO}"`);
      expect(mail.html).toContain(ACCENT);
      expect(mail.html).toContain("font-family:Georgia");
      for (const part of ["ul. Złota 44", "00-120 Warszawa", "Poland"]) {
        expect(mail.html).toContain(part);
        expect(mail.text).toContain(part);
      }

      // 9. Messages shows it sent, dated in the shop's time zone.
      await page.goto(browser.embeddedUrl("/app/messages"));
      await expect.poll(() => page.getByText(customer.email!, { exact: true }).count(), { timeout: 15_000 }).toBeGreaterThan(0);
      expect(await page.getByText("Sent", { exact: true }).count()).toBeGreaterThan(0);
      await screenshotAtWidths(page, "first-day-messages", async () => {
        await expect.poll(() => page.getByText(customer.email!, { exact: true }).first().isVisible()).toBe(true);
      });
    });
    expect(problems, problems.join("\n")).toEqual([]);
  }, 300_000);
});
