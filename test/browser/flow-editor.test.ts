// The flow editor in Chromium: the built app serves the real embedded pages; only App Bridge's
// script (a Shopify CDN file) is a local stand-in. A merchant opens Flows, creates a flow, adds
// a step and an entry condition, edits the subject, preview text and an A/B variant's content,
// watches the preview change (the variant's too), saves with the save bar, and finds everything
// after a reload. A failure leaves a screenshot in var/screenshots.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// The app and this test share one fresh database; set before any module opens one.
// SQLite, or PostgreSQL when TEST_DATABASE=postgresql.
const ctx = await vi.hoisted(async () => (await import("../helpers/env")).appTestEnv({ name: "browser" }));

import type { Page } from "playwright-core";
import prisma from "~/db.server";
import { connectShop, storeOfflineToken } from "~/services/shop/shops.server";
import { chromiumFound, screenshotAtWidths, startAdminBrowser, withScreenshot as keepScreenshot, type AdminBrowser } from "./admin-browser";
import { startAdminSimulator, type AdminSimulator } from "../../simulator/admin-api";
import { createSeedStore } from "../../simulator/store";

afterAll(async () => {
  await ctx.cleanup();
});

const SHOP = "browser-shop.myshopify.com";
const SCOPES = "read_orders,read_products,read_customers,write_customers";

