// The one catalogue of why a follow-up was not sent (or not sent when planned): a stable code
// with its parameters, and the sentence a merchant reads in the timeline.
import { DateTime } from "luxon";
import { isValidTimeZone } from "./step-timing";

export type SkipReason =
  | { code: "order_cancelled"; cancelReason?: string | null } // Shopify's cancel_reason: customer, fraud…
  | { code: "order_refunded" }
  | { code: "ordered_again"; orderedAt: Date; timeZone?: string | null }
  // scope "marketing": the customer left marketing follow-ups only; "all": every follow-up
  | { code: "unsubscribed"; scope: "all" | "marketing"; source: "suppression" | "consent" }
  // suppression: the Suppression row's reason (hard_bounce, spam_report, invalid, blocked, manual)
  | { code: "suppressed"; suppression: string; scope: "all" | "marketing" }
  // consentState: Shopify's email marketing state, null when we hold none for the customer
  // note: where the answer came from when it matters (e.g. Shopify unreachable, our copy used)
  | { code: "no_marketing_consent"; consentState: string | null; note?: string | null }
  | { code: "service_emails_blocked" }
  | {
      code: "frequency_cap";
      maxSends: number;
      periodHours: number;
      sentInPeriod: number;
      nextAllowedAt: Date;
      timeZone?: string | null;
    }
  | { code: "conditions_not_met"; failed: string[] }
  | { code: "step_conditions_not_met"; failed: string[] }
  | { code: "outside_send_window"; window: string; timeZone: string; requestedAt: Date; movedTo: Date }
  | { code: "send_failed"; error: string; attempts: number | null }
  | { code: "no_email" }
  | { code: "app_uninstalled" }
  | { code: "sending_disabled" }
  | { code: "flow_turned_off"; flowName: string }
  | { code: "step_deleted" }
  // The template has nothing to say for this order (e.g. a replenishment reminder without consumables).
  | { code: "not_applicable"; why: string }
  // A review request with no product left to ask about: each was asked about within `reaskDays`
  // (askedRecently) or the review app says the customer reviewed it (alreadyReviewed); product titles.
  | { code: "review_already_requested"; askedRecently: string[]; alreadyReviewed: string[]; reaskDays: number }
  // Held, not dropped: the shop's plan allows `allowance` emails a month and they are used up.
  // It goes out once the shop takes a bigger plan, or when the allowance renews at `renewsAt`.
  | { code: "plan_limit"; planName: string; allowance: number; renewsAt: Date; timeZone?: string | null };

export type SkipReasonCode = SkipReason["code"];

// What the follow-up's status becomes. outside_send_window only moves it; it stays scheduled.
export const SKIP_REASON_STATUS = {
  order_cancelled: "cancelled",
  order_refunded: "cancelled",
  ordered_again: "skipped",
  unsubscribed: "skipped",
  suppressed: "skipped",
  no_marketing_consent: "skipped",
  service_emails_blocked: "skipped",
  frequency_cap: "skipped",
  conditions_not_met: "skipped",
  step_conditions_not_met: "skipped",
  outside_send_window: "scheduled",
  send_failed: "failed",
  no_email: "skipped",
  app_uninstalled: "cancelled",
  sending_disabled: "skipped",
  flow_turned_off: "skipped",
  step_deleted: "skipped",
  not_applicable: "skipped",
  review_already_requested: "skipped",
  plan_limit: "scheduled",
} as const satisfies Record<SkipReasonCode, "cancelled" | "skipped" | "failed" | "scheduled">;

export const SKIP_REASON_CODES = Object.keys(SKIP_REASON_STATUS) as SkipReasonCode[];

const SUPPRESSION_TEXT: Record<string, string> = {
  hard_bounce: "earlier emails to this address bounced (it does not exist or refuses mail)",
  spam_report: "the customer marked an earlier email as spam",
  invalid: "the email address is not valid",
  blocked: "the recipient's mail server blocked earlier emails",
  manual: "the merchant added the address to the suppression list",
  unsubscribed: "the customer unsubscribed",
};

const CONSENT_TEXT: Record<string, string> = {
  NOT_SUBSCRIBED: "The customer has not subscribed to email marketing",
  PENDING: "The customer has not yet confirmed their email marketing subscription",
  INVALID: "The customer's email marketing status is invalid",
  REDACTED: "The customer's data was erased at their request",
  UNSUBSCRIBED: "The customer unsubscribed from email marketing",
};

export function formatLocalTime(
  at: Date,
  timeZone: string | null | undefined,
  style: "weekday" | "date" = "date",
): string {
  const zone = isValidTimeZone(timeZone) ? timeZone : "UTC";
  const local = DateTime.fromJSDate(at, { zone }).setLocale("en-GB");
  if (style === "weekday") return local.toFormat("ccc H:mm");
  return `${local.toFormat("ccc d LLL yyyy H:mm")}${zone.toUpperCase() === "UTC" ? " UTC" : ""}`;
}

export function formatPeriod(hours: number): string {
  if (hours % 24 === 0) return hours === 24 ? "day" : `${hours / 24} days`;
  return hours === 1 ? "hour" : `${hours} hours`;
}

