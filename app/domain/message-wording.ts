// What happened to a follow-up, in the merchant's words: why a send failed and whether trying
// again can help, and each timeline step (ours and SendGrid's events) as a short sentence.
// The technical text (SMTP lines, HTTP statuses, ids) stays with the caller for a details view.

import type { FailureCode } from "./failure-codes";

export type FailureKind =
  | "invalid_address"
  | "suppressed"
  | "email_refused"
  | "email_too_large"
  | "api_key_refused"
  | "sender_not_verified"
  | "no_sender"
  | "rate_limited"
  | "mail_service_down"
  | "mail_service_slow"
  | "mail_service_unreachable"
  | "shopify_unavailable"
  | "interrupted"
  | "test_send"
  | "unknown";

// The one thing the merchant can do about it. Only "retry" sends again; the others open the page
// where the cause is fixed.
export type FailureAction = "retry" | "open_order" | "edit_flow" | "open_sender" | "open_settings" | "open_suppressions" | null;

export interface FailureExplanation {
  kind: FailureKind;
  cause: string;
  // Sending the same email again, unchanged, can succeed: the cause was temporary.
  retryHelps: boolean;
  action: FailureAction;
}

const FAILURES: Record<FailureKind, Omit<FailureExplanation, "kind">> = {
  invalid_address: {
    cause: "The customer's email address is not valid, so it cannot receive email. Sending again will fail the same way.",
    retryHelps: false,
    action: "open_order",
  },
  suppressed: {
    cause: "The address is on your suppression list (it bounced, unsubscribed or complained before), so Afterglow will not email it.",
    retryHelps: false,
    action: "open_suppressions",
  },
  email_refused: {
    cause: "SendGrid refused the email because of how it is put together. Change the flow step; sending it unchanged will fail again.",
    retryHelps: false,
    action: "edit_flow",
  },
  email_too_large: {
    cause: "The email is larger than SendGrid accepts. Make the flow step's email smaller.",
    retryHelps: false,
    action: "edit_flow",
  },
  api_key_refused: {
    cause: "SendGrid did not accept the API key Afterglow sends with. Set a valid key with Mail Send access.",
    retryHelps: false,
    action: "open_settings",
  },
  sender_not_verified: {
    cause: "SendGrid refused to send from your sender address because it is not verified. Verify the address or its domain.",
    retryHelps: false,
    action: "open_sender",
  },
  no_sender: {
    cause: "No sender address is set, so there was nothing to send the email from.",
    retryHelps: false,
    action: "open_settings",
  },
  rate_limited: {
    cause: "SendGrid was busy (the account's sending limit was reached) every time Afterglow tried.",
    retryHelps: true,
    action: "retry",
  },
  mail_service_down: {
    cause: "SendGrid had a temporary problem every time Afterglow tried.",
    retryHelps: true,
    action: "retry",
  },
  mail_service_slow: {
    cause: "SendGrid did not answer in time. The email may still have gone out; check the timeline before sending again.",
    retryHelps: true,
    action: "retry",
  },
  mail_service_unreachable: {
    cause: "Afterglow could not reach SendGrid every time it tried.",
    retryHelps: true,
    action: "retry",
  },
  shopify_unavailable: {
    cause: "Shopify did not say in time whether the customer agreed to email marketing, so the email was held and then given up.",
    retryHelps: true,
    action: "retry",
  },
  interrupted: {
    cause: "Sending was interrupted several times before it could finish.",
    retryHelps: true,
    action: "retry",
  },
  test_send: {
    cause: "This test email could not be sent. Send another test from the flow.",
    retryHelps: false,
    action: "edit_flow",
  },
  unknown: {
    cause: "The email could not be sent.",
    retryHelps: true,
    action: "retry",
  },
};

// Field names in SendGrid's 400 answer that point at the recipient's address.
const ADDRESS_FIELD = /personalizations\.\d+\.(to|cc|bcc)\.\d+\.email|to\.email|invalid (email )?address|does not contain a valid address/i;

