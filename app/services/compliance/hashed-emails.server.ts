// A redacted customer's suppressions stay, keyed by a one-way hash of the address, so they still
// block sends to it: every suppression lookup matches either form.
import { createHash } from "node:crypto";

// One-way key kept in Suppression.email after a customer is redacted.
export function hashedSuppressionEmail(email: string): string {
  return `sha256:${createHash("sha256").update(email.trim().toLowerCase()).digest("hex")}`;
}

export function isHashedSuppressionEmail(value: string): boolean {
  return /^sha256:[0-9a-f]{64}$/.test(value);
}

// Every value Suppression.email can hold for this address: as written, and after redaction.
export function suppressionLookupEmails(email: string): string[] {
  const plain = email.trim().toLowerCase();
  return [plain, hashedSuppressionEmail(plain)];
}
