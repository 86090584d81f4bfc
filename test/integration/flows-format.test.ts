// The flow JSON format with triggers, conditions, exit rules and A/B variants: import/export
// round trip, the editor's validateFlow (JSON-pointer paths) and saveFlow.
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase } from "../helpers/db";
import { exportFlows, importFlows, saveFlow, validateFlow } from "~/services/flows/flows.server";
import { connectShop } from "~/services/shop/shops.server";
import { InvalidFlowsError, type FlowDefinition } from "~/domain/flows";
import { receiveOrderCreated } from "~/services/intake/intake.server";
import { turnOnFlow } from "../helpers/flows";

const SHOP = "flows-format.myshopify.com";
const db = createTestDatabase("flows-format");
const prisma = db.prisma;
afterAll(() => db.cleanup());

beforeEach(async () => {
  for (const t of ["followUpEvent", "followUp", "order", "webhookDelivery", "flowStep", "flow", "shop"] as const) {
    await (prisma[t] as unknown as { deleteMany(): Promise<unknown> }).deleteMany();
  }
  await connectShop({ prisma, shop: SHOP, profile: { name: "Format", ianaTimezone: "Europe/Warsaw" } });
});

const delivered: FlowDefinition = {
  key: "delivered-care",
  name: "Candle care after delivery",
  trigger: "order_delivered",
  active: true,
  conditions: {
    all: [
      { field: "order_total", op: "gte", amount: "50" },
      { any: [{ field: "product_types", op: "includes_any", values: ["Candles"] }, { field: "vendors", op: "in" as never, values: ["x"] }] },
    ],
  },
  exitRules: { orderedAgain: false },
  steps: [
    {
      key: "care",
      delay: { amount: 2, unit: "days_at", at: "10:00", from: "trigger" },
      template: "thank-you",
      category: "service",
      subject: "Caring for your candle",
      variants: {
        id: "care-subject",
        variants: [
          { key: "a", weight: 60 },
          { key: "b", weight: 40, subject: "Your candle, {{ customer.first_name }}", content: { heading: "Hi" } },
        ],
      },
    },
  ],
};

describe("validateFlow", () => {
  it("gives every problem with the JSON pointer of its field", () => {
    const problems = validateFlow(delivered);
    expect(problems).toEqual([{ path: "/conditions/all/1/any/1/op", message: "must be one of includes_any, includes_all, includes_none" }]);

    const bad = structuredClone(delivered) as unknown as Record<string, any>;
    bad.conditions.all[1].any[1].op = "includes_any";
    bad.trigger = "order_refunded";
    bad.steps[0].variants.variants[1].weight = 50;
    expect(validateFlow(bad)).toEqual([
      { path: "/trigger", message: "must be equal to one of the allowed values (order_created, order_paid, order_fulfilled, order_delivered, shopify_flow)" },
    ]);
    bad.trigger = "order_paid";
    expect(validateFlow(bad)).toEqual([{ path: "/steps/0/variants/variants", message: "the weights add up to 110; they must add up to 100" }]);
  });
});

describe("validateFlow, beyond the schema", () => {
  it("checks a variant's subject, preview text and content as the step's, since they replace them at send", () => {
    const bad = structuredClone(delivered) as unknown as Record<string, any>;
    bad.conditions.all[1].any[1].op = "includes_any";
    bad.steps[0].variants.variants[1] = { key: "b", weight: 40, subject: "Hi {{ customer.name }}", content: { intro: "Hi", blocks: [{ type: "button", text: "Go", url: "ftp://x" }] } };
    expect(validateFlow(bad).map((p) => p.path)).toEqual([
      "/steps/0/variants/variants/1/subject",
      "/steps/0/variants/variants/1/content/intro",
      "/steps/0/variants/variants/1/content/blocks/0/url",
    ]);
  });

  it("checks conditions even when the schema already refused another part of the flow", () => {
    const bad = structuredClone(delivered) as unknown as Record<string, any>;
    bad.name = "";
    expect(validateFlow(bad)).toEqual([
      { path: "/name", message: "must NOT have fewer than 1 characters" },
      { path: "/conditions/all/1/any/1/op", message: "must be one of includes_any, includes_all, includes_none" },
    ]);
  });
});

