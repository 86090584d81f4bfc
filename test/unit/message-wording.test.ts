import { describe, expect, it } from "vitest";
import { deliveryProblem, describeTimelineEntry, explainFailure } from "~/domain/message-wording";
import { FAILURE_CODES } from "~/domain/failure-codes";

const SUBJECT = "follow-up cf1 (juniper.myshopify.com)";

// The errors as the dispatcher keeps them (app/adapters/mail/sendgrid.server.ts, gates.ts,
// records.server.ts): "Sending failed after N attempts: …" is the skip reason; lastError is the text.
const ERRORS = {
  invalidAddress: `SendGrid rejected the email for ${SUBJECT} (HTTP 400): personalizations.0.to.0.email: Does not contain a valid address.. Fix these fields; sending it unchanged will fail again.`,
  badContent: `SendGrid rejected the email for ${SUBJECT} (HTTP 400): content.0.value: The content value must be a string at least one character in length.. Fix these fields; sending it unchanged will fail again.`,
  badKey: `SendGrid did not accept the API key (HTTP 401) while sending ${SUBJECT}. Set SENDGRID_API_KEY to a valid key with Mail Send access.`,
  unverifiedSender: `SendGrid refused to send ${SUBJECT} from hello@juniper.example (HTTP 403): The from address does not match a verified Sender Identity. Verify this sender (Sender Authentication in SendGrid) or give the API key Mail Send access.`,
  tooLarge: `The email for ${SUBJECT} is larger than SendGrid accepts (30 MB including attachments); make it smaller.`,
  rateLimit: `Sending failed: SendGrid's rate limit was reached while sending ${SUBJECT}; try again after 2026-12-07T13:05:00.000Z. Gave up after 8 attempts.`,
  outage: `Sending failed: SendGrid had a temporary problem (HTTP 503) while sending ${SUBJECT}; it can be retried. Gave up after 8 attempts.`,
  timeout: `Sending failed: SendGrid did not answer within 10000 ms while sending ${SUBJECT}. It may still deliver this email; a retry carries the same followUpId in custom_args. Gave up after 8 attempts.`,
  unreachable: `Sending failed: Could not reach SendGrid at api.sendgrid.com while sending ${SUBJECT} (ECONNREFUSED); it can be retried. Gave up after 8 attempts.`,
  noSender: "No sender address: set the shop's sender email (or AFTERGLOW_FROM_EMAIL).",
  shopify: "Shopify did not answer about the customer's email marketing consent from the due time 2026-12-07T10:00:00.000Z until 2026-12-08T10:00:00.000Z, so the email was not sent (the customer did not refuse it). Last answer: 503",
  interrupted: "Gave up after 8 attempts; the last one did not finish.",
  testSend: "Test send failed: Could not store follow-up cf1 in the outbox: database is locked",
};

describe("why a follow-up failed, in the merchant's words", () => {
  it.each([
    ["invalidAddress", "invalid_address", false, "open_order"],
    ["badContent", "email_refused", false, "edit_flow"],
    ["badKey", "api_key_refused", false, "open_settings"],
    ["unverifiedSender", "sender_not_verified", false, "open_sender"],
    ["tooLarge", "email_too_large", false, "edit_flow"],
    ["noSender", "no_sender", false, "open_settings"],
    ["testSend", "test_send", false, "edit_flow"],
    ["rateLimit", "rate_limited", true, "retry"],
    ["outage", "mail_service_down", true, "retry"],
    ["timeout", "mail_service_slow", true, "retry"],
    ["unreachable", "mail_service_unreachable", true, "retry"],
    ["shopify", "shopify_unavailable", true, "retry"],
    ["interrupted", "interrupted", true, "retry"],
  ] as const)("%s: %s, a retry %s help, action %s", (key, kind, retryHelps, action) => {
    const explained = explainFailure({ error: ERRORS[key] });
    expect(explained).toMatchObject({ kind, retryHelps, action });
    // One sentence a merchant reads: none of the developer's text comes through.
    expect(explained.cause).not.toMatch(/HTTP|follow-up cf1|myshopify|SENDGRID_API_KEY|custom_args|\d{4}-\d{2}-\d{2}T/);
  });

  it("offers a retry only when one can help", () => {
    const permanent = ["invalidAddress", "badContent", "badKey", "unverifiedSender", "tooLarge", "noSender", "testSend"] as const;
    for (const key of permanent) expect(explainFailure({ error: ERRORS[key] }).action, key).not.toBe("retry");
  });

  it("a recipient on the suppression list outranks a temporary error: the next attempt would be skipped", () => {
    expect(explainFailure({ error: ERRORS.outage, suppressed: true })).toMatchObject({ kind: "suppressed", retryHelps: false, action: "open_suppressions" });
  });

  it("an error it does not know is still a sentence, and may be retried", () => {
    expect(explainFailure({ error: "something odd" })).toMatchObject({ kind: "unknown", cause: "The email could not be sent.", retryHelps: true });
    // A missing sender set since: sending again can go now; still missing, it cannot.
    const noSender = { code: "no_sender" as const, at: new Date("2026-12-01T10:00:00Z") };
    expect(explainFailure({ error: "x", failure: noSender })).toMatchObject({ kind: "no_sender", retryHelps: false, action: "open_settings" });
    expect(explainFailure({ error: "x", failure: noSender, senderSetNow: true })).toMatchObject({ kind: "no_sender", retryHelps: true, action: "retry" });
    // A refused key changed after the failure: sending again can go; changed before, it cannot.
    const keyRefused = { code: "api_key_refused" as const, at: noSender.at };
    expect(explainFailure({ error: "x", failure: keyRefused, sendKeyChangedAt: new Date(noSender.at.getTime() - 1) })).toMatchObject({ retryHelps: false, action: "open_settings" });
    expect(explainFailure({ error: "x", failure: keyRefused, sendKeyChangedAt: new Date(noSender.at.getTime() + 1) })).toMatchObject({ kind: "api_key_refused", retryHelps: true, action: "retry" });
    // A test send with its code says the cause and where it is fixed, never Retry now.
    for (const code of FAILURE_CODES) {
      const test = explainFailure({ error: "Test send failed: x", failure: { code, at: noSender.at }, senderSetNow: true, senderVerifiedAt: new Date() });
      expect(test.kind, code).toBe("test_send");
      expect(test.retryHelps, code).toBe(false);
      expect(test.action, code).not.toBe("retry");
      expect(test.cause, code).toMatch(/^This test email could not be sent\. \S/);
    }
    expect(explainFailure({ error: "Test send failed: x", failure: { code: "api_key_refused", at: noSender.at } }).action).toBe("open_settings");
    expect(explainFailure({ error: null }).kind).toBe("unknown");
  });
});

