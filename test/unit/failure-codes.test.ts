import { describe, expect, it } from "vitest";
import { failureCodeOfTransportError, FAILURE_CODES, isFailureCode } from "~/domain/failure-codes";
import { explainFailure } from "~/domain/message-wording";

const SUBJECT = "follow-up cf1 (juniper.myshopify.com)";

// The transports' errors as app/adapters/mail/sendgrid.server.ts and postmark.server.ts make them.
describe("a failed send's code, from the transport's error", () => {
  it.each([
    ["SendGrid, unverified sender", { status: 403, message: `SendGrid refused to send ${SUBJECT} from hello@juniper.example (HTTP 403): The from address does not match a verified Sender Identity.` }, "sender_not_verified"],
    ["Postmark, no sender signature", { status: 422, message: `Postmark refused ${SUBJECT}`, details: "ErrorCode 400: The 'From' address you supplied (hello@juniper.example) is not a Sender Signature on your account." }, "sender_not_verified"],
    ["SendGrid, bad key", { status: 401, message: `SendGrid did not accept the API key (HTTP 401) while sending ${SUBJECT}.` }, "api_key_refused"],
    ["SendGrid, bad address", { status: 400, message: `SendGrid rejected the email for ${SUBJECT} (HTTP 400): personalizations.0.to.0.email: Does not contain a valid address.` }, "recipient_rejected"],
    ["Postmark, inactive recipient", { status: 422, message: `Postmark refused ${SUBJECT}`, details: "ErrorCode 406: You tried to send to recipient(s) that have been marked as inactive." }, "recipient_rejected"],
    ["SendGrid, bad content", { status: 400, message: `SendGrid rejected the email for ${SUBJECT} (HTTP 400): content.0.value: The content value must be a string.` }, "template_error"],
    ["SendGrid, too large", { status: 413, message: `The email for ${SUBJECT} is larger than SendGrid accepts.` }, "template_error"],
    ["a header with a line break (never sent)", { message: `Header "X-A" of ${SUBJECT} contains a line break; remove it from the email's headers.` }, "template_error"],
    ["Postmark, 200 with an ErrorCode", { status: 200, message: `Postmark did not accept the email for ${SUBJECT}: Invalid 'To' address`, details: "ErrorCode 300: Invalid 'To' address" }, "recipient_rejected"],
    ["rate limit", { status: 429, message: `SendGrid's rate limit was reached while sending ${SUBJECT}.` }, "rate_limited"],
    ["outage", { status: 503, message: `SendGrid had a temporary problem (HTTP 503) while sending ${SUBJECT}.` }, "provider_unavailable"],
    ["request timeout", { status: 408, message: "Postmark had a temporary problem (HTTP 408)." }, "provider_unavailable"],
    ["no answer", { message: `SendGrid did not answer within 10000 ms while sending ${SUBJECT}.` }, "provider_unavailable"],
    ["not reached", { message: `Could not reach SendGrid at api.sendgrid.com while sending ${SUBJECT} (ECONNREFUSED).` }, "provider_unavailable"],
  ] as const)("%s: %s", (_name, error, code) => {
    expect(failureCodeOfTransportError(error)).toBe(code);
  });

  it("is always one of the closed set", () => {
    expect(FAILURE_CODES).toContain("unknown");
    expect(isFailureCode("sender_not_verified")).toBe(true);
    expect(isFailureCode("Sender not verified")).toBe(false);
    expect(isFailureCode(null)).toBe(false);
  });
});

describe("the message page's words and Retry now, from the stored code", () => {
  const at = new Date("2026-12-07T10:00:00Z");
  it("uses the code over the text: a reworded provider error still reads right", () => {
    const explained = explainFailure({ error: "The provider said: from address not allowed", failure: { code: "sender_not_verified", at } });
    expect(explained).toMatchObject({ kind: "sender_not_verified", retryHelps: false, action: "open_sender" });
    expect(explainFailure({ error: "gibberish", failure: { code: "recipient_rejected", at } })).toMatchObject({ kind: "invalid_address", retryHelps: false });
    expect(explainFailure({ error: "gibberish", failure: { code: "provider_unavailable", at } })).toMatchObject({ retryHelps: true, action: "retry" });
  });

  it("offers Retry now once the sender is verified after the failure, not before it", () => {
    const later = new Date("2026-12-07T11:00:00Z");
    const earlier = new Date("2026-12-06T09:00:00Z");
    const fixed = explainFailure({ error: "x", failure: { code: "sender_not_verified", at }, senderVerifiedAt: later });
    expect(fixed).toMatchObject({ kind: "sender_not_verified", retryHelps: true, action: "retry" });
    expect(fixed.cause).toMatch(/verified since/);
    expect(explainFailure({ error: "x", failure: { code: "sender_not_verified", at }, senderVerifiedAt: earlier })).toMatchObject({ retryHelps: false, action: "open_sender" });
    expect(explainFailure({ error: "x", failure: { code: "sender_not_verified", at }, senderVerifiedAt: null })).toMatchObject({ retryHelps: false });
    // Another cause is not fixed by a verified sender.
    expect(explainFailure({ error: "x", failure: { code: "recipient_rejected", at }, senderVerifiedAt: later })).toMatchObject({ retryHelps: false });
  });

  it("a suppressed recipient still outranks everything", () => {
    expect(explainFailure({ error: "x", failure: { code: "sender_not_verified", at }, senderVerifiedAt: new Date("2026-12-08T00:00:00Z"), suppressed: true })).toMatchObject({ kind: "suppressed", retryHelps: false });
  });
});
