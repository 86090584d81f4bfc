// The Sender page in Chromium: the built app against the SendGrid stand-in, whose validation
// looks records up in a DNS server on loopback. A merchant sees which address mail goes from and
// why, authenticates their domain, copies a record, verifies (failing until the records are
// published, then passing), sees their own address take over, and starts over through App
// Bridge's modal. A failure leaves a screenshot in var/screenshots.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const ctx = await vi.hoisted(async () => (await import("../helpers/env")).appTestEnv({ name: "browser-sender" }));

import type { Page } from "playwright-core";
import prisma from "~/db.server";
import { decodeAuthenticationRecords } from "~/domain/domain-authentication";
import { chromiumFound, screenshotAtWidths, withScreenshot as keepScreenshot, type AdminBrowser } from "./admin-browser";
import { startBrowserShop, type BrowserShop } from "./browser-shop";
import { publishRecords, type DnsZone } from "../../simulator/dns-server";
import type { SendGridStandIn } from "../../simulator/sendgrid";

afterAll(async () => {
  await ctx.cleanup();
});

const SHOP = "sender-browser.myshopify.com";
const KEY = "SG.sender-browser.key";

describe.skipIf(!chromiumFound)("sender page in a browser", () => {
  let running: BrowserShop | undefined;
  let browser: AdminBrowser;
  let sg: SendGridStandIn;
  const zones: Record<string, DnsZone> = { "juniper.example": { "@": { A: ["192.0.2.10"] } } };

  beforeAll(async () => {
    running = await startBrowserShop({
      shop: SHOP,
      databaseUrl: ctx.url,
      profile: { name: "Juniper & Pine", email: "hello@juniper.example" },
      sendgrid: { apiKey: KEY, zones },
    });
    ({ browser } = running);
    sg = running.sendgrid!;
    await prisma.shop.update({ where: { domain: SHOP }, data: { senderEmail: "care@juniper.example", replyTo: "help@juniper.example" } });
    await browser.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: browser.app.url });
  }, 120_000);

  afterAll(async () => {
    await running?.close();
  });

  const withScreenshot = (page: Page, name: string, run: () => Promise<void>) => keepScreenshot(page, browser.app, name, run);
  const toast = (page: Page, text: string) => page.locator(".app-bridge-toast", { hasText: text });
  // How often Home's sender card names the reply-to address.
  const homeRepliesMentions = async (page: Page) =>
    ((await page.locator(".Polaris-ShadowBevel", { has: page.getByTestId("sender-from") }).textContent()) ?? "").split("help@juniper.example").length - 1;

  it("authenticates the domain, copies a record, verifies before and after the records are published, and starts over", async () => {
    const { page, problems } = await browser.open();
    await withScreenshot(page, "sender", async () => {
      // Home's sender card says where replies go once: in the reason, while the app's address sends.
      await page.goto(browser.embeddedUrl("/app"));
      await expect.poll(() => page.getByTestId("sender-from").textContent(), { timeout: 15_000 }).toBe("Juniper & Pine <mail@afterglow.example>");
      expect(await homeRepliesMentions(page)).toBe(1);

      await page.goto(browser.embeddedUrl("/app/sender"));
      const from = page.getByTestId("from-address");
      await expect.poll(() => from.textContent(), { timeout: 15_000 }).toBe("Juniper & Pine <mail@afterglow.example>");
      expect(await page.getByTestId("sender-why").textContent()).toMatch(/juniper\.example isn't verified in SendGrid yet.*replies reach help@juniper\.example/);
      expect(await page.getByLabel("Your domain", { exact: true }).inputValue()).toBe("juniper.example");
      expect(await page.getByText(/Settings → Sender Authentication|replace the X parts/i).count()).toBe(0);
      await screenshotAtWidths(page, "sender-start", async () => {
        await expect.poll(() => from.isVisible()).toBe(true);
      });

      await page.getByRole("button", { name: "Authenticate domain" }).click();
      await expect.poll(() => page.getByText("s1._domainkey.juniper.example", { exact: true }).count(), { timeout: 15_000 }).toBe(1);
      expect(await toast(page, "juniper.example created in SendGrid").count()).toBe(1);
      const row = await prisma.senderDomain.findUniqueOrThrow({ where: { shop: SHOP } });
      const records = decodeAuthenticationRecords(row.records);
      expect(sg.authenticatedDomains.get(row.sendgridDomainId)!.domain).toBe("juniper.example");
      expect(await page.getByText("Not checked", { exact: true }).count()).toBe(3);
      // SendGrid creates no DMARC record: the page gives the exact one.
      expect(await page.getByText("v=DMARC1; p=none; rua=mailto:help@juniper.example;", { exact: true }).count()).toBe(1);

      await page.getByRole("button", { name: "Copy value s1.domainkey." + records[0].value }).click();
      await expect.poll(() => toast(page, "Value copied").count()).toBe(1);
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`s1.domainkey.${records[0].value}`);

      // Nothing published yet: each record says so, and mail still goes from the app's address.
      await page.getByRole("button", { name: "Verify", exact: true }).click();
      await expect.poll(() => page.getByText("Not found yet", { exact: true }).count(), { timeout: 15_000 }).toBe(3);
      expect(await toast(page, "Some records aren't found yet").count()).toBe(1);
      expect(await page.getByText(/SendGrid said: Expected CNAME for "s2\._domainkey\.juniper\.example"/).count()).toBe(1);
      expect(await from.textContent()).toBe("Juniper & Pine <mail@afterglow.example>");

      // The merchant adds the records at their DNS provider.
      publishRecords(zones, "juniper.example", [...records, { type: "TXT", host: "_dmarc.juniper.example", value: "v=DMARC1; p=none; rua=mailto:help@juniper.example;" }]);
      await page.getByRole("button", { name: "Verify", exact: true }).click();
      await expect.poll(() => toast(page, "juniper.example is verified").count(), { timeout: 15_000 }).toBe(1);
      await expect.poll(() => from.textContent()).toBe("Juniper & Pine <care@juniper.example>");
      expect(await page.getByText("Not found yet", { exact: true }).count()).toBe(0);
      expect(await page.getByText(/^Verified [A-Z][a-z]{2} \d+, \d{4}/).count()).toBe(1);
      expect(await page.getByTestId("sender-why").textContent()).toContain("juniper.example is verified in SendGrid");
      expect(await page.getByText("In place", { exact: true }).count()).toBe(1);
      await screenshotAtWidths(page, "sender-verified", async () => {
        await expect.poll(() => from.isVisible()).toBe(true);
      });

      // From the shop's own address, the reason says nothing of replies: the card's own line does.
      await page.goto(browser.embeddedUrl("/app"));
      await expect.poll(() => page.getByTestId("sender-from").textContent(), { timeout: 15_000 }).toBe("Juniper & Pine <care@juniper.example>");
      expect(await homeRepliesMentions(page)).toBe(1);
      expect(await page.getByText("Replies go to help@juniper.example.", { exact: true }).count()).toBe(1);
      await page.goto(browser.embeddedUrl("/app/sender"));
      await expect.poll(() => from.textContent(), { timeout: 15_000 }).toBe("Juniper & Pine <care@juniper.example>");

      // Start over, confirmed in App Bridge's modal.
      await page.getByRole("button", { name: "Start over" }).click();
      const dialog = page.getByRole("dialog", { name: "Start over?" });
      await expect.poll(() => dialog.count()).toBe(1);
      expect(await dialog.textContent()).toContain("This removes juniper.example from SendGrid");
      await dialog.getByRole("button", { name: "Remove domain" }).click();
      await expect.poll(() => toast(page, "Domain removed").count(), { timeout: 15_000 }).toBe(1);
      await expect.poll(() => from.textContent()).toBe("Juniper & Pine <mail@afterglow.example>");
      expect(await dialog.count()).toBe(0);
      expect(sg.authenticatedDomains.size).toBe(0);
      expect(await prisma.senderDomain.count({ where: { shop: SHOP } })).toBe(0);
      expect(problems).toEqual([]);
    });
  }, 120_000);
});