// Where the new time is more than six days ahead, the weekday alone would be ambiguous.
function movedToText(requestedAt: Date, movedTo: Date, timeZone: string): string {
  const from = DateTime.fromJSDate(requestedAt, { zone: timeZone }).startOf("day");
  const to = DateTime.fromJSDate(movedTo, { zone: timeZone }).startOf("day");
  const days = Math.round(to.diff(from, "days").days);
  if (days <= 6) return formatLocalTime(movedTo, timeZone, "weekday");
  return DateTime.fromJSDate(movedTo, { zone: timeZone }).setLocale("en-GB").toFormat("ccc d LLL H:mm");
}

export function describeSkipReason(reason: SkipReason): string {
  switch (reason.code) {
    case "order_cancelled":
      return reason.cancelReason ? `The order was cancelled (${reason.cancelReason}).` : "The order was cancelled.";
    case "order_refunded":
      return "The order was fully refunded.";
    case "ordered_again":
      return `The customer ordered again on ${formatLocalTime(reason.orderedAt, reason.timeZone)}, and this flow stops when they do.`;
    case "unsubscribed":
      return reason.scope === "all"
        ? "The customer unsubscribed from all emails from this shop."
        : "The customer unsubscribed from marketing emails, and this step is a marketing email.";
    case "suppressed": {
      const why = SUPPRESSION_TEXT[reason.suppression] ?? `it is on the suppression list (${reason.suppression})`;
      const which = reason.scope === "all" ? "" : " for marketing emails";
      return `The address is suppressed${which}: ${why}.`;
    }
    case "no_marketing_consent": {
      const state = reason.consentState ? CONSENT_TEXT[reason.consentState] : undefined;
      const lead =
        state ??
        (reason.consentState
          ? `The customer's email marketing status is ${reason.consentState}`
          : "There is no record that the customer agreed to email marketing");
      return `${lead}, and this step is a marketing email.${reason.note ? ` ${reason.note}` : ""}`;
    }
    case "service_emails_blocked":
      return "Service emails are turned off for this customer.";
    case "frequency_cap": {
      const sends = reason.sentInPeriod === 1 ? "1 marketing email" : `${reason.sentInPeriod} marketing emails`;
      return (
        `Smart sending: the customer already received ${sends} in the last ${formatPeriod(reason.periodHours)} ` +
        `(limit ${reason.maxSends}); the next may go out from ${formatLocalTime(reason.nextAllowedAt, reason.timeZone)}.`
      );
    }
    case "conditions_not_met":
      return `The order does not meet the flow's conditions: ${reason.failed.join(" ")}`.trim();
    case "step_conditions_not_met":
      return `This step's condition was not met: ${reason.failed.join(" ")}`.trim();
    case "outside_send_window":
      return `Outside the send window (${reason.window} ${reason.timeZone}); moved to ${movedToText(reason.requestedAt, reason.movedTo, reason.timeZone)}.`;
    case "send_failed": {
      const tries = reason.attempts ? ` after ${reason.attempts} ${reason.attempts === 1 ? "attempt" : "attempts"}` : "";
      return `Sending failed${tries}: ${reason.error}`;
    }
    case "no_email":
      return "The order has no email address to send to.";
    case "app_uninstalled":
      return "The app was uninstalled from the shop.";
    case "sending_disabled":
      return "Sending is turned off for this shop.";
    case "flow_turned_off":
      return `The flow "${reason.flowName}" was turned off.`;
    case "step_deleted":
      return "The flow step was deleted.";
    case "not_applicable":
      return reason.why;
    case "review_already_requested": {
      const parts: string[] = [];
      if (reason.askedRecently.length) {
        const days = reason.reaskDays === 1 ? "day" : `${reason.reaskDays} days`;
        parts.push(`${quotedList(reason.askedRecently)} ${reason.askedRecently.length === 1 ? "was" : "were"} asked about within the last ${days}`);
      }
      if (reason.alreadyReviewed.length) {
        parts.push(`${quotedList(reason.alreadyReviewed)} ${reason.alreadyReviewed.length === 1 ? "was" : "were"} already reviewed`);
      }
      return `No product left to ask a review for: ${parts.join("; ")}.`;
    }
    case "plan_limit": {
      const emails = `${reason.allowance.toLocaleString("en-US")} ${reason.allowance === 1 ? "email" : "emails"}`;
      return (
        `Held: the ${reason.planName} plan includes ${emails} a month and this month's are used up. ` +
        `It goes out as soon as you choose a larger plan on the Plans page, or from ${formatLocalTime(reason.renewsAt, reason.timeZone)} when the allowance renews.`
      );
    }
  }
}

function quotedList(titles: string[]): string {
  const quoted = titles.map((t) => `"${t}"`);
  return quoted.length <= 1 ? (quoted[0] ?? "") : `${quoted.slice(0, -1).join(", ")} and ${quoted.at(-1)}`;
}

// The status, reason text and code stored on a follow-up that is not sent.
export function skipFields(reason: SkipReason): { skipReason: string; skipCode: SkipReasonCode } {
  return { skipReason: describeSkipReason(reason), skipCode: reason.code };
}

export type SkipParams = Record<string, string | number | boolean | string[] | null>;

// For storage beside the text (code and parameters as JSON), so reports can group by code
// and the text can be rewritten later without losing what happened.
export function skipRecord(reason: SkipReason): { code: SkipReasonCode; text: string; params: SkipParams } {
  const params: SkipParams = {};
  for (const [key, value] of Object.entries(reason)) {
    if (key === "code" || value === undefined) continue;
    params[key] = value instanceof Date ? value.toISOString() : (value as SkipParams[string]);
  }
  return { code: reason.code, text: describeSkipReason(reason), params };
}