function kindOf(error: string): FailureKind {
  if (/^Test send failed/i.test(error)) return "test_send";
  if (/No sender address/i.test(error)) return "no_sender";
  if (/\(HTTP 400\)/.test(error)) return ADDRESS_FIELD.test(error) ? "invalid_address" : "email_refused";
  if (/\(HTTP 401\)/.test(error)) return "api_key_refused";
  if (/\(HTTP 403\)/.test(error)) return "sender_not_verified";
  if (/\(HTTP 413\)|larger than SendGrid accepts/i.test(error)) return "email_too_large";
  if (/could not be prepared for SendGrid|contains a line break/i.test(error)) return "email_refused";
  if (/rate limit/i.test(error)) return "rate_limited";
  if (/temporary problem \(HTTP 5\d\d\)|\(HTTP 5\d\d\)|\(HTTP 408\)/.test(error)) return "mail_service_down";
  if (/did not answer within/i.test(error)) return "mail_service_slow";
  if (/Could not reach SendGrid/i.test(error)) return "mail_service_unreachable";
  if (/Shopify did not answer/i.test(error)) return "shopify_unavailable";
  if (/the last one did not finish/i.test(error)) return "interrupted";
  if (/\(HTTP 4\d\d\)/.test(error)) return "email_refused";
  return "unknown";
}

// The stored code, in the page's finer words; the text only tells apart what the code does not
// (too large or otherwise refused, down or slow or unreachable).
function kindOfCode(code: FailureCode, error: string): FailureKind {
  const fromText = kindOf(error);
  switch (code) {
    case "recipient_rejected":
      return "invalid_address";
    case "template_error":
      return fromText === "email_too_large" ? fromText : "email_refused";
    case "provider_unavailable":
      return fromText === "mail_service_slow" || fromText === "mail_service_unreachable" ? fromText : "mail_service_down";
    default:
      return code;
  }
}

// The failure as recorded: its code and when (app/domain/failure-codes.ts); older failures have none.
export interface RecordedFailure {
  code: FailureCode;
  at: Date;
}

/**
 * Why a failed follow-up did not go out: from its stored code, or for older failures the error
 * text the dispatcher kept. A recipient now on the suppression list outranks the cause: whatever
 * it was, the next attempt would be skipped. A cause in the merchant's setup that has been fixed
 * since (the sender verified after the failure, a sender address set, the SendGrid key changed
 * after the failure) makes sending again worth it. A test send says its cause too, and is sent
 * again from the flow.
 */
export function explainFailure({
  error,
  suppressed = false,
  failure = null,
  senderVerifiedAt = null,
  senderSetNow = false,
  sendKeyChangedAt = null,
}: {
  error: string | null;
  suppressed?: boolean;
  failure?: RecordedFailure | null;
  senderVerifiedAt?: Date | null;
  // The shop has a sender address now (app/domain/sender.ts senderAddress).
  senderSetNow?: boolean;
  // When the shop's own SendGrid key was last set or removed.
  sendKeyChangedAt?: Date | null;
}): FailureExplanation {
  if (suppressed) return { kind: "suppressed", ...FAILURES.suppressed };
  const text = error ?? "";
  if (/^Test send failed/i.test(text)) return explainTestSend(failure);
  const kind: FailureKind = failure ? kindOfCode(failure.code, text) : kindOf(text);
  const since = (at: Date | null) => Boolean(failure && at && at > failure.at);
  const fixed: Partial<Record<FailureKind, boolean>> = {
    sender_not_verified: since(senderVerifiedAt),
    api_key_refused: since(sendKeyChangedAt),
    no_sender: senderSetNow,
  };
  const fixedCause = FIXED_SINCE[kind];
  if (fixed[kind] && fixedCause) return { kind, cause: fixedCause, retryHelps: true, action: "retry" };
  return { kind, ...FAILURES[kind] };
}

// A cause in the setup fixed since the failure: the same email can go now.
const FIXED_SINCE: Partial<Record<FailureKind, string>> = {
  sender_not_verified: "Your sender address was not verified when this follow-up was sent; it has been verified since, so it can be sent now.",
  api_key_refused: "SendGrid did not accept the API key when this follow-up was sent; the key has been changed since, so it can be sent now.",
  no_sender: "No sender address was set when this follow-up was sent; one is set now, so it can be sent now.",
};

