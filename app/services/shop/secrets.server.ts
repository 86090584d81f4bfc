// Encryption at rest for a merchant's own SendGrid key (Shop.sendgridApiKeyEnc).
// AES-256-GCM; stored as v1:<keyId>:<iv>:<tag>:<ciphertext>, the last three base64url.
// AFTERGLOW_ENCRYPTION_KEYS="new:<base64 32 bytes>,old:<base64 32 bytes>": the first key encrypts,
// every key decrypts, so keys rotate without downtime (see README, "Secrets").
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { PrismaClient } from "@prisma/client";
import { audit } from "../compliance/audit.server";
import { config } from "../../platform/config.server";

const VERSION = "v1";
const IV_BYTES = 12; // the GCM standard nonce size
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

export class SecretKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretKeyError";
  }
}

export class SecretDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretDecryptionError";
  }
}

export interface KeyRing {
  current: { id: string; key: Buffer };
  byId: Map<string, Buffer>;
}

export interface SecretOptions {
  // AFTERGLOW_ENCRYPTION_KEYS; unset reads the process's configuration.
  encryptionKeys?: string | null;
}

let cached: { source: string; ring: KeyRing } | null = null;

export function loadKeyRing({ encryptionKeys }: SecretOptions = {}): KeyRing {
  const source = (encryptionKeys === undefined ? config().mail.encryptionKeys : encryptionKeys)?.trim() ?? "";
  if (cached && cached.source === source) return cached.ring;
  if (!source) {
    throw new SecretKeyError(
      "AFTERGLOW_ENCRYPTION_KEYS is not set, so merchants' SendGrid keys cannot be encrypted or read. " +
        'Set it to "<id>:<base64 of 32 random bytes>", e.g. k1:$(openssl rand -base64 32).',
    );
  }
  const byId = new Map<string, Buffer>();
  let current: KeyRing["current"] | null = null;
  for (const [index, entry] of source.split(",").map((s) => s.trim()).filter(Boolean).entries()) {
    const colon = entry.indexOf(":");
    const id = colon > 0 ? entry.slice(0, colon) : "";
    if (!KEY_ID.test(id)) {
      throw new SecretKeyError(
        `AFTERGLOW_ENCRYPTION_KEYS entry ${index + 1} does not start with a key id: write "<id>:<base64 key>" ` +
          "with an id of letters, digits, - or _ (at most 32).",
      );
    }
    const key = Buffer.from(entry.slice(colon + 1), "base64");
    if (key.length !== 32) {
      throw new SecretKeyError(
        `AFTERGLOW_ENCRYPTION_KEYS key "${id}" is ${key.length} bytes after base64 decoding; AES-256 needs exactly 32 ` +
          "(openssl rand -base64 32 makes one).",
      );
    }
    if (byId.has(id)) throw new SecretKeyError(`AFTERGLOW_ENCRYPTION_KEYS names key "${id}" twice; give each key its own id.`);
    byId.set(id, key);
    current ??= { id, key };
  }
  if (!current) throw new SecretKeyError("AFTERGLOW_ENCRYPTION_KEYS holds no key; set at least one \"<id>:<base64 key>\".");
  const ring = { current, byId };
  cached = { source, ring };
  return ring;
}

export function encryptSecret(plain: string, options: SecretOptions = {}): string {
  if (typeof plain !== "string" || plain.length === 0) throw new TypeError("encryptSecret needs a non-empty string.");
  const { current } = loadKeyRing(options);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", current.key, iv, { authTagLength: TAG_BYTES });
  // The version and key id are authenticated too, so a value relabelled to another key fails.
  cipher.setAAD(Buffer.from(`${VERSION}:${current.id}`));
  const ciphertext = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, current.id, iv.toString("base64url"), tag.toString("base64url"), ciphertext.toString("base64url")].join(":");
}

export interface ParsedSecret {
  version: string;
  keyId: string;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

export function parseStoredSecret(stored: string): ParsedSecret {
  const parts = typeof stored === "string" ? stored.split(":") : [];
  if (parts.length !== 5 || parts[0] !== VERSION || !KEY_ID.test(parts[1])) {
    throw new SecretDecryptionError(
      `The stored secret is not in the ${VERSION}:<keyId>:<iv>:<tag>:<ciphertext> format; it may have been saved unencrypted or cut short.`,
    );
  }
  const [version, keyId, iv, tag, ciphertext] = parts;
  const decoded = { version, keyId, iv: Buffer.from(iv, "base64url"), tag: Buffer.from(tag, "base64url"), ciphertext: Buffer.from(ciphertext, "base64url") };
  if (decoded.iv.length !== IV_BYTES || decoded.tag.length !== TAG_BYTES) {
    throw new SecretDecryptionError(`The stored secret (key "${keyId}") has a damaged nonce or tag.`);
  }
  return decoded;
}

export function decryptSecret(stored: string, options: SecretOptions = {}): string {
  const parsed = parseStoredSecret(stored);
  const ring = loadKeyRing(options);
  const key = ring.byId.get(parsed.keyId);
  if (!key) {
    throw new SecretKeyError(
      `The secret was encrypted with key "${parsed.keyId}", which AFTERGLOW_ENCRYPTION_KEYS no longer holds ` +
        `(it has ${[...ring.byId.keys()].map((id) => `"${id}"`).join(", ")}). Add the old key back after the current one, ` +
        "run the rotation, then remove it.",
    );
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, parsed.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(`${parsed.version}:${parsed.keyId}`));
    decipher.setAuthTag(parsed.tag);
    return Buffer.concat([decipher.update(parsed.ciphertext), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretDecryptionError(
      `The secret could not be decrypted with key "${parsed.keyId}": the stored value was altered, or the key with that id ` +
        "is not the one it was encrypted with.",
    );
  }
}

export function secretKeyId(stored: string): string {
  return parseStoredSecret(stored).keyId;
}

export interface RotationResult {
  rotated: number;
  current: number; // already under the current key
  failed: { shop: string; error: string }[];
}

// Re-encrypts every shop's SendGrid key with the current (first) key. Safe to run again or
// beside the app: a row changed meanwhile is left alone (the update matches the old value).
export async function rotateSecrets(prisma: PrismaClient, { now = new Date(), ...options }: SecretOptions & { now?: Date } = {}): Promise<RotationResult> {
  const ring = loadKeyRing(options);
  const result: RotationResult = { rotated: 0, current: 0, failed: [] };
  const shops = await prisma.shop.findMany({
    where: { sendgridApiKeyEnc: { not: null } },
    select: { domain: true, sendgridApiKeyEnc: true },
  });
  for (const { domain, sendgridApiKeyEnc: stored } of shops) {
    if (!stored) continue;
    try {
      const from = secretKeyId(stored);
      if (from === ring.current.id) {
        result.current += 1;
        continue;
      }
      const fresh = encryptSecret(decryptSecret(stored, options), options);
      const changed = await prisma.$transaction(async (tx) => {
        const { count } = await tx.shop.updateMany({ where: { domain, sendgridApiKeyEnc: stored }, data: { sendgridApiKeyEnc: fresh } });
        if (count === 1) {
          await audit(tx, { shop: domain, actor: "system", action: "sendgrid_key.reencrypted", detail: { from, to: ring.current.id }, at: now });
        }
        return count === 1;
      });
      if (changed) result.rotated += 1;
    } catch (error) {
      result.failed.push({ shop: domain, error: (error as Error).message });
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
