// The Shopify Flow action "Start an Afterglow flow": reading Flow's execution payload and checking
// its HMAC, without a server.
import { describe, expect, it } from "vitest";
import {
  FLOW_ACTION_HANDLE,
  flowActionPreview,
  flowActionValidation,
  InvalidFlowActionError,
  parseFlowActionRequest,
  parseFlowActionStepRequest,
} from "~/domain/flow-action";
import { verifyShopifyFlowRequest } from "~/webhooks/signature.server";
import { flowActionRequest } from "../../simulator/flow-actions";

const SECRET = "flow-action-unit-secret";

// A body as Flow sends it, through the simulator's builder.
function body(properties: Record<string, unknown>, overrides: Record<string, unknown> = {}) {
  const req = flowActionRequest({
    shop: "glow-goods.myshopify.com",
    shopId: 73012,
    handle: FLOW_ACTION_HANDLE,
    properties,
    secret: SECRET,
    actionRunId: "run-1",
  });
  return { ...JSON.parse(req.body), ...overrides } as Record<string, unknown>;
}

const problemsOf = (input: unknown): string[] => {
  try {
    parseFlowActionRequest(input);
  } catch (err) {
    if (err instanceof InvalidFlowActionError) return err.problems;
    throw err;
  }
  throw new Error("parsed, but a refusal was expected");
};

describe("parseFlowActionRequest", () => {
  it("reads the shop, the run, the chosen flow and the order as a global id", () => {
    expect(parseFlowActionRequest(body({ order_id: "5551234", flow_key: "vip-thank-you" }))).toEqual({
      shop: "glow-goods.myshopify.com",
      actionRunId: "run-1",
      stepReference: null,
      flowKey: "vip-thank-you",
      orderId: "gid://shopify/Order/5551234",
    });
  });

  it("reads the step a configuration page chose a flow for, with no typed key needed", () => {
    // Among the properties, as Flow's documented example sends it; at the top level too.
    expect(parseFlowActionRequest(body({ order_id: "1", step_reference: "step-abc" }))).toMatchObject({ stepReference: "step-abc", flowKey: null });
    expect(parseFlowActionRequest(body({ order_id: "1" }, { step_reference: "step-top" }))).toMatchObject({ stepReference: "step-top", flowKey: null });
    expect(parseFlowActionRequest(body({ order_id: "1", step_reference: "step-in" }, { step_reference: "step-top" }))).toMatchObject({ stepReference: "step-in" });
    expect(problemsOf(body({ order_id: "1", step_reference: 12 }))).toEqual([expect.stringMatching(/^step_reference/)]);
    expect(problemsOf(body({ order_id: "1" }, { step_reference: 12 }))).toEqual([expect.stringMatching(/^step_reference/)]);
  });

  it("takes the order id as a number or a global id, and the flow key in any case with spaces around", () => {
    expect(parseFlowActionRequest(body({ order_id: 5551234, flow_key: " VIP-Thank-You " }))).toMatchObject({
      orderId: "gid://shopify/Order/5551234",
      flowKey: "vip-thank-you",
    });
    expect(parseFlowActionRequest(body({ order_id: "gid://shopify/Order/77", flow_key: "a" })).orderId).toBe("gid://shopify/Order/77");
  });

  it("names every problem at once", () => {
    const problems = problemsOf(body({ order_id: "gid://shopify/Customer/1", flow_key: "" }, { shopify_domain: "glow.example.com", action_run_id: "" }));
    expect(problems).toEqual([
      expect.stringMatching(/^shopify_domain/),
      expect.stringMatching(/^action_run_id/),
      expect.stringMatching(/^no Afterglow flow is chosen/),
      expect.stringMatching(/^order_id/),
    ]);
  });

  it("refuses another action's handle, a missing properties object and what is not an object", () => {
    expect(problemsOf(body({ order_id: "1", flow_key: "a" }, { handle: "place-auction-bid" }))).toEqual([expect.stringMatching(/another action/)]);
    expect(problemsOf(body({}, { properties: "flow_key=a" }))).toEqual(["properties is missing"]);
    expect(problemsOf([body({ order_id: "1", flow_key: "a" })])).toEqual(["the body is not a JSON object"]);
    expect(problemsOf(null)).toEqual(["the body is not a JSON object"]);
  });

  it("refuses order ids that are not an order's, and flow keys the flows format does not allow", () => {
    for (const order_id of ["0", "-4", "12.5", "", null, 1.5, "gid://shopify/Order/abc", "1".repeat(21)]) {
      expect(problemsOf(body({ order_id, flow_key: "a" })), String(order_id)).toEqual([expect.stringMatching(/^order_id/)]);
    }
    for (const flow_key of ["thank you", "-lead", "x".repeat(64), 7, "ünïcode"]) {
      expect(problemsOf(body({ order_id: "1", flow_key })), String(flow_key)).toEqual([expect.stringMatching(/^flow_key/)]);
    }
  });

  it("refuses a run id longer than any Flow gives", () => {
    expect(problemsOf(body({ order_id: "1", flow_key: "a" }, { action_run_id: "r".repeat(256) }))).toEqual([expect.stringMatching(/^action_run_id/)]);
  });
});

