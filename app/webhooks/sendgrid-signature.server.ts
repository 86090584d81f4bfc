// SendGrid's Signed Event Webhook: an ECDSA P-256 / SHA-256 signature (base64 DER) over the
// timestamp header followed by the raw body bytes. node:crypto verifies it natively.

import { verify, type KeyObject } from "node:crypto";

// The verification key is parsed with the configuration, so a bad one stops the start.
export { parseSendGridPublicKey, SendGridKeyError } from "../platform/sendgrid-key.server";

export const SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature";
export const TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp";
export const DEFAULT_TOLERANCE_SECONDS = 600;

export type SignatureFailure = "missing_signature" | "missing_timestamp" | "bad_timestamp" | "stale_timestamp" | "bad_signature";

export type SignatureCheck =
  | { ok: true; timestamp: number }
  | { ok: false; failure: SignatureFailure; message: string };

export function verifySendGridSignature({
  publicKey,
  signature,
  timestamp,
  body,
  now = new Date(),
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
}: {
  publicKey: KeyObject;
  signature: string | null;
  timestamp: string | null;
  body: Uint8Array;
  now?: Date;
  toleranceSeconds?: number;
}): SignatureCheck {
  if (!signature) return { ok: false, failure: "missing_signature", message: `The ${SIGNATURE_HEADER} header is missing.` };
  if (!timestamp) return { ok: false, failure: "missing_timestamp", message: `The ${TIMESTAMP_HEADER} header is missing.` };
  if (!/^\d{1,12}$/.test(timestamp)) {
    return { ok: false, failure: "bad_timestamp", message: `The ${TIMESTAMP_HEADER} header is not a Unix time in seconds.` };
  }
  const seconds = Number(timestamp);
  // A signed request replayed later, or a clock far off: refuse either way.
  const skew = Math.abs(now.getTime() / 1000 - seconds);
  if (skew > toleranceSeconds) {
    return {
      ok: false,
      failure: "stale_timestamp",
      message: `The signature's timestamp is ${Math.round(skew)} s away from our clock (at most ${toleranceSeconds} s allowed).`,
    };
  }
  let valid = false;
  try {
    // The timestamp header's exact characters, then the body's exact bytes.
    const signed = Buffer.concat([Buffer.from(timestamp, "utf8"), body]);
    valid = verify("sha256", signed, { key: publicKey, dsaEncoding: "der" }, Buffer.from(signature, "base64"));
  } catch {
    valid = false;
  }
  if (!valid) return { ok: false, failure: "bad_signature", message: "The signature does not match the body." };
  return { ok: true, timestamp: seconds };
}
