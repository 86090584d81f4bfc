// Shopify access tokens at rest: the session storage the app gives Shopify's library, the CLI's
// connect, the Admin API client's read and the rotation all go through the key ring.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { Session } from "@shopify/shopify-api";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase } from "../helpers/db";
import { EncryptedSessionStorage } from "~/adapters/shopify-admin/session-storage.server";
import { adminClientForShop, fetchShopProfile } from "~/adapters/shopify-admin/index.server";
import { startAdminSimulator } from "../../simulator/admin-api";
import { createSeedStore } from "../../simulator/store";
import { decryptSecret, encryptSecret, loadKeyRing, localKeySource, secretKeyId } from "~/platform/encryption.server";
import { rotateSessionTokens } from "~/services/shop/secrets.server";
import { storeOfflineToken } from "~/services/shop/shops.server";

const K1 = randomBytes(32).toString("base64");
const K2 = randomBytes(32).toString("base64");
const OLD = { encryptionKeys: `k1:${K1}` };
const ROTATING = { encryptionKeys: `k2:${K2},k1:${K1}` };
const SHOP = "tokens.myshopify.com";
const TOKEN = "shpat_0123456789abcdef0123456789abcdef";
const REFRESH = "shprt_fedcba9876543210fedcba9876543210";

const db = createTestDatabase("session-tokens");
const prisma = db.prisma;
afterAll(() => db.cleanup());
beforeEach(() => prisma.session.deleteMany());

const row = (id: string) => prisma.session.findUniqueOrThrow({ where: { id } });
const offline = (fields: Partial<ConstructorParameters<typeof Session>[0]> = {}) =>
  new Session({ id: `offline_${SHOP}`, shop: SHOP, state: "", isOnline: false, scope: "read_orders", accessToken: TOKEN, ...fields });

describe("EncryptedSessionStorage", () => {
  const storage = new EncryptedSessionStorage(new PrismaSessionStorage(prisma), OLD);

  it("stores access and refresh tokens encrypted and loads them in clear", async () => {
    const expires = new Date(Date.now() + 3_600_000);
    const session = offline({ refreshToken: REFRESH, refreshTokenExpires: expires });
    expect(await storage.storeSession(session)).toBe(true);
    expect(session.accessToken).toBe(TOKEN); // the caller's session is not changed

    const stored = await row(session.id);
    expect(stored.accessToken).toMatch(/^v1:k1:/);
    expect(stored.refreshToken).toMatch(/^v1:k1:/);
    expect(JSON.stringify(stored, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))).not.toMatch(/shpat_|shprt_/);
    expect(decryptSecret(stored.accessToken, OLD)).toBe(TOKEN);

    const loaded = await storage.loadSession(session.id);
    expect(loaded?.constructor.name).toBe("Session"); // its methods kept, as Shopify's library calls them
    expect(loaded).toMatchObject({ accessToken: TOKEN, refreshToken: REFRESH, scope: "read_orders", shop: SHOP });
    expect(loaded!.isActive("read_orders")).toBe(true);

    const online = new Session({ id: `${SHOP}_7`, shop: SHOP, state: "", isOnline: true, accessToken: "shpua_online", expires });
    await storage.storeSession(online);
    expect((await row(online.id)).accessToken).toMatch(/^v1:k1:/);
    const found = await storage.findSessionsByShop(SHOP);
    expect(found.map((s) => s.accessToken).sort()).toEqual([TOKEN, "shpua_online"]);

    await storage.deleteSessions([online.id]);
    await storage.deleteSession(session.id);
    expect(await prisma.session.count()).toBe(0);
  });

  it("loads a token stored in clear before encryption and encrypts it on that read", async () => {
    await prisma.session.create({ data: { id: `offline_${SHOP}`, shop: SHOP, state: "", isOnline: false, accessToken: TOKEN } });
    const loaded = await storage.loadSession(`offline_${SHOP}`);
    expect(loaded?.accessToken).toBe(TOKEN);
    const stored = await row(`offline_${SHOP}`);
    expect(stored.accessToken).toMatch(/^v1:k1:/);
    expect(decryptSecret(stored.accessToken, OLD)).toBe(TOKEN);
    expect((await storage.loadSession(`offline_${SHOP}`))?.accessToken).toBe(TOKEN);
  });

  it("names the session and the missing key when a token cannot be read", async () => {
    const foreign = encryptSecret(TOKEN, { encryptionKeys: `k9:${K2}` });
    await prisma.session.create({ data: { id: `offline_${SHOP}`, shop: SHOP, state: "", isOnline: false, accessToken: foreign } });
    await expect(storage.loadSession(`offline_${SHOP}`)).rejects.toThrow(
      new RegExp(`session offline_${SHOP} \\(${SHOP}\\) cannot be read: The secret was encrypted with key "k9"`),
    );
    expect((await row(`offline_${SHOP}`)).accessToken).toBe(foreign); // nothing lost
  });
});

