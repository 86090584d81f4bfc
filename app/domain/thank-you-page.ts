// What the thank-you and order status pages tell a buyer about what happens next: when the care
// guide arrives, worked out from the shop's flows, and where to ask for help.
import type { FlowDefinition, FlowTrigger } from "./flows";

// The first care guide a new order would get: how long after its trigger, and whether the flow
// has entry conditions (then it only comes for some products).
export interface CareGuideTiming {
  flow: string;
  trigger: Exclude<FlowTrigger, "shopify_flow">;
  minutesAfterTrigger: number;
  conditional: boolean;
}

const MINUTES: Record<string, number> = { minutes: 1, hours: 60, days: 1440, days_at: 1440 };

// A step's delay counts from the previous step unless it says "trigger"; "N days later at HH:MM"
// counts as N days (the time of day is the buyer's, which the page does not know).
function stepOffsets(flow: FlowDefinition): number[] {
  const offsets: number[] = [];
  flow.steps.forEach((step, i) => {
    const own = step.delay.amount * (MINUTES[step.delay.unit] ?? 0);
    const from = step.delay.from === "trigger" || i === 0 ? 0 : offsets[i - 1];
    offsets.push(from + own);
  });
  return offsets;
}

export function careGuideTiming(flows: FlowDefinition[]): CareGuideTiming | null {
  let best: CareGuideTiming | null = null;
  for (const flow of flows) {
    // A flow started from Shopify Flow runs when the merchant's workflow says: no time to promise.
    if (!flow.active || flow.trigger === "shopify_flow") continue;
    const offsets = stepOffsets(flow);
    flow.steps.forEach((step, i) => {
      if (step.template !== "care-guide") return;
      const candidate = { flow: flow.name, trigger: flow.trigger as CareGuideTiming["trigger"], minutesAfterTrigger: offsets[i], conditional: Boolean(flow.conditions) };
      // An unconditional guide is the promise the page can make; a conditional one only if none is.
      const better = !best || (best.conditional && !candidate.conditional) || (best.conditional === candidate.conditional && rank(candidate) < rank(best));
      if (better) best = candidate;
    });
  }
  return best;
}

// Triggers in the order they happen to an order, so "soonest" compares across flows.
const TRIGGER_ORDER: CareGuideTiming["trigger"][] = ["order_created", "order_paid", "order_fulfilled", "order_delivered"];
const rank = (t: CareGuideTiming) => TRIGGER_ORDER.indexOf(t.trigger) * 1e9 + t.minutesAfterTrigger;

const AFTER: Record<CareGuideTiming["trigger"], string> = {
  order_created: "after you placed your order",
  order_paid: "after your payment goes through",
  order_fulfilled: "after your order ships",
  order_delivered: "after your order is delivered",
};

function howLong(minutes: number): string {
  if (minutes <= 0) return "right";
  if (minutes < 60) return `about ${minutes} minute${minutes === 1 ? "" : "s"}`;
  if (minutes < 1440) {
    const hours = Math.round(minutes / 60);
    return `about ${hours} hour${hours === 1 ? "" : "s"}`;
  }
  const days = Math.round(minutes / 1440);
  return `about ${days} day${days === 1 ? "" : "s"}`;
}

// "Your care guide arrives by email about 3 days after your order is delivered."
export function careGuideSentence(timing: CareGuideTiming): string {
  const when = `${howLong(timing.minutesAfterTrigger)} ${AFTER[timing.trigger]}`;
  return timing.conditional
    ? `If it applies to what you bought, a care guide arrives by email ${when}.`
    : `Your care guide arrives by email ${when}.`;
}

export function helpSentence(contactEmail: string | null): string | null {
  return contactEmail ? `Questions about your order? Write to ${contactEmail}.` : null;
}

// What the page's block shows beside the sign-up checkbox: the "what happens next" lines.
export interface ThankYouPageContent {
  nextSteps: string[];
}

export function thankYouPageContent({
  offerEnabled,
  marketingState,
  careGuide,
  serviceEmailsAllowed,
  contactEmail,
}: {
  // The merchant's "Offer email sign-up on the thank-you page".
  offerEnabled: boolean;
  // Shopify's state of the order's customer's email address; null: no customer or no address.
  marketingState: string | null;
  careGuide: CareGuideTiming | null;
  serviceEmailsAllowed: boolean;
  contactEmail: string | null;
}): ThankYouPageContent | null {
  // Only an address that can be subscribed: not one already in, waiting for confirmation, bounced
  // or erased. Otherwise (or with the offer turned off) the block shows nothing at all.
  if (!offerEnabled || !canSignUp(marketingState)) return null;
  const nextSteps = [careGuide && serviceEmailsAllowed ? careGuideSentence(careGuide) : null, helpSentence(contactEmail)].filter((s): s is string => s !== null);
  return { nextSteps };
}

export function canSignUp(marketingState: string | null): boolean {
  return marketingState === "NOT_SUBSCRIBED" || marketingState === "UNSUBSCRIBED";
}