describe("the timeline in the merchant's words", () => {
  it("SendGrid's events", () => {
    expect(describeTimelineEntry({ type: "delivered", detail: "Delivered: 250 2.0.0 OK 1700000000 a1si123 - gsmtp" })).toEqual({
      title: "Delivered to the inbox",
      description: null,
      tone: "success",
    });
    expect(describeTimelineEntry({ type: "open", detail: "Opened" }).title).toBe("Opened");
    expect(describeTimelineEntry({ type: "open", detail: null, facts: { machineOpen: true } }).description).toMatch(/Apple Mail Privacy Protection/);
    expect(describeTimelineEntry({ type: "click", detail: null, facts: { url: "https://juniper.example/p/1" } })).toMatchObject({
      title: "Clicked a link",
      description: "https://juniper.example/p/1",
    });
    expect(describeTimelineEntry({ type: "processed", detail: null }).title).toBe("Accepted by SendGrid");
    expect(describeTimelineEntry({ type: "deferred", detail: "Delayed: 421 4.7.0 Try again later" }).title).toBe("Delayed by the recipient's mail server");
    expect(describeTimelineEntry({ type: "spamreport", detail: null }).title).toBe("Marked as spam");
    expect(describeTimelineEntry({ type: "group_unsubscribe", detail: null }).title).toBe("Unsubscribed from marketing emails");
  });

  it("bounces by their cause, never the SMTP line", () => {
    const smtp = "550 5.1.1 The email account that you tried to reach does not exist.";
    expect(describeTimelineEntry({ type: "bounce", detail: `Bounced: ${smtp}`, facts: { status: "5.1.1", reason: smtp, bounceType: "bounce" } }).title).toBe(
      "Bounced: the address does not exist",
    );
    expect(describeTimelineEntry({ type: "bounce", detail: null, facts: { bounceClassification: "Invalid Address" } }).title).toBe("Bounced: the address does not exist");
    expect(describeTimelineEntry({ type: "bounce", detail: null, facts: { status: "5.2.2", reason: "552 5.2.2 Mailbox full" } }).title).toBe(
      "Bounced: the recipient's mailbox is full",
    );
    expect(describeTimelineEntry({ type: "bounce", detail: null, facts: { bounceType: "blocked", status: "5.7.1" } }).title).toBe(
      "Blocked: the recipient's mail server refused it",
    );
    expect(describeTimelineEntry({ type: "dropped", detail: null, facts: { reason: "Bounced Address" } }).title).toBe(
      "Not sent by SendGrid: earlier emails to this address bounced",
    );
  });

  it("our own steps: a failure by its cause, a skip by its reason", () => {
    expect(describeTimelineEntry({ type: "failed", detail: ERRORS.invalidAddress })).toEqual({
      title: "Not sent",
      description: explainFailure({ error: ERRORS.invalidAddress }).cause,
      tone: "critical",
    });
    expect(describeTimelineEntry({ type: "retry", detail: `${ERRORS.outage} Next attempt at 2026-12-07T13:10:00.000Z.` }).title).toBe(
      "Could not send yet; trying again later",
    );
    expect(describeTimelineEntry({ type: "skipped", detail: "The order was fully refunded." })).toMatchObject({ title: "Not sent", description: "The order was fully refunded." });
    expect(describeTimelineEntry({ type: "retry_requested", detail: "Retried by the merchant." }).title).toBe("Sent again by you");
    expect(describeTimelineEntry({ type: "something_new", detail: null }).title).toBe("Something new");
  });

  it("a sent email's delivery problem is its last bounce or drop, unless it was delivered after", () => {
    const bounce = { type: "bounce", detail: null, facts: { status: "5.1.1" } };
    expect(deliveryProblem([{ type: "processed", detail: null }, bounce])).toBe("Bounced: the address does not exist");
    expect(deliveryProblem([{ type: "processed", detail: null }, { type: "delivered", detail: null }])).toBeNull();
    expect(deliveryProblem([])).toBeNull();
  });
});
