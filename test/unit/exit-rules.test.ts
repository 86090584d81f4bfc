import { describe, expect, it } from "vitest";
import { evaluateExitRules, type ExitState } from "~/domain/exit-rules";
import {
  describeSkipReason,
  SKIP_REASON_CODES,
  SKIP_REASON_STATUS,
  skipRecord,
  type SkipReason,
} from "~/domain/skip-reasons";

const triggeredAt = new Date("2026-05-04T10:00:00Z");
const state = (over: Partial<ExitState> = {}): ExitState => ({
  orderCancelledAt: null,
  refundedFully: false,
  customerOrderedAgainAt: null,
  suppression: null,
  marketingConsent: "SUBSCRIBED",
  serviceEmailsAllowed: true,
  triggeredAt,
  ...over,
});
const marketing = { category: "marketing" as const };
const service = { category: "service" as const };
const exitOnNewOrder = { exitOnNewOrder: true };
const stayOnNewOrder = { exitOnNewOrder: false };

describe("evaluateExitRules", () => {
  it("lets a follow-up through when nothing applies", () => {
    expect(evaluateExitRules({ step: marketing, flow: exitOnNewOrder, state: state() })).toEqual({ exit: false });
    expect(evaluateExitRules({ step: service, flow: exitOnNewOrder, state: state({ marketingConsent: null }) })).toEqual({ exit: false });
  });

  it("stops for a cancelled order", () => {
    const d = evaluateExitRules({ step: service, flow: stayOnNewOrder, state: state({ orderCancelledAt: new Date("2026-05-04T11:00:00Z") }) });
    expect(d).toEqual({ exit: true, rule: "order_cancelled", reason: "The order was cancelled.", detail: { code: "order_cancelled" } });
  });

  it("stops for a fully refunded order", () => {
    const d = evaluateExitRules({ step: service, flow: stayOnNewOrder, state: state({ refundedFully: true }) });
    expect(d).toMatchObject({ exit: true, rule: "order_refunded", reason: "The order was fully refunded." });
  });

  describe("a new order from the customer", () => {
    it("stops the flow when the flow says so", () => {
      const again = new Date("2026-05-06T08:15:00Z");
      const d = evaluateExitRules({ step: marketing, flow: exitOnNewOrder, state: state({ customerOrderedAgainAt: again }), timeZone: "Europe/Warsaw" });
      expect(d).toEqual({
        exit: true,
        rule: "ordered_again",
        reason: "The customer ordered again on Wed 6 May 2026 10:15, and this flow stops when they do.",
        detail: { code: "ordered_again", orderedAt: again, timeZone: "Europe/Warsaw" },
      });
      // Without a shop zone the time is given in UTC, and says so.
      const utc = evaluateExitRules({ step: marketing, flow: exitOnNewOrder, state: state({ customerOrderedAgainAt: again }) });
      expect(utc.exit && utc.reason).toBe("The customer ordered again on Wed 6 May 2026 8:15 UTC, and this flow stops when they do.");
    });

    it("does not stop the flow when the flow keeps going", () => {
      const d = evaluateExitRules({ step: marketing, flow: stayOnNewOrder, state: state({ customerOrderedAgainAt: new Date("2026-05-06T08:15:00Z") }) });
      expect(d).toEqual({ exit: false });
    });

    it("counts only orders after the trigger", () => {
      for (const at of ["2026-05-04T10:00:00Z", "2026-05-01T00:00:00Z"]) {
        const d = evaluateExitRules({ step: marketing, flow: exitOnNewOrder, state: state({ customerOrderedAgainAt: new Date(at) }) });
        expect(d).toEqual({ exit: false });
      }
      const justAfter = evaluateExitRules({
        step: marketing,
        flow: exitOnNewOrder,
        state: state({ customerOrderedAgainAt: new Date(triggeredAt.getTime() + 1) }),
      });
      expect(justAfter).toMatchObject({ exit: true, rule: "ordered_again" });
    });

    it("applies to service steps of such a flow too", () => {
      const d = evaluateExitRules({ step: service, flow: exitOnNewOrder, state: state({ customerOrderedAgainAt: new Date("2026-05-05T00:00:00Z") }) });
      expect(d).toMatchObject({ exit: true, rule: "ordered_again" });
    });
  });

  describe("suppressions", () => {
    it("an unsubscribe from everything stops every step", () => {
      for (const step of [marketing, service]) {
        const d = evaluateExitRules({ step, flow: stayOnNewOrder, state: state({ suppression: { scope: "all", reason: "unsubscribed" } }) });
        expect(d).toEqual({
          exit: true,
          rule: "unsubscribed",
          reason: "The customer unsubscribed from all emails from this shop.",
          detail: { code: "unsubscribed", scope: "all", source: "suppression" },
        });
      }
    });

    it("an unsubscribe from marketing stops only marketing steps", () => {
      const suppression = { scope: "marketing" as const, reason: "unsubscribed" };
      expect(evaluateExitRules({ step: marketing, flow: stayOnNewOrder, state: state({ suppression }) })).toMatchObject({
        exit: true,
        rule: "unsubscribed",
        reason: "The customer unsubscribed from marketing emails, and this step is a marketing email.",
      });
      expect(evaluateExitRules({ step: service, flow: stayOnNewOrder, state: state({ suppression }) })).toEqual({ exit: false });
    });

    it("bounces, spam reports and blocks suppress with their own reason", () => {
      const cases: [string, string][] = [
        ["hard_bounce", "The address is suppressed: earlier emails to this address bounced (it does not exist or refuses mail)."],
        ["spam_report", "The address is suppressed: the customer marked an earlier email as spam."],
        ["invalid", "The address is suppressed: the email address is not valid."],
        ["blocked", "The address is suppressed: the recipient's mail server blocked earlier emails."],
        ["manual", "The address is suppressed: the merchant added the address to the suppression list."],
        ["legal_hold", "The address is suppressed: it is on the suppression list (legal_hold)."],
      ];
      for (const [reason, text] of cases) {
        const d = evaluateExitRules({ step: service, flow: stayOnNewOrder, state: state({ suppression: { scope: "all", reason } }) });
        expect(d).toEqual({ exit: true, rule: "suppressed", reason: text, detail: { code: "suppressed", suppression: reason, scope: "all" } });
      }
      const m = evaluateExitRules({ step: marketing, flow: stayOnNewOrder, state: state({ suppression: { scope: "marketing", reason: "manual" } }) });
      expect(m).toMatchObject({ rule: "suppressed", reason: "The address is suppressed for marketing emails: the merchant added the address to the suppression list." });
    });

    it("with several suppressions, reports the one covering all emails", () => {
      const suppression = [
        { scope: "marketing" as const, reason: "unsubscribed" },
        { scope: "all" as const, reason: "hard_bounce" },
      ];
      expect(evaluateExitRules({ step: marketing, flow: stayOnNewOrder, state: state({ suppression }) })).toMatchObject({
        rule: "suppressed",
        detail: { scope: "all" },
      });
      expect(evaluateExitRules({ step: service, flow: stayOnNewOrder, state: state({ suppression: [suppression[0]] }) })).toEqual({ exit: false });
      expect(evaluateExitRules({ step: service, flow: stayOnNewOrder, state: state({ suppression: [] }) })).toEqual({ exit: false });
    });
  });

  describe("consent", () => {
    it("a marketing step needs SUBSCRIBED", () => {
      const cases: [ExitState["marketingConsent"], string, string][] = [
        ["NOT_SUBSCRIBED", "no_marketing_consent", "The customer has not subscribed to email marketing, and this step is a marketing email."],
        ["PENDING", "no_marketing_consent", "The customer has not yet confirmed their email marketing subscription, and this step is a marketing email."],
        ["INVALID", "no_marketing_consent", "The customer's email marketing status is invalid, and this step is a marketing email."],
        ["REDACTED", "no_marketing_consent", "The customer's data was erased at their request, and this step is a marketing email."],
        [null, "no_marketing_consent", "There is no record that the customer agreed to email marketing, and this step is a marketing email."],
        ["UNSUBSCRIBED", "unsubscribed", "The customer unsubscribed from marketing emails, and this step is a marketing email."],
      ];
      for (const [marketingConsent, rule, reason] of cases) {
        const d = evaluateExitRules({ step: marketing, flow: stayOnNewOrder, state: state({ marketingConsent }) });
        expect(d).toMatchObject({ exit: true, rule, reason });
      }
      expect(
        evaluateExitRules({ step: marketing, flow: stayOnNewOrder, state: state({ marketingConsent: "UNSUBSCRIBED" }) }),
      ).toMatchObject({ detail: { code: "unsubscribed", scope: "marketing", source: "consent" } });
    });

    it("a service step ignores marketing consent but honours the service setting", () => {
      expect(evaluateExitRules({ step: service, flow: stayOnNewOrder, state: state({ marketingConsent: "UNSUBSCRIBED" }) })).toEqual({ exit: false });
      expect(evaluateExitRules({ step: service, flow: stayOnNewOrder, state: state({ serviceEmailsAllowed: false }) })).toEqual({
        exit: true,
        rule: "service_emails_blocked",
        reason: "Service emails are turned off for this customer.",
        detail: { code: "service_emails_blocked" },
      });
      // The service setting does not hold back marketing steps; consent decides those.
      expect(evaluateExitRules({ step: marketing, flow: stayOnNewOrder, state: state({ serviceEmailsAllowed: false }) })).toEqual({ exit: false });
    });
  });

  it("reports the first rule in order: order, suppression, consent, new order", () => {
    const everything = state({
      orderCancelledAt: new Date("2026-05-05T00:00:00Z"),
      refundedFully: true,
      suppression: { scope: "all", reason: "spam_report" },
      marketingConsent: "NOT_SUBSCRIBED",
      customerOrderedAgainAt: new Date("2026-05-06T00:00:00Z"),
    });
    const rule = (s: ExitState) => {
      const d = evaluateExitRules({ step: marketing, flow: exitOnNewOrder, state: s });
      return d.exit ? d.rule : null;
    };
    expect(rule(everything)).toBe("order_cancelled");
    expect(rule({ ...everything, orderCancelledAt: null })).toBe("order_refunded");
    expect(rule({ ...everything, orderCancelledAt: null, refundedFully: false })).toBe("suppressed");
    expect(rule({ ...everything, orderCancelledAt: null, refundedFully: false, suppression: null })).toBe("no_marketing_consent");
    expect(rule({ ...everything, orderCancelledAt: null, refundedFully: false, suppression: null, marketingConsent: "SUBSCRIBED" })).toBe(
      "ordered_again",
    );
  });
});

