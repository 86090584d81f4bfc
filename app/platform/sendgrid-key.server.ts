// SENDGRID_WEBHOOK_PUBLIC_KEY, SendGrid's Event Webhook verification key, read as the configuration
// is loaded (config.server.ts) so a bad key stops the start; the webhook verifies with the result.
import { createPublicKey, type KeyObject } from "node:crypto";

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