describe("a step's preview and validation", () => {
  const label = (t: string) => (t === "order_created" ? "Order created" : t);
  const flow = { name: "VIP care", key: "vip-care", trigger: "shopify_flow", active: true, steps: 1 };

  it("reads the preview's one step, named at the top level", () => {
    expect(parseFlowActionStepRequest({ shopify_domain: "Glow-Goods.myshopify.com", step_reference: "s1" })).toEqual({
      shop: "glow-goods.myshopify.com",
      steps: [{ stepReference: "s1", flowKey: null }],
    });
    expect(() => parseFlowActionStepRequest({ shopify_domain: "glow.example.com" })).toThrow(/shopify_domain.*step_reference/);
  });

  it("reads every step of a validation request, each with an older workflow's key from its properties", () => {
    const request = {
      shopify_domain: "glow-goods.myshopify.com",
      handle: "start-afterglow-flow",
      steps: [
        { step_reference: "s1", properties: { flow_key: "VIP-care", order_id: "{{order.id}}" } },
        { step_reference: "s2", properties: {} },
      ],
    };
    expect(parseFlowActionStepRequest(request)).toEqual({
      shop: "glow-goods.myshopify.com",
      steps: [
        { stepReference: "s1", flowKey: "vip-care" },
        { stepReference: "s2", flowKey: null },
      ],
    });
    expect(() => parseFlowActionStepRequest({ ...request, steps: [{ properties: {} }] })).toThrow(/steps\[0\]\.step_reference is missing/);
    expect(() => parseFlowActionStepRequest({ ...request, steps: [] })).toThrow(/steps has 0 entries/);
  });

  it("previews the chosen flow, or asks to choose one", () => {
    expect(flowActionPreview(flow, label)).toEqual({ label_text: "Afterglow flow", text_preview: "VIP care: 1 follow-up email for the workflow's order.", button_text: "Change flow" });
    expect(flowActionPreview(null, label).button_text).toBe("Choose flow");
  });

  it("validates: nothing to say for a flow that can start; otherwise what to do", () => {
    expect(flowActionValidation(flow, label)).toEqual([]);
    expect(flowActionValidation(null, label)).toEqual([{ id: "step_reference", message: expect.stringMatching(/No Afterglow flow is chosen/) }]);
    expect(flowActionValidation({ ...flow, active: false }, label)[0].message).toMatch(/is off/);
    expect(flowActionValidation({ ...flow, trigger: "order_created" }, label)[0].message).toMatch(/starts on "Order created"/);
  });
});

describe("verifyShopifyFlowRequest", () => {
  const signed = flowActionRequest({
    shop: "glow-goods.myshopify.com",
    shopId: 1,
    handle: FLOW_ACTION_HANDLE,
    properties: { order_id: "1", flow_key: "a" },
    secret: SECRET,
  });
  const headerOf = (headers: Record<string, string>) => (name: string) => Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];

  it("accepts the raw body signed with the app's secret", () => {
    expect(verifyShopifyFlowRequest({ header: headerOf(signed.headers), rawBody: Buffer.from(signed.body), secret: SECRET })).toEqual({ ok: true });
  });

  it("answers 401 to another secret, a changed body or no signature, and 400 to an empty body", () => {
    const header = headerOf(signed.headers);
    expect(verifyShopifyFlowRequest({ header, rawBody: Buffer.from(signed.body), secret: "other" })).toMatchObject({ ok: false, status: 401 });
    expect(verifyShopifyFlowRequest({ header, rawBody: Buffer.from(signed.body.replace('"a"', '"b"')), secret: SECRET })).toMatchObject({
      ok: false,
      status: 401,
    });
    expect(verifyShopifyFlowRequest({ header: () => undefined, rawBody: Buffer.from(signed.body), secret: SECRET })).toMatchObject({ ok: false, status: 401 });
    expect(verifyShopifyFlowRequest({ header, rawBody: Buffer.alloc(0), secret: SECRET })).toMatchObject({ ok: false, status: 400 });
  });
});
