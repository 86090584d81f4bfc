// Encryption at rest for the secrets Afterglow keeps: merchants' own SendGrid keys
// (Shop.sendgridApiKeyEnc) and Shopify access tokens (Session.accessToken, Session.refreshToken).
// AES-256-GCM; stored as v1:<keyId>:<iv>:<tag>:<ciphertext>, the last three base64url.
// AFTERGLOW_ENCRYPTION_KEYS="new:<base64 32 bytes>,old:<base64 32 bytes>": the first key encrypts,
// every key decrypts, so keys rotate without downtime (docs/security.md, "Secrets").
// Without the variable, production refuses to run; anything else keeps a key of its own in
// var/encryption-key, made on first use, so a fresh clone works and still stores no token in clear.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { config } from "./config.server";

const VERSION = "v1";
const IV_BYTES = 12; // the GCM standard nonce size
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
export const LOCAL_KEY_ID = "local";

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
  // Whether a missing AFTERGLOW_ENCRYPTION_KEYS is refused (NODE_ENV=production) rather than
  // replaced by the local key file; unset reads the process's configuration.
  production?: boolean;
  // Where the local key is kept without AFTERGLOW_ENCRYPTION_KEYS; unset is var/encryption-key.
  localKeyFile?: string;
}

export const DEFAULT_LOCAL_KEY_FILE = path.join("var", "encryption-key");

const NOT_SET =
  'Set it to "<id>:<base64 of 32 random bytes>", e.g. AFTERGLOW_ENCRYPTION_KEYS=k1:$(openssl rand -base64 32), ' +
  "and keep it with the database: without it no stored access token or SendGrid key can be read.";

let cached: { source: string; ring: KeyRing } | null = null;

// The key ring in AFTERGLOW_ENCRYPTION_KEYS's format that a process without the variable uses:
// read from the local key file, which is created (readable by its owner only) when missing.
export function localKeySource(file: string = DEFAULT_LOCAL_KEY_FILE): string {
  const full = path.resolve(file);
  let source = localSources.get(full);
  if (source === undefined) {
    source = readOrCreateLocalKey(full);
    localSources.set(full, source);
  }
  return source;
}

// Read once per process: every token read would otherwise read the file again.
const localSources = new Map<string, string>();

function readOrCreateLocalKey(full: string): string {
  try {
    return readFileSync(full, "utf8").trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  mkdirSync(path.dirname(full), { recursive: true });
  const source = `${LOCAL_KEY_ID}:${randomBytes(32).toString("base64")}`;
  try {
    // "wx": two processes starting at once keep whichever key was written first.
    writeFileSync(full, `${source}\n`, { flag: "wx", mode: 0o600 });
    return source;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return readFileSync(full, "utf8").trim();
  }
}

export function loadKeyRing({ encryptionKeys, production, localKeyFile }: SecretOptions = {}): KeyRing {
  let source = (encryptionKeys === undefined ? config().mail.encryptionKeys : encryptionKeys)?.trim() ?? "";
  if (!source) {
    if (production ?? config().server.nodeEnv === "production") {
      throw new SecretKeyError(
        `AFTERGLOW_ENCRYPTION_KEYS is not set, and production (NODE_ENV=production) does not run without it: Shopify access ` +
          `tokens and merchants' SendGrid keys are stored encrypted with it. ${NOT_SET}`,
      );
    }
    source = localKeySource(localKeyFile);
  }
  if (cached && cached.source === source) return cached.ring;
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

// Whether a stored value is in the encrypted format at all; values written before encryption
// (a Shopify token such as shpat_..., a custom app's token) are not.
export function isEncryptedSecret(stored: string): boolean {
  const parts = stored.split(":");
  return parts.length === 5 && parts[0] === VERSION && KEY_ID.test(parts[1]);
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
        "run the rotation, then remove it." +
        (parsed.keyId === LOCAL_KEY_ID ? ` Key "${LOCAL_KEY_ID}" is the one in ${DEFAULT_LOCAL_KEY_FILE}, written where the variable was unset.` : ""),
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