describe.skipIf(!chromiumFound)("flow editor in a browser", () => {
  let browser: AdminBrowser;
  // The shop's Admin API: the editor offers the addresses it reports as test recipients.
  let admin: AdminSimulator;

  beforeAll(async () => {
    const accessToken = `shpat_${randomUUID().replace(/-/g, "")}`;
    const store = createSeedStore({ shop: SHOP, accessToken });
    store.shop.email = "owner@juniper.example";
    store.shop.contactEmail = "hello@juniper.example";
    admin = await startAdminSimulator({ stores: [store] });
    await storeOfflineToken({ prisma: prisma, shop: SHOP, accessToken, scope: SCOPES });
    await connectShop({ prisma: prisma, shop: SHOP, profile: { name: "Juniper & Pine", email: "owner@juniper.example" } });
    browser = await startAdminBrowser({ shop: SHOP, env: { DATABASE_URL: ctx.url, MAIL_TRANSPORT: "outbox", SCOPES, SHOPIFY_ADMIN_API_URL: admin.url } });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await admin?.close();
  });

  const embeddedUrl = (pathname: string) => browser.embeddedUrl(pathname);
  const withScreenshot = (page: Page, name: string, run: () => Promise<void>) => keepScreenshot(page, browser.app, name, run);
  const newPage = () => browser.context.newPage();

  it("creates a flow with an entry condition and an A/B variant, previews the variant, saves with the save bar, and finds it after a reload", async () => {
    const page = await newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await withScreenshot(page, "flow-editor", async () => {
      await page.goto(embeddedUrl("/app/flows"));
      await expect.poll(() => page.getByText("Thank you + recommendations").count(), { timeout: 15_000 }).toBeGreaterThan(0);

      // The title bar's primary action: the admin draws it and clicks the app's button.
      await page.locator("ui-title-bar > button", { hasText: "Create flow" }).evaluate((b: HTMLButtonElement) => b.click());
      await page.waitForURL(/\/app\/flows\/new/);
      const saveBar = page.locator("ui-save-bar");
      await page.getByRole("button", { name: "Add step" }).click();
      await expect.poll(() => saveBar.getAttribute("data-shown")).toBe("");

      // An entry condition from the builder, not filled in yet.
      await page.getByRole("button", { name: "Add condition" }).click();
      await page.getByLabel("Condition 1 field", { exact: true }).selectOption("order_total");
      await page.getByLabel("Condition 1 operator", { exact: true }).selectOption("gte");

      // Saving without a name or an amount: the server's problems show under their fields.
      await saveBar.getByRole("button", { name: "Save" }).click();
      await expect.poll(() => page.getByText("Give the flow a name.").count(), { timeout: 10_000 }).toBe(1);
      await expect.poll(() => page.getByText("Enter an amount like 50 or 49.90.").count()).toBe(1);
      expect(await prisma.flow.count({ where: { shop: SHOP, name: "Review request" } })).toBe(0);

      await page.getByLabel("Flow name", { exact: true }).fill("Review request");
      await page.getByLabel("Trigger", { exact: true }).selectOption("order_delivered");
      // Carriers that never report delivery: the flow starts 10 days after fulfillment instead.
      await page.getByLabel("Start anyway if no delivery is reported", { exact: true }).check();
      await page.getByLabel("Days after fulfillment", { exact: true }).fill("10");
      await page.getByLabel("Condition 1 amount", { exact: true }).fill("50");
      await page.getByRole("button", { name: "Add condition" }).click();
      await page.getByLabel("Condition 2 field", { exact: true }).selectOption("shipping_country");
      await page.getByLabel("Condition 2 values", { exact: true }).fill("DE, PL");
      await page.getByLabel("Orders enter when they match", { exact: true }).selectOption("any");

      const preview = page.locator('iframe[title="Email preview"]');
      await expect.poll(() => preview.getAttribute("srcdoc"), { timeout: 10_000 }).toContain("Order #1042");
      expect(await preview.getAttribute("srcdoc")).not.toContain("Tell us how it went");
      // The sample order has no products of the shop: the toolbar says the products are samples.
      expect(await page.getByTestId("preview-recommendations").textContent()).toMatch(/^Sample products/);
      await page.getByLabel("Subject", { exact: true }).fill("How is {{ order.name }} treating you?");
      await page.getByLabel("Preview text", { exact: true }).fill("Tell us how it went, {{ customer.first_name }}");
      await page.getByRole("button", { name: "Add block", exact: true }).click();
      await page.getByRole("menuitem", { name: /^Text/ }).click();
      await page.getByLabel("Block 1 text", { exact: true }).fill("A minute of your time helps other customers.");
      // Rendered by the server with the sample order's first name filled in.
      await expect.poll(() => preview.getAttribute("srcdoc"), { timeout: 10_000 }).toContain("Tell us how it went, Maya");
      await expect.poll(() => page.frameLocator('iframe[title="Email preview"]').locator("body").textContent()).toContain("Thank you, Maya");

      // An A/B variant with its own heading, message and subject; the preview switches to it.
      await page.getByLabel("A/B test this step", { exact: true }).check();
      await page.getByLabel("Variant b subject", { exact: true }).fill("Your review, {{ customer.first_name }}?");
      await page.getByLabel("Variant b heading", { exact: true }).fill("Two minutes, one review");
      await page.getByLabel("Variant b message", { exact: true }).fill("Your words help the next customer choose.");
      await page.getByLabel("Variant", { exact: true }).selectOption("b");
      await expect.poll(() => preview.getAttribute("srcdoc"), { timeout: 10_000 }).toContain("Two minutes, one review");
      expect(await preview.getAttribute("srcdoc")).toContain("Your words help the next customer choose.");
      await expect.poll(() => page.getByTestId("preview-subject").textContent()).toBe("Subject: Your review, Maya?");
      await page.getByLabel("Variant", { exact: true }).selectOption("");
      await expect.poll(() => page.getByTestId("preview-subject").textContent(), { timeout: 10_000 }).toBe("Subject: How is #1042 treating you?");
      expect(await preview.getAttribute("srcdoc")).not.toContain("Two minutes, one review");

      await saveBar.getByRole("button", { name: "Save" }).click();
      await page.waitForURL(/\/app\/flows\/(?!new)[a-z0-9]+/, { timeout: 15_000 });
      await expect.poll(() => page.locator(".app-bridge-toast", { hasText: "Flow saved" }).count()).toBeGreaterThan(0);
      await expect.poll(() => saveBar.getAttribute("data-shown")).toBeNull();

      const id = new URL(page.url()).pathname.split("/").pop()!;
      await page.goto(embeddedUrl(`/app/flows/${id}`));
      await expect.poll(() => page.getByLabel("Flow name", { exact: true }).inputValue(), { timeout: 15_000 }).toBe("Review request");
      expect(await page.getByLabel("Subject", { exact: true }).inputValue()).toBe("How is {{ order.name }} treating you?");
      expect(await page.getByLabel("Preview text", { exact: true }).inputValue()).toBe("Tell us how it went, {{ customer.first_name }}");
      expect(await page.getByLabel("Block 1 text", { exact: true }).inputValue()).toBe("A minute of your time helps other customers.");
      expect(await page.getByLabel("Trigger", { exact: true }).inputValue()).toBe("order_delivered");
      expect(await page.getByLabel("Start anyway if no delivery is reported", { exact: true }).isChecked()).toBe(true);
      expect(await page.getByLabel("Days after fulfillment", { exact: true }).inputValue()).toBe("10");
      await screenshotAtWidths(page, "flow-editor-delivery-fallback", async () => {
        await expect.poll(() => page.getByLabel("Days after fulfillment", { exact: true }).isVisible(), { timeout: 10_000 }).toBe(true);
      });
      expect(await page.getByLabel("Orders enter when they match", { exact: true }).inputValue()).toBe("any");
      expect(await page.getByLabel("Condition 1 amount", { exact: true }).inputValue()).toBe("50");
      expect(await page.getByLabel("Condition 2 field", { exact: true }).inputValue()).toBe("shipping_country");
      expect(await page.getByLabel("Condition 2 values", { exact: true }).inputValue()).toBe("DE, PL");
      expect(await page.getByLabel("Variant b heading", { exact: true }).inputValue()).toBe("Two minutes, one review");
      expect(await page.getByLabel("Variant b message", { exact: true }).inputValue()).toBe("Your words help the next customer choose.");
      // Opened again, nothing is unsaved.
      expect(await saveBar.getAttribute("data-shown")).toBeNull();

      const stored = await prisma.flow.findUniqueOrThrow({ where: { id }, include: { steps: true } });
      expect(stored).toMatchObject({ shop: SHOP, name: "Review request", trigger: "order_delivered", active: false, deliveryFallbackDays: 10 });
      expect(JSON.parse(stored.conditions!)).toEqual({
        any: [
          { field: "order_total", op: "gte", amount: "50" },
          { field: "shipping_country", op: "in", values: ["DE", "PL"] },
        ],
      });
      expect(stored.steps.map((s) => s.subject)).toEqual(["How is {{ order.name }} treating you?"]);
      expect(JSON.parse(stored.steps[0].variants!).variants).toEqual([
        { key: "a", weight: 50 },
        {
          key: "b",
          weight: 50,
          subject: "Your review, {{ customer.first_name }}?",
          content: { heading: "Two minutes, one review", blocks: [{ type: "text", text: "Your words help the next customer choose." }] },
        },
      ]);
      expect(errors).toEqual([]);
    });
  }, 90_000);

  it("sets a step's own conditions: the previous step not opened, and a customer segment chosen from the shop's", async () => {
    const page = await newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await withScreenshot(page, "flow-editor-step-conditions", async () => {
      await page.goto(embeddedUrl("/app/flows/new"));
      await page.getByLabel("Flow name", { exact: true }).waitFor({ timeout: 15_000 });
      await page.getByLabel("Flow name", { exact: true }).fill("Nudge the quiet ones");
      await page.getByRole("button", { name: "Add step" }).click();
      await page.getByRole("button", { name: "Add step" }).click();

      // Step 2 goes only to customers who did not open step 1 and are in the shop's "VIP customers".
      await page.getByRole("button", { name: "Add a condition to step 2" }).click();
      await page.getByLabel("Step 2 condition 1 operator", { exact: true }).selectOption("not_opened_or_clicked");
      await page.getByRole("button", { name: "Add a condition to step 2" }).click();
      await page.getByLabel("Step 2 condition 2 field", { exact: true }).selectOption("customer_segment");
      const segment = page.getByLabel("Step 2 condition 2 segment", { exact: true });
      expect(await segment.locator("option").allTextContents()).toEqual(["Choose a segment", "VIP customers", "Repeat customers", "Big spenders"]);
      await segment.selectOption({ label: "VIP customers" });
      // The first step has no previous step: the server says so under it.
      await page.getByRole("button", { name: "Add a condition to step 1" }).click();
      const saveBar = page.locator("ui-save-bar");
      await saveBar.getByRole("button", { name: "Save" }).click();
      await expect.poll(() => page.getByText(/the first step has no previous step/i).count(), { timeout: 10_000 }).toBe(1);
      await page.getByRole("button", { name: "Remove step 1 condition 1" }).click();

      await saveBar.getByRole("button", { name: "Save" }).click();
      await page.waitForURL(/\/app\/flows\/(?!new)[a-z0-9]+/, { timeout: 15_000 });
      const id = new URL(page.url()).pathname.split("/").pop()!;
      await page.goto(embeddedUrl(`/app/flows/${id}`));
      await expect.poll(() => page.getByLabel("Step 2 condition 2 segment", { exact: true }).isVisible(), { timeout: 15_000 }).toBe(true);
      await screenshotAtWidths(page, "flow-editor-step-conditions", async () => {
        await expect.poll(() => page.getByLabel("Step 2 condition 1 operator", { exact: true }).inputValue()).toBe("not_opened_or_clicked");
      });
      const steps = await prisma.flowStep.findMany({ where: { flowId: id }, orderBy: { position: "asc" } });
      expect(steps.map((s) => (s.conditions ? JSON.parse(s.conditions) : null))).toEqual([
        null,
        {
          all: [
            { field: "previous_step", op: "not_opened_or_clicked" },
            { field: "customer_segment", op: "in", values: [expect.stringMatching(/^gid:\/\/shopify\/Segment\/\d+$/)] },
          ],
        },
      ]);
      expect(errors).toEqual([]);
    });
  }, 90_000);

  it("sends a flow in each customer's time zone: chosen, saved with the save bar, and shown again after a reload", async () => {
    const page = await newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => (m.type() === "error" ? errors.push(m.text()) : undefined));
    page.on("requestfailed", (r) => errors.push(`${r.url()}: ${r.failure()?.errorText}`));
    await withScreenshot(page, "flow-editor-send-time", async () => {
      await page.goto(embeddedUrl("/app/flows/new"));
      await page.getByLabel("Flow name", { exact: true }).waitFor({ timeout: 15_000 });
      await page.getByLabel("Flow name", { exact: true }).fill("Next morning, their time");
      await page.getByRole("button", { name: "Add step" }).click();
      // A new flow keeps the shop's clock until the merchant says otherwise.
      expect(await page.getByLabel("The shop's time zone", { exact: true }).isChecked()).toBe(true);
      // Polaris draws the radio over its input: the merchant clicks the label.
      await page.getByText("Each customer's time zone (from the shipping address)", { exact: true }).click();
      await expect.poll(() => page.getByLabel("Each customer's time zone (from the shipping address)", { exact: true }).isChecked()).toBe(true);
      const saveBar = page.locator("ui-save-bar");
      await saveBar.getByRole("button", { name: "Save" }).click();
      await page.waitForURL(/\/app\/flows\/(?!new)[a-z0-9]+/, { timeout: 15_000 });
      const id = new URL(page.url()).pathname.split("/").pop()!;
      expect((await prisma.flow.findUniqueOrThrow({ where: { id } })).sendTimeZone).toBe("customer");

      await page.goto(embeddedUrl(`/app/flows/${id}`));
      const customer = page.getByLabel("Each customer's time zone (from the shipping address)", { exact: true });
      await expect.poll(() => customer.isChecked(), { timeout: 15_000 }).toBe(true);
      expect(await saveBar.getAttribute("data-shown")).toBeNull();
      await screenshotAtWidths(page, "flow-editor-send-time", async () => {
        await expect.poll(() => customer.isVisible(), { timeout: 10_000 }).toBe(true);
      });

      // Back to the shop's clock: the save bar appears, and the flow is stored so.
      await page.getByText("The shop's time zone", { exact: true }).click();
      await expect.poll(() => saveBar.getAttribute("data-shown")).toBe("");
      await saveBar.getByRole("button", { name: "Save" }).click();
      await expect.poll(async () => (await prisma.flow.findUniqueOrThrow({ where: { id } })).sendTimeZone, { timeout: 15_000 }).toBe("shop");
      expect(errors).toEqual([]);
    });
  }, 90_000);

  it("sends a test only to an address of the store, chosen from a list, and shows why one was refused", async () => {
    const page = await newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const flow = await prisma.flow.findFirstOrThrow({ where: { shop: SHOP, key: "thank-you" } });
    await withScreenshot(page, "test-send", async () => {
      await page.goto(embeddedUrl(`/app/flows/${flow.id}`));
      const sendTo = page.getByLabel("Send to", { exact: true });
      await expect.poll(() => sendTo.inputValue(), { timeout: 15_000 }).toBe("owner@juniper.example");
      expect(await sendTo.locator("option").allTextContents()).toEqual(["owner@juniper.example", "hello@juniper.example"]);
      await sendTo.selectOption("hello@juniper.example");
      await page.getByRole("button", { name: "Send test email" }).click();
      await expect.poll(() => page.locator(".app-bridge-toast", { hasText: "Test sent to hello@juniper.example." }).count(), { timeout: 15_000 }).toBe(1);
      expect((await prisma.outboxMessage.findFirstOrThrow({ where: { shop: SHOP } })).toAddress).toContain("hello@juniper.example");

      // Suppressed meanwhile: the reason shows under the field and nothing more is sent.
      await prisma.suppression.create({ data: { shop: SHOP, email: "hello@juniper.example", scope: "all", reason: "spam_report" } });
      await page.getByRole("button", { name: "Send test email" }).click();
      await expect.poll(() => page.locator(".app-bridge-toast.error", { hasText: "Test not sent" }).count(), { timeout: 15_000 }).toBe(1);
      expect(await page.getByText(/hello@juniper\.example is on your suppression list/).count()).toBe(1);
      expect(await prisma.outboxMessage.count({ where: { shop: SHOP } })).toBe(1);
      expect(errors).toEqual([]);
    });
  }, 90_000);

  it("shows home, messages with a follow-up's detail, and settings, and saves settings", async () => {
    const page = await newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const flow = await prisma.flow.findFirstOrThrow({ where: { shop: SHOP, key: "thank-you" }, include: { steps: true } });
    const order = await prisma.order.create({
      data: { shop: SHOP, orderId: "gid://shopify/Order/5150", name: "#5150", email: "ada@example.com", firstName: "Ada", currency: "USD", totalPrice: "20.00", productIds: "[]", orderedAt: new Date() },
    });
    const followUp = await prisma.followUp.create({
      data: { shop: SHOP, orderRef: order.id, orderId: order.orderId, flowId: flow.id, stepId: flow.steps[0].id, stepKey: flow.steps[0].key, template: "thank-you", recipient: "ada@example.com", dueAt: new Date(Date.now() + 3600_000), nextAttemptAt: new Date(Date.now() + 3600_000) },
    });
    await withScreenshot(page, "admin-pages", async () => {
      await page.goto(embeddedUrl("/app"));
      await expect.poll(() => page.getByText("Setup guide").count(), { timeout: 15_000 }).toBe(1);
      expect(await page.getByRole("link", { name: "1 waiting to go out" }).count()).toBe(1);

      await page.goto(embeddedUrl("/app/messages"));
      await page.getByRole("link", { name: "#5150" }).click();
      await page.waitForURL(new RegExp(`/app/messages/${followUp.id}`));
      await expect.poll(() => page.frameLocator('iframe[title="Email"]').locator("body").textContent(), { timeout: 15_000 }).toContain("Thank you, Ada");
      await page.getByRole("button", { name: "Cancel follow-up" }).click();
      // Confirmed in App Bridge's modal.
      await page.getByRole("dialog", { name: "Cancel this follow-up?" }).getByRole("button", { name: "Cancel follow-up" }).click();
      await expect.poll(() => page.getByText("Follow-up cancelled.").count(), { timeout: 10_000 }).toBe(1);
      expect((await prisma.followUp.findUniqueOrThrow({ where: { id: followUp.id } })).status).toBe("cancelled");

      await page.goto(embeddedUrl("/app/settings"));
      await page.getByLabel("From address", { exact: true }).waitFor();
      // No Postmark configured here: no provider to choose.
      expect(await page.getByLabel("Send follow-ups through", { exact: true }).count()).toBe(0);
      await page.getByLabel("From address", { exact: true }).fill("not an address");
      await page.getByRole("button", { name: "Save" }).click();
      await expect.poll(() => page.getByText("Enter a complete email address, like hello@yourstore.com.").count(), { timeout: 10_000 }).toBe(1);
      await page.getByLabel("From address", { exact: true }).fill("hello@juniper.example");
      await page.getByRole("button", { name: "Save" }).click();
      await expect.poll(() => page.locator(".app-bridge-toast", { hasText: "Settings saved" }).count(), { timeout: 10_000 }).toBe(1);
      expect((await prisma.shop.findUniqueOrThrow({ where: { domain: SHOP } })).senderEmail).toBe("hello@juniper.example");

      // The outbox transport is in use here, so the Outbox is in the navigation, with the test sent above.
      await page.goto(embeddedUrl("/app/outbox"));
      const kept = page.getByRole("heading", { name: /^\[Test\]/ }).first();
      await expect.poll(() => kept.count(), { timeout: 15_000 }).toBe(1);
      await screenshotAtWidths(page, "outbox", async () => {
        await expect.poll(() => kept.isVisible()).toBe(true);
      });
      expect(errors).toEqual([]);
    });
  }, 90_000);
});