describe("the app's own readers and writers", () => {
  it("connect stores the token encrypted, and the Admin API client reads it in clear", async () => {
    // The process's own key ring: AFTERGLOW_ENCRYPTION_KEYS, or the local key of a development machine.
    await storeOfflineToken({ prisma, shop: SHOP, accessToken: TOKEN, scope: "read_orders" });
    const stored = await row(`offline_${SHOP}`);
    expect(stored.accessToken).toMatch(/^v1:/);
    expect(stored.accessToken).not.toContain(TOKEN);
    // The store simulator answers only to the shop's token, as Shopify does.
    const simulator = await startAdminSimulator({ stores: [createSeedStore({ shop: SHOP, accessToken: TOKEN })] });
    try {
      const client = await adminClientForShop({ prisma, shop: SHOP, urlTemplate: simulator.url, maxRetries: 0 });
      expect((await fetchShopProfile(client)).name).toBeTruthy();
    } finally {
      await simulator.close();
    }
  });
});

describe("rotateSessionTokens", () => {
  it("re-encrypts old-key tokens, encrypts clear ones, leaves current ones, and reports what it cannot read", async () => {
    const storage = new EncryptedSessionStorage(new PrismaSessionStorage(prisma), OLD);
    await storage.storeSession(offline({ id: "offline_a.myshopify.com", shop: "a.myshopify.com", refreshToken: REFRESH }));
    await prisma.session.create({ data: { id: "offline_b.myshopify.com", shop: "b.myshopify.com", state: "", accessToken: "shpat_clear" } });
    await prisma.session.create({
      data: { id: "offline_c.myshopify.com", shop: "c.myshopify.com", state: "", accessToken: encryptSecret("shpat_c", ROTATING) },
    });
    await prisma.session.create({
      data: { id: "offline_d.myshopify.com", shop: "d.myshopify.com", state: "", accessToken: encryptSecret("shpat_d", { encryptionKeys: `k9:${K2}` }) },
    });

    const first = await rotateSessionTokens(prisma, ROTATING);
    expect(first).toMatchObject({ rotated: 1, encrypted: 1, current: 1 });
    expect(first.failed).toEqual([{ session: "offline_d.myshopify.com", shop: "d.myshopify.com", error: expect.stringMatching(/key "k9"/) }]);
    const a = await row("offline_a.myshopify.com");
    expect([secretKeyId(a.accessToken), secretKeyId(a.refreshToken!)]).toEqual(["k2", "k2"]);
    expect(decryptSecret(a.refreshToken!, ROTATING)).toBe(REFRESH);
    const b = await row("offline_b.myshopify.com");
    expect(secretKeyId(b.accessToken)).toBe("k2");
    expect(decryptSecret(b.accessToken, ROTATING)).toBe("shpat_clear");

    const again = await rotateSessionTokens(prisma, ROTATING);
    expect(again).toMatchObject({ rotated: 0, encrypted: 0, current: 3 });
    // Only the new key left: everything the rotation touched still reads.
    const NEW_ONLY = { encryptionKeys: `k2:${K2}` };
    for (const id of ["offline_a.myshopify.com", "offline_b.myshopify.com", "offline_c.myshopify.com"]) {
      expect(decryptSecret((await row(id)).accessToken, NEW_ONLY)).toMatch(/^shpat_/);
    }
  });
});

describe("without AFTERGLOW_ENCRYPTION_KEYS", () => {
  it("production refuses; elsewhere a local key is made once, readable by its owner only, and kept", () => {
    expect(() => loadKeyRing({ encryptionKeys: null, production: true })).toThrow(
      /AFTERGLOW_ENCRYPTION_KEYS is not set, and production \(NODE_ENV=production\) does not run without it/,
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "afterglow-key-"));
    try {
      const file = path.join(dir, "var", "encryption-key");
      const options = { encryptionKeys: null, production: false, localKeyFile: file };
      const stored = encryptSecret(TOKEN, options);
      expect(secretKeyId(stored)).toBe("local");
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(localKeySource(file)).toMatch(/^local:[A-Za-z0-9+/]{43}=$/);
      // Another process (the CLI, a worker) reads it with the same file.
      expect(decryptSecret(stored, { encryptionKeys: localKeySource(file) })).toBe(TOKEN);
      expect(decryptSecret(stored, options)).toBe(TOKEN);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