// A test goes once, to the merchant, and is sent again from the flow: its cause when one was
// recorded; what is fixed elsewhere (the sender, the key) points there.
const TEST_SEND_CAUSES: Record<FailureCode, { cause: string; action: FailureAction }> = {
  sender_not_verified: { cause: "SendGrid refused your sender address because it is not verified. Verify the address or its domain, then send another test.", action: "open_sender" },
  no_sender: { cause: "No sender address is set. Set one, then send another test.", action: "open_settings" },
  api_key_refused: { cause: "SendGrid did not accept the API key Afterglow sends with. Set a valid key with Mail Send access, then send another test.", action: "open_settings" },
  recipient_rejected: { cause: "SendGrid refused the address it was sent to. Choose another of your store's addresses.", action: "edit_flow" },
  template_error: { cause: "SendGrid refused the email because of how it is put together. Change the step, then send another test.", action: "edit_flow" },
  provider_unavailable: { cause: "SendGrid had a temporary problem. Send another test in a moment.", action: "edit_flow" },
  rate_limited: { cause: "SendGrid was busy (the account's sending limit was reached). Send another test in a moment.", action: "edit_flow" },
  shopify_unavailable: { cause: "Shopify did not answer in time. Send another test in a moment.", action: "edit_flow" },
  interrupted: { cause: "Sending was interrupted. Send another test.", action: "edit_flow" },
  unknown: { cause: "Send another test from the flow.", action: "edit_flow" },
};

function explainTestSend(failure: RecordedFailure | null): FailureExplanation {
  if (!failure) return { kind: "test_send", ...FAILURES.test_send };
  const { cause, action } = TEST_SEND_CAUSES[failure.code];
  return { kind: "test_send", cause: `This test email could not be sent. ${cause}`, retryHelps: false, action };
}

// --- The timeline ---------------------------------------------------------------------------

export type TimelineTone = "success" | "critical" | "attention" | "info" | undefined;

// What SendGrid told us about one event, beside its type, when we still hold it.
export interface DeliveryFacts {
  status?: string | null; // enhanced status code, e.g. 5.1.1
  bounceType?: string | null; // "bounce" or "blocked"
  bounceClassification?: string | null; // e.g. "Invalid Address"
  reason?: string | null; // the receiving server's answer or SendGrid's reason
  machineOpen?: boolean;
  url?: string | null;
}

export interface TimelineWording {
  title: string;
  // A second line a merchant can read, when there is one.
  description: string | null;
  tone: TimelineTone;
}

// Bounces whose enhanced status or SendGrid's classification mean the mailbox is not there.
function addressMissing(f: DeliveryFacts): boolean {
  return /^5\.1\.[0-3]$/.test(f.status ?? "") || /invalid address|unknown user|no such user|does not exist|user unknown/i.test(`${f.bounceClassification ?? ""} ${f.reason ?? ""}`);
}

function describeBounce(f: DeliveryFacts): string {
  if (f.bounceType === "blocked") return "Blocked: the recipient's mail server refused it";
  if (addressMissing(f)) return "Bounced: the address does not exist";
  if (/^5\.2\.2$/.test(f.status ?? "") || /mailbox full|over quota/i.test(`${f.bounceClassification ?? ""} ${f.reason ?? ""}`)) {
    return "Bounced: the recipient's mailbox is full";
  }
  if (/reputation|spam|content/i.test(f.bounceClassification ?? "")) return "Bounced: the recipient's mail server treated it as spam";
  return "Bounced: the recipient's mail server refused it";
}

