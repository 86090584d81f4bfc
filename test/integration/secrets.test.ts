import { randomBytes } from "node:crypto";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase } from "../helpers/db";
import {
  decryptSecret,
  encryptSecret,
  rotateSecrets,
  secretKeyId,
  SecretDecryptionError,
  SecretKeyError,
  setShopSendGridKey,
  shopSendGridKey,
} from "~/services/shop/secrets.server";
import { listAudit } from "~/services/compliance/audit.server";
import { reviewApiToken, saveReviewSettings } from "~/services/shop/review-settings.server";
import { loadConfig } from "~/platform/config.server";

const key = () => randomBytes(32).toString("base64");
const K1 = key();
const K2 = key();
// What AFTERGLOW_ENCRYPTION_KEYS set to `value` gives the secret functions.
const keys = (value?: string) => ({ encryptionKeys: loadConfig({ AFTERGLOW_ENCRYPTION_KEYS: value }).mail.encryptionKeys });
const OLD = keys(`k1:${K1}`);
const ROTATING = keys(`k2:${K2},k1:${K1}`);
const NEW_ONLY = keys(`k2:${K2}`);
const SG_KEY = "SG.aBcDeFgHiJkLmNoPqRsTuV.wXyZ0123456789abcdefghijklmnopqrstuvwxyzABCD";

describe("encryptSecret / decryptSecret", () => {
  it("round-trips, with a fresh nonce every time, in the documented format", () => {
    const a = encryptSecret(SG_KEY, OLD);
    const b = encryptSecret(SG_KEY, OLD);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1:k1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]+$/);
    expect(a).not.toContain(SG_KEY);
    expect(decryptSecret(a, OLD)).toBe(SG_KEY);
    expect(decryptSecret("" + encryptSecret("zażółć 🔑", OLD), OLD)).toBe("zażółć 🔑");
  });

  it("encrypts with the first key and reads with any listed key", () => {
    const old = encryptSecret(SG_KEY, OLD);
    const fresh = encryptSecret(SG_KEY, ROTATING);
    expect(secretKeyId(fresh)).toBe("k2");
    expect(decryptSecret(old, ROTATING)).toBe(SG_KEY);
    expect(decryptSecret(fresh, ROTATING)).toBe(SG_KEY);
  });

  it("detects any change to the stored value", () => {
    const stored = encryptSecret(SG_KEY, OLD);
    const [v, id, iv, tag, ct] = stored.split(":");
    const flip = (s: string) => {
      const bytes = Buffer.from(s, "base64url");
      bytes[0] ^= 1;
      return bytes.toString("base64url");
    };
    for (const tampered of [
      [v, id, iv, tag, flip(ct)].join(":"),
      [v, id, iv, flip(tag), ct].join(":"),
      [v, id, flip(iv), tag, ct].join(":"),
    ]) {
      expect(() => decryptSecret(tampered, OLD)).toThrow(SecretDecryptionError);
      expect(() => decryptSecret(tampered, OLD)).toThrow(/could not be decrypted with key "k1": the stored value was altered/);
    }
    // Relabelled to another key that happens to be present: the key id is authenticated too.
    const relabelled = [v, "k2", iv, tag, ct].join(":");
    expect(() => decryptSecret(relabelled, keys(`k2:${K1}`))).toThrow(SecretDecryptionError);
    expect(() => decryptSecret(SG_KEY, OLD)).toThrow(/not in the v1:<keyId>:<iv>:<tag>:<ciphertext> format/);
    expect(() => decryptSecret(stored.slice(0, -4).replace(/:[^:]*$/, ""), OLD)).toThrow(SecretDecryptionError);
  });

  it("says what to do when a key is missing or wrong", () => {
    const stored = encryptSecret(SG_KEY, OLD);
    expect(() => decryptSecret(stored, NEW_ONLY)).toThrow(SecretKeyError);
    expect(() => decryptSecret(stored, NEW_ONLY)).toThrow(/encrypted with key "k1", which AFTERGLOW_ENCRYPTION_KEYS no longer holds \(it has "k2"\)/);
    expect(() => decryptSecret(stored, keys(`k1:${K2}`))).toThrow(/could not be decrypted with key "k1"/);
    expect(() => encryptSecret(SG_KEY, { ...keys(), production: true })).toThrow(/AFTERGLOW_ENCRYPTION_KEYS is not set/);
    expect(() => encryptSecret(SG_KEY, keys("k1:c2hvcnQ="))).toThrow(/key "k1" is 5 bytes after base64 decoding; AES-256 needs exactly 32/);
    expect(() => encryptSecret(SG_KEY, keys(K1))).toThrow(/entry 1 does not start with a key id/);
    expect(() => encryptSecret(SG_KEY, keys(`a:${K1},a:${K2}`))).toThrow(/names key "a" twice/);
  });
});