describe("saveFlow and the JSON round trip", () => {
  it("saves one flow by key, replaces its steps, and exports what was imported", async () => {
    const valid = structuredClone(delivered);
    ((valid.conditions as { all: { any: unknown[] }[] }).all[1]).any[1] = { field: "vendors", op: "includes_any", values: ["Kiln & Co."] };
    await expect(saveFlow({ prisma, shop: SHOP, flow: delivered })).rejects.toBeInstanceOf(InvalidFlowsError);
    const { id } = await saveFlow({ prisma, shop: SHOP, flow: valid });
    const exported = await exportFlows(prisma, SHOP);
    expect(exported.flows.find((f) => f.key === valid.key)).toEqual(valid);

    // Import the export into another shop: the same flows come back.
    await connectShop({ prisma, shop: "other.myshopify.com" });
    await importFlows(prisma, "other.myshopify.com", exported);
    const again = await exportFlows(prisma, "other.myshopify.com");
    expect(again.flows.find((f) => f.key === valid.key)).toEqual(valid);

    // Saving again by key replaces the steps and keeps the flow.
    const twoSteps = { ...valid, steps: [{ ...valid.steps[0], key: "first" }, { ...valid.steps[0], key: "second", variants: undefined }] };
    expect((await saveFlow({ prisma, shop: SHOP, flow: twoSteps })).id).toBe(id);
    expect((await prisma.flowStep.findMany({ where: { flowId: id }, orderBy: { position: "asc" } })).map((s) => s.key)).toEqual([
      "first",
      "second",
    ]);
  });
});

describe("intake by trigger and condition", () => {
  it("orders/create schedules only order_created flows, and skips a flow whose conditions the order fails", async () => {
    const step = { key: "a", delay: { amount: 1, unit: "hours" as const }, template: "thank-you" as const, subject: "A" };
    await importFlows(prisma, SHOP, {
      version: 1,
      flows: [
        { key: "paid", name: "Paid", trigger: "order_paid", steps: [step] },
        { key: "big", name: "Big orders", trigger: "order_created", conditions: { all: [{ field: "order_total", op: "gt", amount: "100" }] }, steps: [step] },
        { key: "vip", name: "VIP", trigger: "order_created", conditions: { any: [{ field: "customer_tags", op: "includes_any", values: ["VIP"] }] }, steps: [step] },
      ],
    });
    await turnOnFlow({ prisma, shop: SHOP });
    await receiveOrderCreated({
      prisma,
      delivery: { shop: SHOP, topic: "orders/create", webhookId: "wh-cond" },
      payload: {
        id: 77,
        name: "#1077",
        email: "ada@example.com",
        created_at: "2026-11-28T10:00:00Z",
        currency: "USD",
        total_price: "42.00",
        customer: { id: 7, first_name: "Ada", tags: "vip, wholesale" },
        line_items: [{ id: 1, product_id: 100, quantity: 1, price: "42.00", vendor: "Kiln & Co." }],
      },
      now: new Date("2026-11-28T10:00:05Z"),
    });
    const flows = await prisma.flow.findMany({ where: { shop: SHOP } });
    const byFlow = new Map(flows.map((f) => [f.id, f.key]));
    const followUps = await prisma.followUp.findMany();
    const summary = Object.fromEntries(followUps.map((f) => [byFlow.get(f.flowId), [f.status, f.skipCode, f.skipReason]]));
    expect(summary).toEqual({
      "thank-you": ["scheduled", null, null],
      big: ["skipped", "conditions_not_met", "The order does not meet the flow's conditions: Order total: 42.00 USD is not more than 100 USD."],
      vip: ["scheduled", null, null],
    });
    const order = await prisma.order.findFirstOrThrow();
    expect(JSON.parse(order.customerTags!)).toEqual(["vip", "wholesale"]);
  });
});
