// A flow started from Shopify Flow, as the merchant sees it in Chromium on the built app: the
// Flows list names its trigger "Started from Shopify Flow", and its editor says where it starts
// and which key to enter in Shopify Flow's action "Start an Afterglow flow"; the action's
// configuration page, as Flow opens it for a workflow step, lists the flows to choose and saves
// the choice for that step.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// The app and this test share one fresh database; set before any module opens one.
const ctx = await vi.hoisted(async () => (await import("../helpers/env")).appTestEnv({ name: "browser-flow-action" }));

import type { Page } from "playwright-core";
import prisma from "~/db.server";
import { connectShop, storeOfflineToken } from "~/services/shop/shops.server";
import { importFlows } from "~/services/flows/flows.server";
import { chromiumFound, screenshotAtWidths, startAdminBrowser, withScreenshot as keepScreenshot, type AdminBrowser } from "./admin-browser";
import { startAdminSimulator, type AdminSimulator } from "../../simulator/admin-api";
import { createSeedStore } from "../../simulator/store";

afterAll(async () => {
  await ctx.cleanup();
});

const SHOP = "flow-action-shop.myshopify.com";
const SCOPES = "read_orders,read_products,read_customers,write_customers";
const OTHER_FLOW = {
  key: "win-back",
  name: "Win back",
  trigger: "shopify_flow",
  active: false,
  steps: [{ key: "miss-you", delay: { amount: 30, unit: "days" }, template: "thank-you", subject: "We miss you" }],
};
const ORDER_FLOW = { ...OTHER_FLOW, key: "thanks-on-order", name: "Thanks on order", trigger: "order_created", active: true };
const FLOW = {
  key: "vip-care",
  name: "VIP care",
  trigger: "shopify_flow",
  active: true,
  steps: [{ key: "thanks", delay: { amount: 2, unit: "hours" }, template: "thank-you", subject: "A note for our VIPs" }],
};

describe.skipIf(!chromiumFound)("a flow started from Shopify Flow in a browser", () => {
  let browser: AdminBrowser;
  let admin: AdminSimulator;
  let flowId: string;

  beforeAll(async () => {
    const accessToken = "shpat_flowaction0000000000000000000000";
    admin = await startAdminSimulator({ stores: [createSeedStore({ shop: SHOP, accessToken })] });
    await storeOfflineToken({ prisma, shop: SHOP, accessToken, scope: SCOPES });
    await connectShop({ prisma, shop: SHOP, profile: { name: "Juniper & Pine", email: "owner@juniper.example" } });
    await importFlows(prisma, SHOP, { version: 1, flows: [FLOW] });
    flowId = (await prisma.flow.findFirstOrThrow({ where: { shop: SHOP, key: FLOW.key } })).id;
    browser = await startAdminBrowser({ shop: SHOP, env: { DATABASE_URL: ctx.url, MAIL_TRANSPORT: "outbox", SCOPES, SHOPIFY_ADMIN_API_URL: admin.url } });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await admin?.close();
  });

  const withScreenshot = (page: Page, name: string, run: () => Promise<void>) => keepScreenshot(page, browser.app, name, run);

  it("the Flows list names the trigger", async () => {
    const { page, problems } = await browser.open();
    await withScreenshot(page, "flows-shopify-flow", async () => {
      await page.goto(browser.embeddedUrl("/app/flows"));
      const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: "VIP care" }) });
      await expect.poll(() => row.textContent(), { timeout: 15_000 }).toContain("Started from Shopify Flow");
      await screenshotAtWidths(page, "flows-list-shopify-flow", async () => {
        await expect.poll(() => page.getByText("Started from Shopify Flow").first().isVisible()).toBe(true);
      });
      expect(problems).toEqual([]);
    });
  }, 90_000);

  it("the editor shows the trigger and the key to enter in Shopify Flow's action", async () => {
    const { page, problems } = await browser.open();
    await withScreenshot(page, "flow-editor-shopify-flow", async () => {
      await page.goto(browser.embeddedUrl(`/app/flows/${flowId}`));
      const trigger = page.getByLabel("Trigger", { exact: true });
      await expect.poll(() => trigger.inputValue(), { timeout: 15_000 }).toBe("shopify_flow");
      const help = page.getByText(/No order webhook starts this flow/);
      await expect.poll(() => help.textContent()).toContain(`add the action "Start an Afterglow flow" and enter ${FLOW.key} as the Afterglow flow`);
      await screenshotAtWidths(page, "flow-editor-shopify-flow", async () => {
        await expect.poll(() => help.isVisible()).toBe(true);
      });
      // Another trigger takes the hint away: it is about this one.
      await trigger.selectOption("order_created");
      await expect.poll(() => help.count()).toBe(0);
      expect(problems).toEqual([]);
    });
  }, 90_000);

  it("the action's configuration page lists the flows started from Shopify Flow and saves the step's choice", async () => {
    const { page, problems } = await browser.open();
    const step = "5e1f0a2b-step-config";
    await importFlows(prisma, SHOP, { version: 1, flows: [FLOW, OTHER_FLOW, ORDER_FLOW] });
    await withScreenshot(page, "flow-action-config", async () => {
      await page.goto(browser.embeddedUrl(`/app/flow-action-config?step_reference=${step}`));
      const vip = page.getByRole("radio", { name: "VIP care" });
      await expect.poll(() => vip.count(), { timeout: 15_000 }).toBe(1);
      // Only flows started from Shopify Flow; an off one says so.
      expect(await page.getByRole("radio").count()).toBe(2);
      expect(await page.getByRole("radio", { name: "Thanks on order" }).count()).toBe(0);
      await expect.poll(() => page.getByText("Off: turn it on before the workflow runs").isVisible()).toBe(true);
      await page.getByText("VIP care", { exact: true }).click();
      await expect.poll(() => vip.isChecked()).toBe(true);
      const saveBar = page.locator("ui-save-bar");
      await saveBar.getByRole("button", { name: "Save" }).click();
      await expect.poll(async () => (await prisma.flowActionStep.findFirst({ where: { shop: SHOP, stepReference: step } }))?.flowId, { timeout: 15_000 }).toBe(flowId);
      // Opened again for the same step, the page shows the stored choice.
      await page.goto(browser.embeddedUrl(`/app/flow-action-config?step_reference=${step}`));
      await expect.poll(() => page.getByRole("radio", { name: "VIP care" }).isChecked(), { timeout: 15_000 }).toBe(true);
      await screenshotAtWidths(page, "flow-action-config", async () => {
        await expect.poll(() => page.getByRole("radio", { name: "VIP care" }).isVisible()).toBe(true);
      });
      expect(problems).toEqual([]);
    });
  }, 90_000);

  it("the configuration page opened without a step says where to open it from", async () => {
    const { page, problems } = await browser.open();
    await withScreenshot(page, "flow-action-config-no-step", async () => {
      await page.goto(browser.embeddedUrl("/app/flow-action-config"));
      await expect.poll(() => page.getByText(/Open this page from the action/).isVisible(), { timeout: 15_000 }).toBe(true);
      expect(await page.getByRole("radio", { name: "VIP care" }).isDisabled()).toBe(true);
      expect(problems).toEqual([]);
    });
  }, 90_000);
});