describe("skip reason catalogue", () => {
  const examples: SkipReason[] = [
    { code: "order_cancelled" },
    { code: "order_refunded" },
    { code: "ordered_again", orderedAt: new Date("2026-05-06T08:15:00Z"), timeZone: "America/New_York" },
    { code: "unsubscribed", scope: "all", source: "suppression" },
    { code: "suppressed", suppression: "hard_bounce", scope: "all" },
    { code: "no_marketing_consent", consentState: "NOT_SUBSCRIBED" },
    { code: "service_emails_blocked" },
    { code: "frequency_cap", maxSends: 2, periodHours: 48, sentInPeriod: 2, nextAllowedAt: new Date("2026-05-06T08:15:00Z"), timeZone: "UTC" },
    { code: "conditions_not_met", failed: ["Order total: 20.00 USD is less than 50 USD."] },
    { code: "step_conditions_not_met", failed: ['Previous step: the customer opened "Step 1"; this step is for customers who neither opened nor clicked it.'] },
    { code: "plan_limit", planName: "Free", allowance: 500, renewsAt: new Date("2026-06-01T00:00:00Z"), timeZone: "UTC" },
    {
      code: "outside_send_window",
      window: "Mon–Fri 9:00–18:00",
      timeZone: "Europe/Warsaw",
      requestedAt: new Date("2026-05-04T17:00:00Z"),
      movedTo: new Date("2026-05-05T07:00:00Z"),
    },
    { code: "send_failed", error: "SendGrid refused the message (400): invalid from address.", attempts: 1 },
    { code: "no_email" },
    { code: "app_uninstalled" },
    { code: "sending_disabled" },
    { code: "flow_turned_off", flowName: "Thank you + recommendations" },
    { code: "step_deleted" },
    { code: "not_applicable", why: "The order has no consumable product to remind about." },
    { code: "review_already_requested", askedRecently: ["Juniper Candle", "Olive Board"], alreadyReviewed: ["Linen Napkins"], reaskDays: 365 },
  ];

  it("has an example here for every code, so none goes untested", () => {
    expect(examples.map((e) => e.code).sort()).toEqual([...SKIP_REASON_CODES].sort());
  });

  it("gives every reason a sentence, with its parameters filled in", () => {
    const texts = Object.fromEntries(examples.map((e) => [e.code, describeSkipReason(e)]));
    for (const text of Object.values(texts)) {
      expect(text).toMatch(/^[A-Z].*[.:)]/);
      expect(text).not.toMatch(/undefined|null|NaN|\[object|Invalid DateTime/);
    }
    expect(texts.ordered_again).toBe("The customer ordered again on Wed 6 May 2026 4:15, and this flow stops when they do.");
    expect(texts.frequency_cap).toBe(
      "Smart sending: the customer already received 2 marketing emails in the last 2 days (limit 2); the next may go out from Wed 6 May 2026 8:15 UTC.",
    );
    expect(texts.conditions_not_met).toBe("The order does not meet the flow's conditions: Order total: 20.00 USD is less than 50 USD.");
    expect(texts.outside_send_window).toBe("Outside the send window (Mon–Fri 9:00–18:00 Europe/Warsaw); moved to Tue 9:00.");
    expect(texts.send_failed).toBe("Sending failed after 1 attempt: SendGrid refused the message (400): invalid from address.");
    expect(describeSkipReason({ code: "send_failed", error: "Timed out.", attempts: 8 })).toBe("Sending failed after 8 attempts: Timed out.");
    expect(describeSkipReason({ code: "send_failed", error: "Timed out.", attempts: null })).toBe("Sending failed: Timed out.");
    expect(texts.flow_turned_off).toBe('The flow "Thank you + recommendations" was turned off.');
    expect(texts.review_already_requested).toBe(
      'No product left to ask a review for: "Juniper Candle" and "Olive Board" were asked about within the last 365 days; "Linen Napkins" was already reviewed.',
    );
  });

  it("keeps the texts the dispatcher already writes", () => {
    expect(describeSkipReason({ code: "app_uninstalled" })).toBe("The app was uninstalled from the shop.");
    expect(describeSkipReason({ code: "sending_disabled" })).toBe("Sending is turned off for this shop.");
    expect(describeSkipReason({ code: "order_cancelled" })).toBe("The order was cancelled.");
    expect(describeSkipReason({ code: "step_deleted" })).toBe("The flow step was deleted.");
    expect(describeSkipReason({ code: "not_applicable", why: "Nothing to remind about." })).toBe("Nothing to remind about.");
    expect(describeSkipReason({ code: "no_email" })).toBe("The order has no email address to send to.");
  });

  it("says what status each reason leaves the follow-up in", () => {
    expect(SKIP_REASON_STATUS.order_cancelled).toBe("cancelled");
    expect(SKIP_REASON_STATUS.frequency_cap).toBe("skipped");
    expect(SKIP_REASON_STATUS.send_failed).toBe("failed");
    expect(SKIP_REASON_STATUS.outside_send_window).toBe("scheduled");
  });

  it("makes a storable record: code, text and JSON parameters", () => {
    const record = skipRecord(examples[7]);
    expect(record).toEqual({
      code: "frequency_cap",
      text: describeSkipReason(examples[7]),
      params: { maxSends: 2, periodHours: 48, sentInPeriod: 2, nextAllowedAt: "2026-05-06T08:15:00.000Z", timeZone: "UTC" },
    });
    expect(JSON.parse(JSON.stringify(record))).toEqual(record);
    expect(skipRecord({ code: "order_cancelled" })).toEqual({ code: "order_cancelled", text: "The order was cancelled.", params: {} });
    expect(skipRecord({ code: "no_marketing_consent", consentState: null }).params).toEqual({ consentState: null });
  });
});
