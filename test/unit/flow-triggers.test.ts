import { describe, expect, it } from "vitest";
import {
  buildFlowTriggerPayload,
  FLOW_TRIGGER_PAYLOAD_MAX_BYTES,
  legacyResourceId,
  parseLifecycleCallback,
  triggerOfDefinitionId,
  type FollowUpFacts,
} from "~/domain/flow-triggers";

const facts: FollowUpFacts = {
  orderId: "gid://shopify/Order/6101000000001",
  customerId: "gid://shopify/Customer/8201000000001",
  flowName: "Thank you",
  step: { position: 1, template: "review-request" },
};

describe("Flow trigger payloads", () => {
  it("sends references as numeric ids under order_id and customer_id, and every other field under its key", () => {
    const built = buildFlowTriggerPayload({ trigger: "follow-up-sent", subject: "Thanks,\n  Ada!", ...facts });
    expect(built).toEqual({
      ok: true,
      payload: {
        order_id: 6101000000001,
        customer_id: 8201000000001,
        "Flow name": "Thank you",
        "Step name": "Step 2 · Review request",
        "Email subject": "Thanks, Ada!",
      },
      json: expect.any(String),
    });
    expect(built.ok && JSON.parse(built.json)).toEqual(built.ok && built.payload);
  });

  it("carries the clicked link, the unsubscribe's scope, and a bounce's or spam report's reason", () => {
    const click = buildFlowTriggerPayload({ trigger: "follow-up-clicked", url: "https://juniper.example/products/mug?utm_source=afterglow", ...facts });
    expect(click.ok && click.payload["Link URL"]).toBe("https://juniper.example/products/mug?utm_source=afterglow");
    const unsubscribed = buildFlowTriggerPayload({ trigger: "customer-unsubscribed", scope: "marketing", ...facts });
    expect(unsubscribed.ok && unsubscribed.payload["Unsubscribed from"]).toBe("Marketing emails");
    expect(buildFlowTriggerPayload({ trigger: "customer-unsubscribed", scope: "all", ...facts })).toMatchObject({ payload: { "Unsubscribed from": "All emails" } });
    expect(buildFlowTriggerPayload({ trigger: "email-bounced-or-spam", event: "bounce", reason: "550 5.1.1 user unknown", ...facts })).toMatchObject({
      payload: { Event: "Bounced", Reason: "550 5.1.1 user unknown" },
    });
    expect(buildFlowTriggerPayload({ trigger: "email-bounced-or-spam", event: "spamreport", reason: null, ...facts })).toMatchObject({
      payload: { Event: "Marked as spam", Reason: "The customer marked the email as spam." },
    });
  });

  it("names a deleted flow or step instead of leaving the field out", () => {
    expect(buildFlowTriggerPayload({ trigger: "follow-up-sent", subject: "Hi", ...facts, flowName: null, step: null })).toMatchObject({
      payload: { "Flow name": "A removed flow", "Step name": "A removed step" },
    });
  });

  it("refuses what Flow could not take: no customer (a guest checkout), an order id that is not one, a link that is not http(s)", () => {
    const guest = buildFlowTriggerPayload({ trigger: "follow-up-sent", subject: "Hi", ...facts, customerId: null });
    expect(guest).toEqual({ ok: false, error: expect.stringContaining("guest checkout") });
    expect(buildFlowTriggerPayload({ trigger: "follow-up-sent", subject: "Hi", ...facts, orderId: "6101000000001" })).toMatchObject({ ok: false });
    expect(buildFlowTriggerPayload({ trigger: "follow-up-clicked", url: "javascript:alert(1)", ...facts })).toMatchObject({ ok: false });
    expect(buildFlowTriggerPayload({ trigger: "follow-up-clicked", url: null, ...facts })).toMatchObject({ ok: false });
  });

  it("cuts long text to one line and stays under Flow's payload limit", () => {
    const built = buildFlowTriggerPayload({ trigger: "email-bounced-or-spam", event: "bounce", reason: "x".repeat(100_000), ...facts });
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    expect(String(built.payload.Reason).length).toBe(1_000);
    expect(new TextEncoder().encode(built.json).length).toBeLessThan(FLOW_TRIGGER_PAYLOAD_MAX_BYTES);
    const longUrl = `https://juniper.example/${"a".repeat(60_000)}`;
    expect(buildFlowTriggerPayload({ trigger: "follow-up-clicked", url: longUrl, ...facts })).toEqual({ ok: false, error: expect.stringContaining("over Flow's") });
  });

  it("reads the numeric id of a Shopify global id of the right type only", () => {
    expect(legacyResourceId("gid://shopify/Order/42", "Order")).toBe(42);
    expect(legacyResourceId("gid://shopify/Customer/42", "Order")).toBeNull();
    expect(legacyResourceId("gid://shopify/Order/99999999999999999999", "Order")).toBeNull();
    expect(legacyResourceId(null, "Order")).toBeNull();
  });
});

describe("Flow's lifecycle callback", () => {
  const body = {
    flow_trigger_definition_id: "Follow-up clicked",
    has_enabled_flow: true,
    shop_id: "690933842",
    shopify_domain: "Juniper.myshopify.com",
    timestamp: "2025-01-25T16:44:10.999Z",
  };

  it("reads the documented body, shop_id as a number or a string of digits", () => {
    expect(parseLifecycleCallback(body)).toEqual({
      ok: true,
      callback: { definitionId: "Follow-up clicked", enabled: true, shopId: 690933842, shop: "juniper.myshopify.com", reportedAt: new Date("2025-01-25T16:44:10.999Z") },
    });
    expect(parseLifecycleCallback({ ...body, shop_id: 690933842 })).toMatchObject({ ok: true, callback: { shopId: 690933842 } });
  });

  it("names every problem of a body that is not the documented shape", () => {
    const parsed = parseLifecycleCallback({ flow_trigger_definition_id: "", has_enabled_flow: "yes", shopify_domain: "juniper.example", timestamp: "yesterday" });
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.problems).toHaveLength(4);
    expect(parseLifecycleCallback([body]).ok).toBe(false);
    expect(parseLifecycleCallback(null).ok).toBe(false);
  });

  it("matches a trigger by its name, as Shopify's example sends it, or by its handle", () => {
    expect(triggerOfDefinitionId("Follow-up clicked")).toBe("follow-up-clicked");
    expect(triggerOfDefinitionId("email-bounced-or-spam")).toBe("email-bounced-or-spam");
    expect(triggerOfDefinitionId("Add row to spreadsheet")).toBeNull();
  });
});
