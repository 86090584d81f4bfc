// Exit rules, checked again just before each send: things change between scheduling and the
// due time (cancellations, refunds, unsubscribes, a new order).
import { describeSkipReason, type SkipReason } from "./skip-reasons";

export type StepCategory = "marketing" | "service";

// Shopify's EmailMarketingState.
export type MarketingConsentState = "SUBSCRIBED" | "NOT_SUBSCRIBED" | "UNSUBSCRIBED" | "PENDING" | "INVALID" | "REDACTED";

export interface ActiveSuppression {
  scope: "all" | "marketing";
  reason: string; // unsubscribed | hard_bounce | spam_report | invalid | blocked | manual
}

export interface ExitState {
  orderCancelledAt: Date | null;
  refundedFully: boolean;
  // The customer's latest order other than the one that triggered the flow, if any.
  customerOrderedAgainAt: Date | null;
  // The recipient's suppressions in this shop; an address may have one per scope.
  suppression: ActiveSuppression | readonly ActiveSuppression[] | null;
  marketingConsent: MarketingConsentState | null; // null: no consent on record
  // Where the consent answer came from, when the merchant should know (e.g. our copy was used).
  consentNote?: string | null;
  // The shop's policy; false: marketing steps go out without asking for consent.
  marketingConsentRequired?: boolean;
  serviceEmailsAllowed: boolean;
  triggeredAt: Date;
}

export type ExitRule =
  | "order_cancelled"
  | "order_refunded"
  | "unsubscribed"
  | "suppressed"
  | "service_emails_blocked"
  | "no_marketing_consent"
  | "ordered_again";

export type ExitDecision = { exit: false } | { exit: true; rule: ExitRule; reason: string; detail: SkipReason };

const exit = (detail: SkipReason & { code: ExitRule }): ExitDecision => ({
  exit: true,
  rule: detail.code,
  reason: describeSkipReason(detail),
  detail,
});

// Rules are checked in this order and the first that applies is reported: the order itself,
// then what the recipient asked for, then the flow's own goal (a new order).
export function evaluateExitRules({
  step,
  flow,
  state,
  timeZone,
}: {
  step: { category: StepCategory };
  flow: { exitOnNewOrder: boolean };
  state: ExitState;
  timeZone?: string | null; // for times in the reason; the shop's zone
}): ExitDecision {
  if (state.orderCancelledAt) return exit({ code: "order_cancelled" });
  if (state.refundedFully) return exit({ code: "order_refunded" });

  const given = state.suppression;
  const suppressions: readonly ActiveSuppression[] = given === null ? [] : "scope" in given ? [given] : given;
  const applying = suppressions
    .filter((s) => s.scope === "all" || step.category === "marketing")
    .sort((a, b) => (a.scope === b.scope ? 0 : a.scope === "all" ? -1 : 1));
  const suppression = applying[0];
  if (suppression) {
    return exit(
      suppression.reason === "unsubscribed"
        ? { code: "unsubscribed", scope: suppression.scope, source: "suppression" }
        : { code: "suppressed", suppression: suppression.reason, scope: suppression.scope },
    );
  }

  if (step.category === "service") {
    if (!state.serviceEmailsAllowed) return exit({ code: "service_emails_blocked" });
  } else if (state.marketingConsentRequired === false) {
    // The shop sends marketing without asking; suppressions above still apply.
  } else if (state.marketingConsent === "UNSUBSCRIBED") {
    return exit({ code: "unsubscribed", scope: "marketing", source: "consent" });
  } else if (state.marketingConsent !== "SUBSCRIBED") {
    return exit({ code: "no_marketing_consent", consentState: state.marketingConsent, note: state.consentNote ?? null });
  }

  const again = state.customerOrderedAgainAt;
  if (flow.exitOnNewOrder && again && again.getTime() > state.triggeredAt.getTime()) {
    return exit({ code: "ordered_again", orderedAt: again, timeZone });
  }
  return { exit: false };
}