describe("shop keys in the database", () => {
  const db = createTestDatabase("secrets");
  const prisma = db.prisma;
  afterAll(() => db.cleanup());

  beforeEach(async () => {
    await prisma.auditLog.deleteMany();
    await prisma.shop.deleteMany();
    for (const domain of ["a.myshopify.com", "b.myshopify.com", "c.myshopify.com"]) await prisma.shop.create({ data: { domain } });
  });

  it("stores the merchant's key encrypted, audits it without the key, and removes it", async () => {
    await setShopSendGridKey(prisma, "a.myshopify.com", ` ${SG_KEY} `, "staff:olga@example.com", OLD);
    const shop = await prisma.shop.findUniqueOrThrow({ where: { domain: "a.myshopify.com" } });
    expect(shop.sendgridApiKeyEnc).toMatch(/^v1:k1:/);
    expect(shopSendGridKey(shop, OLD)).toBe(SG_KEY);

    await setShopSendGridKey(prisma, "a.myshopify.com", null, "staff:olga@example.com", OLD);
    expect((await prisma.shop.findUniqueOrThrow({ where: { domain: "a.myshopify.com" } })).sendgridApiKeyEnc).toBeNull();

    const log = await listAudit(prisma, "a.myshopify.com");
    expect(log.map((e) => [e.action, e.actor])).toEqual([
      ["sendgrid_key.removed", "staff:olga@example.com"],
      ["sendgrid_key.set", "staff:olga@example.com"],
    ]);
    expect(log[1].detail).toEqual({ endsWith: "ABCD", encryptionKeyId: "k1" });
    const raw = JSON.stringify(await prisma.auditLog.findMany());
    expect(raw).not.toContain(SG_KEY);
    expect(raw).not.toContain(SG_KEY.split(".")[2]);
  });

  it("refuses what is not a SendGrid key, and a shop that is not connected", async () => {
    await expect(setShopSendGridKey(prisma, "a.myshopify.com", "hunter2", "staff", OLD)).rejects.toThrow(/does not look like a SendGrid API key/);
    await expect(setShopSendGridKey(prisma, "nope.myshopify.com", SG_KEY, "staff", OLD)).rejects.toThrow(/nope.myshopify.com is not connected/);
    expect(await prisma.auditLog.count()).toBe(0);
  });

  it("rotates every stored key to the current encryption key, once", async () => {
    await setShopSendGridKey(prisma, "a.myshopify.com", SG_KEY, "staff", OLD);
    await setShopSendGridKey(prisma, "b.myshopify.com", SG_KEY.replace("ABCD", "WXYZ"), "staff", OLD);

    const first = await rotateSecrets(prisma, ROTATING);
    expect(first).toEqual({ rotated: 2, current: 0, failed: [] });
    const shops = await prisma.shop.findMany({ where: { sendgridApiKeyEnc: { not: null } }, orderBy: { domain: "asc" } });
    expect(shops.map((s) => secretKeyId(s.sendgridApiKeyEnc!))).toEqual(["k2", "k2"]);
    // The old key can now be dropped.
    expect(shops.map((s) => shopSendGridKey(s, NEW_ONLY))).toEqual([SG_KEY, SG_KEY.replace("ABCD", "WXYZ")]);
    expect(await rotateSecrets(prisma, ROTATING)).toEqual({ rotated: 0, current: 2, failed: [] });
    expect((await listAudit(prisma, "a.myshopify.com", { action: "sendgrid_key.reencrypted" }))[0]).toMatchObject({ actor: "system", detail: { from: "k1", to: "k2" } });
  });

  it("rotates the review app's token with the same key ring", async () => {
    await prisma.shopReviewSetting.deleteMany();
    const saved = await saveReviewSettings({ prisma, shop: "a.myshopify.com", actor: "staff", input: { reviewApp: "judgeme", reaskDays: 365, apiToken: "jm-token-7788" }, secrets: OLD });
    expect(saved.ok).toBe(true);
    expect(await rotateSecrets(prisma, ROTATING)).toEqual({ rotated: 1, current: 0, failed: [] });
    const row = await prisma.shopReviewSetting.findUniqueOrThrow({ where: { shop: "a.myshopify.com" } });
    expect(secretKeyId(row.apiTokenEnc!)).toBe("k2");
    expect(reviewApiToken(row.apiTokenEnc, NEW_ONLY)).toBe("jm-token-7788");
    expect(await rotateSecrets(prisma, ROTATING)).toEqual({ rotated: 0, current: 1, failed: [] });
    await prisma.shopReviewSetting.deleteMany();
  });

  it("reports a key it cannot read instead of stopping the rotation", async () => {
    await setShopSendGridKey(prisma, "a.myshopify.com", SG_KEY, "staff", OLD);
    await prisma.shop.update({ where: { domain: "c.myshopify.com" }, data: { sendgridApiKeyEnc: encryptSecret(SG_KEY, keys(`lost:${key()}`)) } });
    const result = await rotateSecrets(prisma, ROTATING);
    expect(result.rotated).toBe(1);
    expect(result.failed).toEqual([{ shop: "c.myshopify.com", error: expect.stringContaining('key "lost"') }]);
    const c = await prisma.shop.findUniqueOrThrow({ where: { domain: "c.myshopify.com" } });
    expect(() => shopSendGridKey(c, ROTATING)).toThrow(/^Shop c.myshopify.com: The secret was encrypted with key "lost"/);
  });
});
