// A redacted customer's suppressions stay, keyed by a keyed hash of the address, so they still
// block sends to it: every suppression lookup matches each form. The hash is
// HMAC-SHA256(key, sha256(address)) under AFTERGLOW_EMAIL_HASH_KEYS: without the key, a list of
// candidate addresses cannot be tested against the stored values. Rows written before the key
// existed hold the bare sha256; they still match, and `rehashLegacySuppressions` turns them into
// keyed ones without the address (the keyed hash is taken over that same sha256).
import { createHash, createHmac } from "node:crypto";
import type { PrismaClient } from "@prisma/client";
import { config, type EmailHashKey } from "~/platform/config.server";

type HashKey = { id: string; key: Buffer };

const LEGACY = /^sha256:([0-9a-f]{64})$/;
const KEYED = /^hmac:([A-Za-z0-9_-]{1,32}):[0-9a-f]{64}$/;

export function emailHashKeys(keys: readonly EmailHashKey[] = config().erasure.emailHashKeys): HashKey[] {
  return keys.filter((k): k is HashKey => k.key !== "derived");
}

const digestOf = (email: string) => createHash("sha256").update(email.trim().toLowerCase()).digest("hex");
const keyedOf = (key: HashKey, digest: string) => `hmac:${key.id}:${createHmac("sha256", key.key).update(digest).digest("hex")}`;

// The value Suppression.email holds after a customer is redacted: the first key's hash.
export function hashedSuppressionEmail(email: string, keys: readonly EmailHashKey[] = config().erasure.emailHashKeys): string {
  const [current] = emailHashKeys(keys);
  if (!current) {
    throw new Error(
      "An erased customer's address is kept only as a keyed hash, and no key is configured: set AFTERGLOW_EMAIL_HASH_KEYS " +
        "(or SHOPIFY_API_SECRET, which the default key is derived from). Nothing was erased.",
    );
  }
  return keyedOf(current, digestOf(email));
}

export function isHashedSuppressionEmail(value: string): boolean {
  return LEGACY.test(value) || KEYED.test(value);
}

// Hashed with the first key: nothing to re-hash.
export function isCurrentHash(value: string, keys: readonly EmailHashKey[] = config().erasure.emailHashKeys): boolean {
  const [current] = emailHashKeys(keys);
  return !!current && KEYED.exec(value)?.[1] === current.id;
}

// Every value Suppression.email can hold for this address: as written, the bare sha256 of rows
// hashed before keys existed, and its hash under each listed key.
export function suppressionLookupEmails(email: string, keys: readonly EmailHashKey[] = config().erasure.emailHashKeys): string[] {
  const plain = email.trim().toLowerCase();
  const digest = digestOf(plain);
  return [plain, `sha256:${digest}`, ...emailHashKeys(keys).map((k) => keyedOf(k, digest))];
}

export interface RehashResult {
  rehashed: number; // bare sha256 rows now hashed with the first key
  merged: number; // bare rows dropped because the same suppression already existed keyed
  current: number; // rows already hashed with the first key
  olderKey: Record<string, number>; // rows under another listed key (they match until that key is removed)
  unknownKey: Record<string, number>; // rows under a key no longer listed: they match nothing
}

// Safe to repeat. A row under an earlier key cannot be moved to the new one without the address;
// it is moved when that address is erased again, and matches meanwhile while its key is listed.
export async function rehashLegacySuppressions(prisma: Pick<PrismaClient, "suppression">, keys = config().erasure.emailHashKeys): Promise<RehashResult> {
  const ring = emailHashKeys(keys);
  const [current] = ring;
  if (!current) hashedSuppressionEmail("", keys); // throws, naming what to set
  const result: RehashResult = { rehashed: 0, merged: 0, current: 0, olderKey: {}, unknownKey: {} };
  const rows = await prisma.suppression.findMany({
    where: { OR: [{ email: { startsWith: "sha256:" } }, { email: { startsWith: "hmac:" } }] },
    select: { id: true, shop: true, email: true, scope: true },
  });
  for (const row of rows) {
    const legacy = LEGACY.exec(row.email);
    if (legacy) {
      const email = keyedOf(current, legacy[1]);
      const twin = await prisma.suppression.findUnique({ where: { shop_email_scope: { shop: row.shop, email, scope: row.scope } } });
      if (twin) {
        await prisma.suppression.delete({ where: { id: row.id } });
        result.merged += 1;
      } else {
        await prisma.suppression.update({ where: { id: row.id }, data: { email } });
        result.rehashed += 1;
      }
      continue;
    }
    const id = KEYED.exec(row.email)?.[1];
    if (!id) continue;
    if (id === current.id) result.current += 1;
    else if (ring.some((k) => k.id === id)) result.olderKey[id] = (result.olderKey[id] ?? 0) + 1;
    else result.unknownKey[id] = (result.unknownKey[id] ?? 0) + 1;
  }
  return result;
}
