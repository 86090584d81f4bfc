// What the Thank you page's block says: when the care guide comes (from the shop's flows), where
// to ask, and whether to offer the sign-up at all; and the session tokens its endpoints accept.
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { careGuideTiming, thankYouPageContent } from "~/domain/thank-you-page";
import type { FlowDefinition } from "~/domain/flows";
import { InvalidSessionTokenError, verifyExtensionSessionToken } from "~/extension-requests/session-token.server";

const flow = (over: Partial<FlowDefinition>): FlowDefinition => ({ key: "f", name: "Flow", trigger: "order_created", active: true, steps: [], ...over });
const step = (template: FlowDefinition["steps"][number]["template"], delay: FlowDefinition["steps"][number]["delay"]) => ({ key: `${template}-${delay.amount}`, template, delay, subject: "s" });

describe("careGuideTiming", () => {
  it("adds the delays of the steps before the care guide, unless it counts from the trigger", () => {
    const chained = flow({ steps: [step("thank-you", { amount: 2, unit: "hours" }), step("care-guide", { amount: 3, unit: "days" })] });
    expect(careGuideTiming([chained])).toMatchObject({ trigger: "order_created", minutesAfterTrigger: 2 * 60 + 3 * 1440, conditional: false });
    const fromTrigger = flow({ steps: [step("thank-you", { amount: 2, unit: "days" }), step("care-guide", { amount: 1, unit: "days", from: "trigger" })] });
    expect(careGuideTiming([fromTrigger])?.minutesAfterTrigger).toBe(1440);
  });

  it("ignores flows that are off, prefers one without conditions, then the soonest", () => {
    const off = flow({ key: "off", active: false, steps: [step("care-guide", { amount: 0, unit: "minutes" })] });
    const conditional = flow({ key: "c", trigger: "order_created", conditions: { all: [] } as never, steps: [step("care-guide", { amount: 1, unit: "hours" })] });
    const delivered = flow({ key: "d", trigger: "order_delivered", steps: [step("care-guide", { amount: 2, unit: "days" })] });
    const shipped = flow({ key: "s", trigger: "order_fulfilled", steps: [step("care-guide", { amount: 4, unit: "days" })] });
    expect(careGuideTiming([off])).toBeNull();
    expect(careGuideTiming([off, conditional, delivered, shipped])).toMatchObject({ trigger: "order_fulfilled", conditional: false });
    expect(careGuideTiming([conditional])).toMatchObject({ conditional: true });
  });
});

describe("thankYouPageContent", () => {
  const careGuide = { flow: "Care", trigger: "order_delivered" as const, minutesAfterTrigger: 3 * 1440, conditional: false };
  const base = { offerEnabled: true, careGuide, serviceEmailsAllowed: true, contactEmail: "help@shop.example" };

  it("offers the sign-up only to an address that can be subscribed, with what happens next", () => {
    expect(thankYouPageContent({ ...base, marketingState: "NOT_SUBSCRIBED" })).toEqual({
      nextSteps: ["Your care guide arrives by email about 3 days after your order is delivered.", "Questions about your order? Write to help@shop.example."],
    });
    expect(thankYouPageContent({ ...base, marketingState: "UNSUBSCRIBED" })).not.toBeNull();
    for (const state of ["SUBSCRIBED", "PENDING", "INVALID", "REDACTED", null]) expect(thankYouPageContent({ ...base, marketingState: state })).toBeNull();
  });

  it("shows nothing when the shop turned the offer off; leaves out a care guide that is not sent", () => {
    expect(thankYouPageContent({ ...base, offerEnabled: false, marketingState: "NOT_SUBSCRIBED" })).toBeNull();
    expect(thankYouPageContent({ ...base, serviceEmailsAllowed: false, contactEmail: null, marketingState: "NOT_SUBSCRIBED" })).toEqual({ nextSteps: [] });
    expect(thankYouPageContent({ ...base, careGuide: { ...careGuide, conditional: true, minutesAfterTrigger: 90, trigger: "order_created" }, marketingState: "NOT_SUBSCRIBED" })?.nextSteps[0]).toBe(
      "If it applies to what you bought, a care guide arrives by email about 2 hours after you placed your order.",
    );
  });
});

describe("verifyExtensionSessionToken", () => {
  const secret = "s3cret";
  const apiKey = "client-id";
  const now = new Date("2026-03-01T12:00:00Z");
  const t = now.getTime() / 1000;
  const sign = (claims: object, header: object = { alg: "HS256", typ: "JWT" }, key = secret) => {
    const b = (v: object) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const unsigned = `${b(header)}.${b(claims)}`;
    return `${unsigned}.${createHmac("sha256", key).update(unsigned).digest("base64url")}`;
  };
  const checkout = { dest: "shop-one.myshopify.com", aud: apiKey, exp: t + 300, nbf: t, iat: t, jti: "x" };
  const adminClaims = { iss: "https://shop-one.myshopify.com/admin", dest: "https://shop-one.myshopify.com", aud: apiKey, sub: "42", exp: t + 60, nbf: t, iat: t };
  const verify = (token: string, surface: "checkout" | "admin" = "checkout") => verifyExtensionSessionToken({ token, apiKey, secret, surface, now });

  it("returns the shop and subject of a good token", () => {
    expect(verify(sign({ ...checkout, sub: "gid://shopify/Customer/7" }))).toEqual({ shop: "shop-one.myshopify.com", sub: "gid://shopify/Customer/7" });
    expect(verify(sign(checkout))).toEqual({ shop: "shop-one.myshopify.com", sub: null });
    expect(verify(sign(adminClaims), "admin")).toEqual({ shop: "shop-one.myshopify.com", sub: "42" });
  });

  it.each([
    ["another secret", () => sign(checkout, undefined, "other")],
    ["alg none", () => sign(checkout, { alg: "none" })],
    ["HS512", () => sign(checkout, { alg: "HS512" })],
    ["another app", () => sign({ ...checkout, aud: "other" })],
    ["expired past the 10 s tolerance", () => sign({ ...checkout, exp: t - 11 })],
    ["not yet valid", () => sign({ ...checkout, nbf: t + 11 })],
    ["no exp", () => sign({ ...checkout, exp: undefined })],
    ["dest not a shop", () => sign({ ...checkout, dest: "evil.example.com" })],
    ["not a JWT", () => "abc.def"],
  ])("refuses %s", (_why, token) => {
    expect(() => verify(token())).toThrow(InvalidSessionTokenError);
  });

  it("keeps the two surfaces apart: an admin token is no checkout token and the reverse", () => {
    expect(() => verify(sign(adminClaims), "checkout")).toThrow(InvalidSessionTokenError);
    expect(() => verify(sign(checkout), "admin")).toThrow(InvalidSessionTokenError);
    expect(() => verify(sign({ ...adminClaims, iss: "https://shop-two.myshopify.com/admin" }), "admin")).toThrow(/issuer/);
    // Within the tolerance, as Shopify's own library allows.
    expect(verify(sign({ ...checkout, exp: t - 9 }))).toMatchObject({ shop: "shop-one.myshopify.com" });
  });
});
