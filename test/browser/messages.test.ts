// Messages, one message, Suppressions and Data requests in Chromium, as a merchant in Los Angeles
// reads a shop that keeps Warsaw time on a server that runs in UTC: every date in the shop's
// zone, the same in the server's HTML and after React takes over (no hydration error), no table
// wider than the page at 1280 or 375 px. Screenshots are kept in var/screenshots.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const ctx = await vi.hoisted(async () => (await import("../helpers/env")).appTestEnv({ name: "browser-messages" }));

import type { Page } from "playwright-core";
import prisma from "~/db.server";
import path from "node:path";
import { chromiumFound, SCREENSHOTS, screenshotAtWidths, withScreenshot as keepScreenshot, type AdminBrowser } from "./admin-browser";
import { startBrowserShop, type BrowserShop } from "./browser-shop";

afterAll(async () => {
  await ctx.cleanup();
});

const SHOP = "messages-shop.myshopify.com";
const SUBJECT = "follow-up x (messages-shop.myshopify.com)";
// As the dispatcher keeps them (app/adapters/mail/sendgrid.server.ts).
const INVALID_ADDRESS = `SendGrid rejected the email for ${SUBJECT} (HTTP 400): personalizations.0.to.0.email: Does not contain a valid address.. Fix these fields; sending it unchanged will fail again.`;
const UNVERIFIED_SENDER = `SendGrid refused to send ${SUBJECT} from hello@juniper.example (HTTP 403): The from address does not match a verified Sender Identity. Verify this sender (Sender Authentication in SendGrid) or give the API key Mail Send access.`;
const OUTAGE = `Sending failed: SendGrid had a temporary problem (HTTP 503) while sending ${SUBJECT}; it can be retried. Gave up after 8 attempts.`;
const SMTP_BOUNCE = "550 5.1.1 The email account that you tried to reach does not exist.";

