// Whether a follow-up may go to a customer, from their email marketing consent as Shopify keeps it
// (Customer.defaultEmailAddress.marketingState). Plain decisions; reading Shopify happens elsewhere.

import { storableText } from "./order-facts";

export const EMAIL_MARKETING_STATES = [
  "SUBSCRIBED",
  "NOT_SUBSCRIBED",
  "UNSUBSCRIBED",
  "PENDING",
  "INVALID",
  "REDACTED",
] as const;
export type EmailMarketingState = (typeof EMAIL_MARKETING_STATES)[number];

export const MARKETING_OPT_IN_LEVELS = ["SINGLE_OPT_IN", "CONFIRMED_OPT_IN", "UNKNOWN"] as const;
export type MarketingOptInLevel = (typeof MARKETING_OPT_IN_LEVELS)[number];

export interface ConsentDecision {
  allowed: boolean;
  state: EmailMarketingState | null;
  reason: string;
}

// Webhook payloads spell states in lower case ("subscribed"), GraphQL in upper case.
export function normalizeMarketingState(value: unknown): EmailMarketingState | null {
  if (typeof value !== "string") return null;
  const upper = value.trim().toUpperCase();
  return (EMAIL_MARKETING_STATES as readonly string[]).includes(upper) ? (upper as EmailMarketingState) : null;
}

export function normalizeOptInLevel(value: unknown): MarketingOptInLevel | null {
  if (typeof value !== "string") return null;
  const upper = value.trim().toUpperCase();
  return (MARKETING_OPT_IN_LEVELS as readonly string[]).includes(upper) ? (upper as MarketingOptInLevel) : null;
}

// Only an explicit, confirmed subscription allows marketing: PENDING is a double opt-in the
// customer has not confirmed yet, NOT_SUBSCRIBED never agreed.
export function marketingAllowed(state: string | null | undefined): boolean {
  return state === "SUBSCRIBED";
}

const STATE_REASONS: Record<EmailMarketingState, string> = {
  SUBSCRIBED: "the customer is subscribed to email marketing",
  NOT_SUBSCRIBED: "the customer never subscribed to email marketing",
  UNSUBSCRIBED: "the customer unsubscribed from email marketing",
  PENDING: "the customer has not confirmed the email marketing subscription yet",
  INVALID: "Shopify marks the customer's email address as invalid",
  REDACTED: "the customer's data was erased",
};

export function describeMarketingState(state: EmailMarketingState): string {
  return STATE_REASONS[state];
}

export function marketingDecision(state: EmailMarketingState | null, source: string): ConsentDecision {
  if (!state) return { allowed: false, state: null, reason: `No email marketing consent is known (${source}).` };
  const allowed = marketingAllowed(state);
  return { allowed, state, reason: `${capitalize(describeMarketingState(state))} (${source}, ${state}).` };
}

// A guest checkout has no customer record, so nobody ever gave marketing consent.
export const GUEST_DECISION: ConsentDecision = {
  allowed: false,
  state: null,
  reason: "Guest order: there is no Shopify customer, so no email marketing consent.",
};

export function toCustomerGid(id: unknown): string | null {
  if (typeof id === "number" && Number.isSafeInteger(id) && id > 0) return `gid://shopify/Customer/${id}`;
  if (typeof id === "string") {
    const trimmed = id.trim();
    if (/^[1-9]\d*$/.test(trimmed)) return `gid://shopify/Customer/${trimmed}`;
    if (/^gid:\/\/shopify\/Customer\/[1-9]\d*$/.test(trimmed)) return trimmed;
  }
  return null;
}

export class InvalidConsentPayloadError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`The email marketing consent payload is not usable: ${problems.join("; ")}`);
    this.name = "InvalidConsentPayloadError";
    this.problems = problems;
  }
}

export interface ConsentUpdate {
  customerId: string; // gid://shopify/Customer/…
  email: string | null; // lower-cased
  state: EmailMarketingState;
  optInLevel: MarketingOptInLevel | null;
  consentUpdatedAt: Date | null;
}

// customers_email_marketing_consent/update:
// { customer_id, email_address, email_marketing_consent: { state, opt_in_level, consent_updated_at } }
export function consentFromWebhook(payload: unknown): ConsentUpdate {
  const problems: string[] = [];
  const body = isObject(payload) ? payload : {};
  if (!isObject(payload)) problems.push("the body is not a JSON object");
  const customerId = toCustomerGid(body.customer_id);
  if (!customerId) problems.push("customer_id is missing or not a customer id");
  const consent = isObject(body.email_marketing_consent) ? body.email_marketing_consent : null;
  if (!consent) problems.push("email_marketing_consent is missing");
  const state = normalizeMarketingState(consent?.state);
  if (consent && !state) problems.push(`email_marketing_consent.state "${String(consent.state)}" is not a marketing state`);
  let consentUpdatedAt: Date | null = null;
  if (consent?.consent_updated_at != null) {
    const at = new Date(String(consent.consent_updated_at));
    if (Number.isNaN(at.getTime())) problems.push("email_marketing_consent.consent_updated_at is not a date");
    else consentUpdatedAt = at;
  }
  if (problems.length) throw new InvalidConsentPayloadError(problems);
  const address = typeof body.email_address === "string" ? storableText(body.email_address).trim() : "";
  const email = address ? address.toLowerCase() : null;
  return {
    customerId: customerId!,
    email,
    state: state!,
    optInLevel: normalizeOptInLevel(consent?.opt_in_level),
    consentUpdatedAt,
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
