// SendGrid's Signed Event Webhook: an ECDSA P-256 / SHA-256 signature (base64 DER) over the
// timestamp header followed by the raw body bytes. node:crypto verifies it natively.

import { createPublicKey, verify, type KeyObject } from "node:crypto";

export const SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature";
export const TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp";
export const DEFAULT_TOLERANCE_SECONDS = 600;

export class SendGridKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SendGridKeyError";
  }
}

// SendGrid's settings page shows the verification key as base64 DER (SubjectPublicKeyInfo)
// without PEM armour; a PEM copy of the same key works too.
export function parseSendGridPublicKey(value: string): KeyObject {
  const trimmed = value.trim();
  if (!trimmed) throw new SendGridKeyError("SENDGRID_WEBHOOK_PUBLIC_KEY is empty.");
  let key: KeyObject;
  try {
    key = trimmed.includes("-----BEGIN")
      ? createPublicKey({ key: trimmed.replace(/\\n/g, "\n"), format: "pem" })
      : createPublicKey({ key: Buffer.from(trimmed.replace(/\s+/g, ""), "base64"), format: "der", type: "spki" });
  } catch (err) {
    throw new SendGridKeyError(
      "SENDGRID_WEBHOOK_PUBLIC_KEY is not a public key: paste the Verification Key from SendGrid's " +
        `Mail Settings > Event Webhook > Signature Verification as shown (base64), or as PEM. (${(err as Error).message})`,
    );
  }
  if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
    throw new SendGridKeyError(
      `SENDGRID_WEBHOOK_PUBLIC_KEY is a ${key.asymmetricKeyType} key${key.asymmetricKeyDetails?.namedCurve ? ` on ${key.asymmetricKeyDetails.namedCurve}` : ""}; ` +
        "SendGrid signs with ECDSA P-256.",
    );
  }
  return key;
}

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
