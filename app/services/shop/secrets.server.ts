// A merchant's own SendGrid key (Shop.sendgridApiKeyEnc), stored encrypted with the key ring of
// app/platform/encryption.server.ts, and the rotation of everything that ring encrypts.
import type { PrismaClient } from "@prisma/client";
import {
  decryptSecret,
  encryptSecret,
  isEncryptedSecret,
  loadKeyRing,
  secretKeyId,
  type SecretOptions,
} from "../../platform/encryption.server";
import { audit } from "../compliance/audit.server";

export {
  decryptSecret,
  encryptSecret,
  loadKeyRing,
  parseStoredSecret,
  SecretDecryptionError,
  SecretKeyError,
  secretKeyId,
  type KeyRing,
  type ParsedSecret,
  type SecretOptions,
} from "../../platform/encryption.server";

export interface RotationResult {
  rotated: number;
  current: number; // already under the current key
  failed: { shop: string; error: string }[];
}

// Re-encrypts every shop's SendGrid key, and the review app's token (Settings > Reviews), with the
// current (first) key. Safe to run again or beside the app: a row changed meanwhile is left alone
// (each update matches the old value).
export async function rotateSecrets(prisma: PrismaClient, { now = new Date(), ...options }: SecretOptions & { now?: Date } = {}): Promise<RotationResult> {
  const ring = loadKeyRing(options);
  const result: RotationResult = { rotated: 0, current: 0, failed: [] };
  // One stored secret: counted as current, re-encrypted through `write` (true when the row still
  // held the old value), or kept in `failed` with what went wrong.
  const rotateOne = async ({ shop, stored, label, write }: { shop: string; stored: string; label: string; write: (fresh: string, from: string) => Promise<boolean> }) => {
    try {
      const from = secretKeyId(stored);
      if (from === ring.current.id) {
        result.current += 1;
        return;
      }
      if (await write(encryptSecret(decryptSecret(stored, options), options), from)) result.rotated += 1;
    } catch (error) {
      result.failed.push({ shop, error: `${label}${(error as Error).message}` });
    }
  };
  const shops = await prisma.shop.findMany({
    where: { sendgridApiKeyEnc: { not: null } },
    select: { domain: true, sendgridApiKeyEnc: true },
  });
  for (const { domain, sendgridApiKeyEnc: stored } of shops) {
    if (!stored) continue;
    await rotateOne({
      shop: domain,
      stored,
      label: "",
      write: (fresh, from) =>
        prisma.$transaction(async (tx) => {
          const { count } = await tx.shop.updateMany({ where: { domain, sendgridApiKeyEnc: stored }, data: { sendgridApiKeyEnc: fresh } });
          if (count === 1) {
            await audit(tx, { shop: domain, actor: "system", action: "sendgrid_key.reencrypted", detail: { from, to: ring.current.id }, at: now });
          }
          return count === 1;
        }),
    });
  }
  const reviewTokens = await prisma.shopReviewSetting.findMany({ where: { apiTokenEnc: { not: null } }, select: { shop: true, apiTokenEnc: true } });
  for (const { shop, apiTokenEnc: stored } of reviewTokens) {
    if (!stored) continue;
    await rotateOne({
      shop,
      stored,
      label: "review app token: ",
      write: async (fresh) => (await prisma.shopReviewSetting.updateMany({ where: { shop, apiTokenEnc: stored }, data: { apiTokenEnc: fresh } })).count === 1,
    });
  }
  return result;
}

export interface SessionRotationResult {
  rotated: number; // re-encrypted from an older key
  encrypted: number; // stored in clear before, encrypted now
  current: number; // already under the current key
  failed: { session: string; shop: string; error: string }[];
}

// Re-encrypts every stored Shopify access (and refresh) token with the current key, and encrypts
// those still stored in clear. Safe beside the app: a row changed meanwhile is left alone.
export async function rotateSessionTokens(prisma: PrismaClient, options: SecretOptions = {}): Promise<SessionRotationResult> {
  const ring = loadKeyRing(options);
  const result: SessionRotationResult = { rotated: 0, encrypted: 0, current: 0, failed: [] };
  const sessions = await prisma.session.findMany({ select: { id: true, shop: true, accessToken: true, refreshToken: true } });
  for (const stored of sessions) {
    try {
      const tokens = { accessToken: stored.accessToken, refreshToken: stored.refreshToken };
      const fresh: { accessToken?: string; refreshToken?: string } = {};
      let fromClear = false;
      for (const field of ["accessToken", "refreshToken"] as const) {
        const value = tokens[field];
        if (!value) continue;
        if (!isEncryptedSecret(value)) {
          fromClear = true;
          fresh[field] = encryptSecret(value, options);
        } else if (secretKeyId(value) !== ring.current.id) {
          fresh[field] = encryptSecret(decryptSecret(value, options), options);
        }
      }
      if (Object.keys(fresh).length === 0) {
        result.current += 1;
        continue;
      }
      const { count } = await prisma.session.updateMany({ where: { id: stored.id, ...tokens }, data: fresh });
      if (count === 1) result[fromClear ? "encrypted" : "rotated"] += 1;
    } catch (error) {
      result.failed.push({ session: stored.id, shop: stored.shop, error: (error as Error).message });
    }
  }
  return result;
}

const SENDGRID_KEY = /^SG\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

// Stores (or, with null, removes) the shop's own SendGrid key, encrypted, with an audit row
// that says which key it was by its last four characters only.
export async function setShopSendGridKey(
  prisma: PrismaClient,
  shop: string,
  key: string | null,
  actor: string,
  { now = new Date(), ...options }: SecretOptions & { now?: Date } = {},
): Promise<void> {
  const trimmed = key?.trim() || null;
  if (trimmed !== null && !SENDGRID_KEY.test(trimmed)) {
    throw new Error(
      "That does not look like a SendGrid API key (SG.<id>.<secret>). Create one under SendGrid Settings > API Keys " +
        "with Mail Send access and paste it whole.",
    );
  }
  const encrypted = trimmed === null ? null : encryptSecret(trimmed, options);
  await prisma.$transaction(async (tx) => {
    const { count } = await tx.shop.updateMany({ where: { domain: shop }, data: { sendgridApiKeyEnc: encrypted } });
    if (count === 0) throw new Error(`Shop ${shop} is not connected to Afterglow; install the app before setting its SendGrid key.`);
    await audit(tx, {
      shop,
      actor,
      action: trimmed === null ? "sendgrid_key.removed" : "sendgrid_key.set",
      detail: trimmed === null ? null : { endsWith: trimmed.slice(-4), encryptionKeyId: loadKeyRing(options).current.id },
      at: now,
    });
  });
}

// What the dispatcher needs: the shop's own key in clear, or null when it has none.
export function shopSendGridKey(shop: { domain: string; sendgridApiKeyEnc: string | null }, options: SecretOptions = {}): string | null {
  if (!shop.sendgridApiKeyEnc) return null;
  try {
    return decryptSecret(shop.sendgridApiKeyEnc, options);
  } catch (error) {
    (error as Error).message = `Shop ${shop.domain}: ${(error as Error).message}`;
    throw error;
  }
}