// SendGrid's dropped reasons: it did not even try, because of an earlier outcome.
function describeDrop(reason: string | null | undefined): string {
  const r = reason ?? "";
  if (/bounced address/i.test(r)) return "Not sent by SendGrid: earlier emails to this address bounced";
  if (/unsubscribed address/i.test(r)) return "Not sent by SendGrid: the customer unsubscribed earlier";
  if (/spam reporting address/i.test(r)) return "Not sent by SendGrid: the customer marked an earlier email as spam";
  if (/invalid/i.test(r)) return "Not sent by SendGrid: the address is not valid";
  return "Not sent by SendGrid";
}

function sentenceCase(type: string): string {
  const words = type.replace(/[_-]+/g, " ").trim();
  return words ? words[0].toUpperCase() + words.slice(1) : "Update";
}

/**
 * One timeline entry in the merchant's words. `detail` is what was recorded with it: for our own
 * steps already a merchant's sentence (a skip reason, a cancellation); for failures and SendGrid's
 * events the technical text, which only feeds the classification here.
 */
export function describeTimelineEntry({ type, detail, facts = {} }: { type: string; detail: string | null; facts?: DeliveryFacts }): TimelineWording {
  switch (type) {
    case "scheduled":
      return { title: "Scheduled", description: null, tone: "info" };
    case "skipped":
      return { title: "Not sent", description: detail, tone: undefined };
    case "cancelled":
      return { title: "Cancelled", description: detail, tone: undefined };
    case "moved":
      return { title: "Moved into the send window", description: detail, tone: undefined };
    case "started_without_delivery":
      return { title: "Started without a delivery report", description: detail, tone: "info" };
    case "plan_limit":
      return { title: "Held: this month's emails on the plan are used up", description: detail, tone: "attention" };
    case "released":
      return { title: "Released for sending", description: detail, tone: undefined };
    case "awaiting_shopify":
      return { title: "Waiting for Shopify to confirm the customer's consent", description: null, tone: "attention" };
    case "retry":
      return { title: "Could not send yet; trying again later", description: explainFailure({ error: detail }).cause, tone: "attention" };
    case "failed":
      return { title: "Not sent", description: explainFailure({ error: detail }).cause, tone: "critical" };
    case "retry_requested":
      return { title: "Sent again by you", description: null, tone: undefined };
    case "reclaimed":
    case "returned":
    case "resending":
      return { title: "Picked up again after an interruption", description: null, tone: undefined };
    case "sent":
    case "confirmed":
      return { title: "Sent", description: null, tone: "success" };
    case "processed":
      return { title: "Accepted by SendGrid", description: null, tone: undefined };
    case "delivered":
      return { title: "Delivered to the inbox", description: null, tone: "success" };
    case "deferred":
      return { title: "Delayed by the recipient's mail server", description: "SendGrid keeps trying for up to 72 hours.", tone: "attention" };
    case "bounce":
      return { title: describeBounce(facts), description: null, tone: "critical" };
    case "dropped":
      return { title: describeDrop(facts.reason ?? detail), description: null, tone: "critical" };
    case "open":
      return facts.machineOpen
        ? { title: "Opened", description: "Possibly by the mail app itself (Apple Mail Privacy Protection), not the customer.", tone: undefined }
        : { title: "Opened", description: null, tone: "success" };
    case "click":
      return { title: "Clicked a link", description: facts.url ?? null, tone: "success" };
    case "spamreport":
      return { title: "Marked as spam", description: "Afterglow will not email this address again.", tone: "critical" };
    case "unsubscribe":
      return { title: "Unsubscribed from all emails", description: null, tone: undefined };
    case "group_unsubscribe":
      return { title: "Unsubscribed from marketing emails", description: null, tone: undefined };
    case "group_resubscribe":
      return { title: "Subscribed to marketing emails again", description: null, tone: undefined };
    default:
      return { title: sentenceCase(type), description: null, tone: undefined };
  }
}

// A sent follow-up that never reached the inbox: its last bounce or drop, as the page's warning.
export function deliveryProblem(entries: { type: string; detail: string | null; facts?: DeliveryFacts }[]): string | null {
  const last = [...entries].reverse().find((e) => e.type === "bounce" || e.type === "dropped" || e.type === "delivered");
  if (!last || last.type === "delivered") return null;
  return describeTimelineEntry(last).title;
}
