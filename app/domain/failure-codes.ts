// Why a follow-up failed, as a code kept with the failure: a closed set the message page decides
// on (its words, whether "Retry now" shows), instead of reading the providers' error text, which
// changes with the provider and its wording.

export const FAILURE_CODES = [
  // The merchant's setup: fixed in Afterglow or the mail provider, then worth sending again.
  "sender_not_verified",
  "no_sender",
  "api_key_refused",
  // The email or its recipient: sending it unchanged fails the same way.
  "recipient_rejected",
  "template_error",
  // Passing: the provider or Shopify was down or busy.
  "provider_unavailable",
  "rate_limited",
  "shopify_unavailable",
  "interrupted",
  "unknown",
] as const;

export type FailureCode = (typeof FAILURE_CODES)[number];

export const isFailureCode = (value: unknown): value is FailureCode => (FAILURE_CODES as readonly unknown[]).includes(value);

// Causes the merchant fixes in their setup; once fixed, the same email can go.
export const SETUP_FAILURES: readonly FailureCode[] = ["sender_not_verified", "no_sender", "api_key_refused"];

// What a mail transport's error carries (app/adapters/mail/transport.ts SendError): the provider's
// HTTP status when it answered, and its text.
export interface TransportFailure {
  status?: number;
  message: string;
  details?: string;
}

// Field names in a provider's 4xx answer that point at the recipient's address (SendGrid's
// personalizations, Postmark's "Invalid 'To' address").
const RECIPIENT_FIELD = /personalizations\.\d+\.(to|cc|bcc)\.\d+\.email|to\.email|invalid (email )?address|does not contain a valid address|invalid 'to' address|inactive recipient|marked as inactive/i;
// Postmark answers 422 with an ErrorCode for an unverified sender signature.
const SENDER_NOT_VERIFIED = /sender signature|verified sender identity|not a verified|from address does not match/i;

/** The one mapping from a mail transport's error to a failure code. */
export function failureCodeOfTransportError(error: TransportFailure): FailureCode {
  const text = `${error.message} ${error.details ?? ""}`;
  const { status } = error;
  if (status === undefined) return /larger than|line break|could not be prepared/i.test(text) ? "template_error" : "provider_unavailable";
  if (status === 401) return "api_key_refused";
  if (status === 403 || SENDER_NOT_VERIFIED.test(text)) return "sender_not_verified";
  if (status === 429) return "rate_limited";
  if (status === 408 || status >= 500) return "provider_unavailable";
  // Any other answer refused this email (Postmark says so with a 200 and an ErrorCode).
  return RECIPIENT_FIELD.test(text) ? "recipient_rejected" : "template_error";
}