describe.skipIf(!chromiumFound)("messages in a browser", () => {
  let running: BrowserShop | undefined;
  let browser: AdminBrowser;
  const ids: Record<string, string> = {};
  let secondFlowId = "";

  beforeAll(async () => {
    running = await startBrowserShop({
      shop: SHOP,
      databaseUrl: ctx.url,
      seedStore: (store) => {
        store.shop.ianaTimezone = "Europe/Warsaw";
      },
      timezoneId: "America/Los_Angeles",
      env: { TZ: "UTC" },
    });
    ({ browser } = running);
    await prisma.shop.update({ where: { domain: SHOP }, data: { ianaTimezone: "Europe/Warsaw", profileFetchedAt: new Date() } });
    await seed();
  }, 120_000);

  afterAll(async () => {
    await running?.close();
  });

  async function seed() {
    const flow = await prisma.flow.findFirstOrThrow({ where: { shop: SHOP, key: "thank-you" }, include: { steps: true } });
    const second = await prisma.flow.create({
      data: {
        shop: SHOP,
        key: "review",
        name: "Review request",
        trigger: "order_fulfilled",
        steps: { create: [{ key: "ask", position: 0, delayAmount: 7, delayUnit: "days", template: "review-request", subject: "How was it?" }] },
      },
      include: { steps: true },
    });
    secondFlowId = second.id;
    let n = 7000;
    // 10 Mar 2026 12:00 UTC: 13:00 in Warsaw, 05:00 in Los Angeles.
    const base = new Date("2026-03-10T12:00:00Z");
    async function followUp(key: string, data: Record<string, unknown>, of: typeof flow | typeof second = flow) {
      n += 1;
      const email = (data.recipient as string | undefined) ?? `${key}@example.com`;
      const order = await prisma.order.create({
        data: { shop: SHOP, orderId: `gid://shopify/Order/${n}`, name: `#${n}`, email, firstName: "Ada", currency: "USD", totalPrice: "20.00", productIds: "[]", orderedAt: base },
      });
      const row = await prisma.followUp.create({
        data: {
          shop: SHOP,
          orderRef: order.id,
          orderId: order.orderId,
          flowId: of.id,
          stepId: of.steps[0].id,
          stepKey: of.steps[0].key,
          template: of.steps[0].template,
          recipient: email,
          dueAt: base,
          nextAttemptAt: base,
          createdAt: new Date(base.getTime() - n * 1000),
          ...data,
        },
      });
      ids[key] = row.id;
      return row;
    }
    await followUp("scheduled", { status: "scheduled", dueAt: new Date("2026-03-12T09:30:00Z") });
    await followUp("sending", { status: "sending" });
    const sent = await followUp("sent", { status: "sent", sentAt: base, messageId: "sg-delivered-1", transport: "sendgrid" });
    await followUp("skipped", { status: "skipped", skipCode: "order_refunded", skipReason: "The order was fully refunded." }, second);
    await followUp("cancelled", { status: "cancelled", skipCode: "order_cancelled", skipReason: "The order was cancelled." });
    const failure = (error: string) => ({ status: "failed", attempts: 1, lastError: error, skipCode: "send_failed", skipReason: `Sending failed after 1 attempt: ${error}` });
    await followUp("invalid", { ...failure(INVALID_ADDRESS), recipient: "ada@@example" });
    await followUp("sender", failure(UNVERIFIED_SENDER));
    await followUp("outage", { ...failure(OUTAGE), attempts: 8 });
    const bounced = await followUp("bounced", { status: "sent", sentAt: base, messageId: "sg-bounced-1", transport: "sendgrid" });
    for (const [key, f] of [
      ["invalid", INVALID_ADDRESS],
      ["sender", UNVERIFIED_SENDER],
      ["outage", OUTAGE],
    ] as const) {
      await prisma.followUpEvent.create({ data: { followUpId: ids[key], type: "failed", detail: f, at: new Date(base.getTime() + 1000) } });
    }
    // SendGrid's events, as the Event Webhook stores them (app/services/events/sendgrid-events.server.ts).
    const event = async (followUpId: string, messageId: string, event: string, seconds: number, reason: string | null, detail: Record<string, unknown>, text: string) => {
      const at = new Date(base.getTime() + seconds * 1000);
      await prisma.messageEvent.create({
        data: { dedupeKey: randomUUID(), shop: SHOP, followUpId, messageId: `${messageId}.filter0001`, event, email: "x@example.com", reason, detail: JSON.stringify(detail), occurredAt: at },
      });
      await prisma.followUpEvent.create({ data: { followUpId, type: event, detail: text, at } });
    };
    await event(sent.id, "sg-delivered-1", "processed", 5, null, {}, "Accepted by SendGrid for delivery.");
    await event(sent.id, "sg-delivered-1", "delivered", 20, null, { response: "250 2.0.0 OK 1741608020 gsmtp" }, "Delivered: 250 2.0.0 OK 1741608020 gsmtp");
    await event(sent.id, "sg-delivered-1", "open", 3600, null, { open_source: "direct" }, "Opened");
    await event(bounced.id, "sg-bounced-1", "processed", 5, null, {}, "Accepted by SendGrid for delivery.");
    await event(bounced.id, "sg-bounced-1", "bounce", 30, SMTP_BOUNCE, { type: "bounce", status: "5.1.1" }, `Bounced: ${SMTP_BOUNCE}`);

    await prisma.suppression.create({ data: { shop: SHOP, email: "bounced@example.com", scope: "all", reason: "hard_bounce", source: "sendgrid:ev1", detail: SMTP_BOUNCE } });
    await prisma.suppression.create({
      data: { shop: SHOP, email: "a-very-long-address-for-a-small-screen@customer-domain.example", scope: "marketing", reason: "unsubscribed", detail: JSON.stringify({ via: "one-click" }) },
    });
    await prisma.complianceRequest.create({
      data: {
        shop: SHOP,
        topic: "customers/data_request",
        webhookId: randomUUID(),
        customerId: "gid://shopify/Customer/9001",
        status: "completed",
        report: JSON.stringify({ summary: { orders: 2, followUps: 3, deliveryEvents: 5 } }),
        completedAt: base,
        receivedAt: base,
      },
    });
    await prisma.complianceRequest.create({
      data: { shop: SHOP, topic: "customers/redact", webhookId: randomUUID(), customerId: "gid://shopify/Customer/9002", status: "completed", report: JSON.stringify({ removed: { orders: 1 } }), receivedAt: base },
    });
  }

  const withScreenshot = (page: Page, name: string, run: () => Promise<void>) => keepScreenshot(page, browser.app, name, run);
  // The order links of the table, as rows (1280 px) or as a condensed list (375 px).
  const orderLinks = async (page: Page) => (await page.locator(".Polaris-IndexTable a[data-primary-link]").allTextContents()).map((t) => t.trim());

  it("lists every follow-up with sentence-case statuses and shop-zone dates, by tab, search and filter, kept in the URL", async () => {
    const { page, problems } = await browser.open();
    await withScreenshot(page, "messages-list", async () => {
      await page.goto(browser.embeddedUrl("/app/messages"));
      await expect.poll(() => orderLinks(page), { timeout: 15_000 }).toHaveLength(9);
      const table = page.locator(".Polaris-IndexTable");
      for (const label of ["Scheduled", "Sending", "Sent", "Skipped", "Cancelled", "Failed"]) {
        expect(await table.locator(".Polaris-Badge").getByText(label, { exact: true }).count(), label).toBeGreaterThan(0);
        expect(await table.getByText(label.toLowerCase(), { exact: true }).count(), label).toBe(0);
      }
      // Warsaw's time, not Los Angeles' (5:00 AM) nor UTC's (12:00 PM).
      expect(await table.textContent()).toContain("Sent Mar 10, 2026, 1:00 PM");
      expect(await table.textContent()).toContain("Due Mar 12, 2026, 10:30 AM");
      expect(await table.textContent()).toContain("Review request");
      expect(await table.textContent()).toContain("Step 1");
      // A failure's reason in the merchant's words, whole in a tooltip.
      expect(await table.textContent()).not.toContain("personalizations");
      const reason = table.getByText("The customer's email address is not valid, so it cannot receive email. Sending again will fail the same way.");
      await reason.hover();
      await expect.poll(() => page.getByRole("tooltip").textContent(), { timeout: 5_000 }).toContain("Sending again will fail the same way.");

      // Loaded at each width, as a phone would (the tabs measure what fits when they mount).
      await screenshotAtWidths(page, "messages", async () => {
        await page.reload();
        await expect.poll(() => orderLinks(page), { timeout: 15_000 }).toHaveLength(9);
      });

      // Tabs: Failed, then back to All with the browser's back button.
      await page.getByRole("tab", { name: "Failed" }).click();
      await page.waitForURL(/status=failed/);
      await expect.poll(() => orderLinks(page), { timeout: 10_000 }).toHaveLength(3);
      await page.getByRole("tab", { name: "Skipped" }).click();
      await page.waitForURL(/status=skipped/);
      await expect.poll(() => orderLinks(page), { timeout: 10_000 }).toHaveLength(1);
      await page.goBack();
      await page.waitForURL(/status=failed/);
      await expect.poll(() => orderLinks(page), { timeout: 10_000 }).toHaveLength(3);
      expect(await page.getByRole("tab", { name: "Failed" }).getAttribute("aria-selected")).toBe("true");

      // Search by order name, then by email; a reload keeps it.
      await page.getByRole("tab", { name: "All" }).click();
      await page.waitForURL((url) => !url.searchParams.has("status"));
      await page.getByRole("button", { name: "Search and filter results" }).click();
      await page.getByPlaceholder("Search by order or email").fill("#7007");
      await page.waitForURL(/q=%237007/);
      await expect.poll(() => orderLinks(page), { timeout: 10_000 }).toEqual(["#7007"]);
      await page.reload();
      await expect.poll(() => orderLinks(page), { timeout: 15_000 }).toEqual(["#7007"]);
      expect(await page.getByPlaceholder("Search by order or email").inputValue()).toBe("#7007");
      await page.getByPlaceholder("Search by order or email").fill("outage@");
      await page.waitForURL(/q=outage%40/);
      await expect.poll(() => orderLinks(page), { timeout: 10_000 }).toEqual(["#7008"]);
      await page.getByPlaceholder("Search by order or email").fill("nobody-like-this");
      await expect.poll(() => page.getByText("No follow-ups match").count(), { timeout: 10_000 }).toBe(1);
      await page.getByPlaceholder("Search by order or email").fill("");
      await expect.poll(() => orderLinks(page), { timeout: 10_000 }).toHaveLength(9);

      // The flow filter, then a date range in the shop's days.
      await page.getByRole("button", { name: "Flow" }).first().click();
      // The radio's styled box sits over the input, as for a person: click its label.
      await page.locator("label", { hasText: "Review request" }).click();
      await page.waitForURL(new RegExp(`flow=${secondFlowId}`));
      await expect.poll(() => orderLinks(page), { timeout: 10_000 }).toEqual(["#7004"]);
      await page.keyboard.press("Escape");
      await page.goto(browser.embeddedUrl("/app/messages?from=2026-03-12&to=2026-03-12"));
      await expect.poll(() => orderLinks(page), { timeout: 15_000 }).toEqual(["#7001"]);
      expect(await page.getByText("Date from Mar 12, 2026 until Mar 12, 2026").count()).toBe(1);
      expect(problems).toEqual([]);
    });
  }, 180_000);

  it("shows a failure as one banner with one cause and one action, technical details behind a disclosure", async () => {
    const { page, problems } = await browser.open();
    await withScreenshot(page, "message-failed", async () => {
      // A bad address: no retry, the order to fix instead.
      await page.goto(browser.embeddedUrl(`/app/messages/${ids.invalid}`));
      const banner = page.locator(".Polaris-Banner");
      await expect.poll(() => banner.count(), { timeout: 15_000 }).toBe(1);
      expect(await banner.textContent()).toContain("The customer's email address is not valid");
      expect(await banner.getByRole("button").count()).toBe(0);
      expect(await banner.getByRole("link").allTextContents()).toEqual(["Open the order in Shopify"]);
      expect(await page.getByRole("button", { name: "Retry now" }).count()).toBe(0);
      // The developer's string once, and only in the details.
      const technical = page.locator("#technical-details");
      expect(await technical.isVisible()).toBe(false);
      expect(await page.getByText("personalizations.0.to.0.email", { exact: false }).first().isVisible()).toBe(false);
      await page.getByRole("button", { name: "Technical details" }).click();
      await expect.poll(() => page.getByText(INVALID_ADDRESS, { exact: false }).first().isVisible(), { timeout: 5_000 }).toBe(true);
      await screenshotAtWidths(page, "message-failed", async () => {
        await expect.poll(() => banner.count()).toBe(1);
      });

      // An unverified sender: the sender page is the one action.
      await page.goto(browser.embeddedUrl(`/app/messages/${ids.sender}`));
      await expect.poll(() => banner.count(), { timeout: 15_000 }).toBe(1);
      expect(await banner.getByRole("link").allTextContents()).toEqual(["Set up your sender"]);
      expect(await page.getByRole("button", { name: "Retry now" }).count()).toBe(0);

      // Recorded with its code (as the dispatcher does); once the sender's domain is verified
      // after the failure, the same email can go: "Retry now" is the one action.
      const failedAt = new Date("2026-03-10T12:00:00Z");
      await prisma.followUpFailure.create({ data: { followUpId: ids.sender, code: "sender_not_verified", at: failedAt } });
      await prisma.senderDomain.create({ data: { shop: SHOP, domain: "juniper.example", sendgridDomainId: 1, records: "[]", verifiedAt: new Date(failedAt.getTime() - 60_000) } });
      await page.reload();
      await expect.poll(() => banner.count(), { timeout: 15_000 }).toBe(1);
      expect(await banner.getByRole("link").allTextContents()).toEqual(["Set up your sender"]);
      await prisma.senderDomain.update({ where: { shop: SHOP }, data: { verifiedAt: new Date(failedAt.getTime() + 60_000) } });
      try {
        await page.reload();
        await expect.poll(() => banner.getByRole("button").allTextContents(), { timeout: 15_000 }).toEqual(["Retry now"]);
        expect(await banner.textContent()).toContain("it has been verified since");
        expect(await banner.getByRole("link").count()).toBe(0);
      } finally {
        await prisma.senderDomain.delete({ where: { shop: SHOP } });
      }

      // A SendGrid outage: a retry can help, and it is the one action.
      await page.goto(browser.embeddedUrl(`/app/messages/${ids.outage}`));
      await expect.poll(() => banner.count(), { timeout: 15_000 }).toBe(1);
      expect(await banner.getByRole("button").allTextContents()).toEqual(["Retry now"]);
      expect(await banner.getByRole("link").count()).toBe(0);
      await banner.getByRole("button", { name: "Retry now" }).click();
      await expect.poll(() => page.locator(".app-bridge-toast", { hasText: "Follow-up scheduled to go out now." }).count(), { timeout: 10_000 }).toBe(1);
      expect((await prisma.followUp.findUniqueOrThrow({ where: { id: ids.outage } })).status).toBe("scheduled");
      expect(problems).toEqual([]);
    });
  }, 120_000);

  it("cancels a scheduled follow-up only once confirmed in App Bridge's modal, and says so", async () => {
    const { page, problems } = await browser.open();
    await withScreenshot(page, "message-cancel", async () => {
      await page.goto(browser.embeddedUrl(`/app/messages/${ids.scheduled}`));
      const cancel = page.getByRole("button", { name: "Cancel follow-up" });
      await expect.poll(() => cancel.count(), { timeout: 15_000 }).toBe(1);
      const modal = page.getByRole("dialog", { name: "Cancel this follow-up?" });

      // Dismissed, by its button or by Escape: nothing is cancelled.
      await cancel.click();
      await expect.poll(() => modal.isVisible(), { timeout: 5_000 }).toBe(true);
      expect(await modal.textContent()).toContain("The follow-up to scheduled@example.com for order #7001 will not be sent.");
      await screenshotAtWidths(page, "message-cancel-modal", async () => {
        await expect.poll(() => modal.isVisible()).toBe(true);
      });
      await modal.getByRole("button", { name: "Keep follow-up" }).click();
      await expect.poll(() => modal.count()).toBe(0);
      await cancel.click();
      await expect.poll(() => modal.isVisible(), { timeout: 5_000 }).toBe(true);
      await page.keyboard.press("Escape");
      await expect.poll(() => modal.count()).toBe(0);
      // Give a wrongly sent request the time to arrive before looking.
      await page.waitForLoadState("networkidle");
      expect((await prisma.followUp.findUniqueOrThrow({ where: { id: ids.scheduled } })).status).toBe("scheduled");
      expect(await prisma.auditLog.count({ where: { shop: SHOP, action: "follow_up.cancelled" } })).toBe(0);
      expect(await page.locator(".app-bridge-toast").count()).toBe(0);

      // Confirmed: cancelled once, a toast says so, and the button is gone.
      await cancel.click();
      await modal.getByRole("button", { name: "Cancel follow-up" }).click();
      await expect.poll(() => page.locator(".app-bridge-toast", { hasText: "Follow-up cancelled." }).count(), { timeout: 10_000 }).toBe(1);
      await expect.poll(() => cancel.count()).toBe(0);
      expect(await modal.count()).toBe(0);
      const row = await prisma.followUp.findUniqueOrThrow({ where: { id: ids.scheduled } });
      expect(row.status).toBe("cancelled");
      expect(await prisma.auditLog.count({ where: { shop: SHOP, action: "follow_up.cancelled" } })).toBe(1);
      expect(problems).toEqual([]);
    });
  }, 90_000);

  it("tells SendGrid's events in the merchant's words, in the shop's time zone", async () => {
    const { page, problems } = await browser.open();
    await withScreenshot(page, "message-timeline", async () => {
      await page.goto(browser.embeddedUrl(`/app/messages/${ids.sent}`));
      await expect.poll(() => page.getByText("Delivered to the inbox").count(), { timeout: 15_000 }).toBe(1);
      expect(await page.getByText("Opened", { exact: true }).count()).toBe(1);
      // Delivered 20 s after 13:00 in Warsaw; opened an hour later.
      expect(await page.getByText("Mar 10, 2026, 2:00 PM").count()).toBeGreaterThan(0);
      expect(await page.locator(".Polaris-Layout__Section").last().textContent()).not.toMatch(/250 2\.0\.0|sg-delivered|T12:00/);
      await screenshotAtWidths(page, "message-sent", async () => {
        await expect.poll(() => page.getByText("Delivered to the inbox").count()).toBe(1);
      });

      await page.goto(browser.embeddedUrl(`/app/messages/${ids.bounced}`));
      await expect.poll(() => page.getByText("Bounced: the address does not exist").count(), { timeout: 15_000 }).toBe(2);
      expect(await page.locator(".Polaris-Banner").count()).toBe(1);
      expect(await page.getByText(SMTP_BOUNCE).first().isVisible()).toBe(false);
      expect(problems).toEqual([]);
    });
  }, 90_000);

  it("opens every page in a browser zone other than the shop's and the server's without a hydration error", async () => {
    const { page, problems } = await browser.open();
    const consoleLines: string[] = [];
    page.on("console", (m) => consoleLines.push(m.text()));
    await withScreenshot(page, "hydration", async () => {
      expect(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe("America/Los_Angeles");
      for (const path of ["/app/messages", `/app/messages/${ids.sent}`, `/app/messages/${ids.invalid}`, "/app/data-requests", "/app/suppressions", "/app/outbox"]) {
        await page.goto(browser.embeddedUrl(path));
        await page.waitForLoadState("networkidle");
        await expect.poll(() => page.locator("#app-bridge-toasts, .Polaris-Page").count(), { timeout: 15_000 }).toBeGreaterThan(0);
      }
      expect(consoleLines.filter((l) => /hydrat|#418|#423|#425|did not match/i.test(l))).toEqual([]);
      // Remix asks for the navigation's routes in the background; going to the next page cancels that.
      expect(problems.filter((p) => !/__manifest\?.*ERR_ABORTED/.test(p))).toEqual([]);
      // The developer's outbox is in the navigation: this app keeps its mail in the outbox.
      expect(await page.locator('ui-nav-menu a[href="/app/outbox"]').count()).toBe(1);
    });
  }, 120_000);

  it("fits Suppressions at 375 px and removes an address after App Bridge's confirmation", async () => {
    const { page, problems } = await browser.open();
    await withScreenshot(page, "suppressions", async () => {
      await page.goto(browser.embeddedUrl("/app/suppressions"));
      await expect.poll(() => page.getByText("bounced@example.com").count(), { timeout: 15_000 }).toBe(1);
      await screenshotAtWidths(page, "suppressions", async () => {
        await expect.poll(() => page.getByText("bounced@example.com").count()).toBe(1);
      });
      await page.getByRole("button", { name: "Remove bounced@example.com" }).click();
      const modal = page.getByRole("dialog", { name: "Remove this address from the list?" });
      await expect.poll(() => modal.count(), { timeout: 5_000 }).toBe(1);
      expect(await modal.textContent()).toContain("bounced@example.com (hard bounce) can be emailed again");
      await page.screenshot({ path: path.join(SCREENSHOTS, "suppressions-remove-modal-1280.png") });
      await modal.getByRole("button", { name: "Remove" }).click();
      await expect.poll(() => page.locator(".app-bridge-toast", { hasText: "Address removed." }).count(), { timeout: 10_000 }).toBe(1);
      await expect.poll(() => modal.count()).toBe(0);
      await expect.poll(() => page.getByText("bounced@example.com").count()).toBe(0);
      expect(await prisma.suppression.count({ where: { shop: SHOP, email: "bounced@example.com" } })).toBe(0);
      expect(problems).toEqual([]);
    });
  }, 90_000);

  it("fits Data requests at 375 px with dates in the shop's time zone", async () => {
    const { page, problems } = await browser.open();
    await withScreenshot(page, "data-requests", async () => {
      await page.goto(browser.embeddedUrl("/app/data-requests"));
      await expect.poll(() => page.getByText("Found: 2 orders, 3 follow-ups, 5 delivery events", { exact: false }).count(), { timeout: 15_000 }).toBe(1);
      expect(await page.locator(".Polaris-IndexTable").textContent()).toContain("Mar 10, 2026, 1:00 PM");
      await screenshotAtWidths(page, "data-requests", async () => {
        await expect.poll(() => page.getByText("Found: 2 orders", { exact: false }).count()).toBe(1);
      });
      expect(problems).toEqual([]);
    });
  }, 90_000);

  it("says a customer's-time follow-up is due at 10:00 in the customer's zone, the date still in the shop's", async () => {
    // Seeded here, last, so the list's counts above stay as they are.
    const flow = await prisma.flow.create({
      data: {
        shop: SHOP,
        key: "next-morning",
        name: "Next morning, their time",
        trigger: "order_created",
        sendTimeZone: "customer",
        steps: { create: [{ key: "hello", position: 0, delayAmount: 1, delayUnit: "days_at", delayAt: "10:00", template: "thank-you", subject: "Good morning" }] },
      },
      include: { steps: true },
    });
    const order = await prisma.order.create({
      data: { shop: SHOP, orderId: "gid://shopify/Order/7999", name: "#7999", email: "la@example.com", currency: "USD", totalPrice: "20.00", productIds: "[]", orderedAt: new Date("2026-03-11T17:00:00Z") },
    });
    await prisma.customerTimeZone.create({ data: { orderRef: order.id, shop: SHOP, timeZone: "America/Los_Angeles", source: "shipping_address" } });
    // 12 March 2026, 10:00 PDT: 18:00 in Warsaw.
    const due = new Date("2026-03-12T17:00:00Z");
    const row = await prisma.followUp.create({
      data: { shop: SHOP, orderRef: order.id, orderId: order.orderId, flowId: flow.id, stepId: flow.steps[0].id, stepKey: "hello", template: "thank-you", recipient: "la@example.com", dueAt: due, nextAttemptAt: due },
    });
    const { page, problems } = await browser.open();
    await withScreenshot(page, "message-customer-time", async () => {
      await page.goto(browser.embeddedUrl(`/app/messages/${row.id}`));
      const line = "10:00 AM in the customer's time (America/Los_Angeles, from the shipping address)";
      await expect.poll(() => page.getByText(line).count(), { timeout: 15_000 }).toBe(1);
      expect(await page.getByText("Mar 12, 2026, 6:00 PM").count()).toBeGreaterThan(0);
      await screenshotAtWidths(page, "message-customer-time", async () => {
        await expect.poll(() => page.getByText(line).isVisible()).toBe(true);
      });
      expect(problems).toEqual([]);
    });
  }, 90_000);
});
