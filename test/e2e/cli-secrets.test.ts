// The operator commands for merchants' own SendGrid keys, run as an operator runs them:
// `afterglow sendgrid-key set|remove` and `afterglow secrets rotate`. The key goes in through a
// file or standard input and never comes out, in the output or in the database.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../scripts/harness";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { connectShop } from "~/services/shop/shops.server";
import { decryptSecret, encryptSecret, secretKeyId } from "~/services/shop/secrets.server";
import { listAudit } from "~/services/compliance/audit.server";

const key = () => randomBytes(32).toString("base64");
const K1 = key();
const K2 = key();
const OLD = { AFTERGLOW_ENCRYPTION_KEYS: `k1:${K1}` };
const ROTATING = { AFTERGLOW_ENCRYPTION_KEYS: `k2:${K2},k1:${K1}` };
const SG_KEY = "SG.aBcDeFgHiJkLmNoPqRsTuV.wXyZ0123456789abcdefghijklmnopqrstuvwxyzABCD";
const OTHER_KEY = SG_KEY.replace("ABCD", "WXYZ");
const A = "a.myshopify.com";
const B = "b.myshopify.com";

let db: TestDatabase;
let dir: string;

const cli = (args: string[], env: Record<string, string>, input?: string) =>
  runCli(args, { DATABASE_URL: db.url, USER: "olga", ...env }, input === undefined ? {} : { input });

const storedKey = async (shop: string) => (await db.prisma.shop.findUnique({ where: { domain: shop } }))?.sendgridApiKeyEnc ?? null;

function expectNoSecret(r: { stdout: string; stderr: string }, ...secrets: string[]) {
  for (const secret of secrets) {
    expect(r.stdout).not.toContain(secret);
    expect(r.stderr).not.toContain(secret);
  }
}

beforeAll(async () => {
  db = createTestDatabase("cli-secrets");
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "afterglow-cli-secrets-"));
  for (const shop of [A, B]) await connectShop({ prisma: db.prisma, shop });
}, 120_000);

afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await db?.cleanup();
});

beforeEach(async () => {
  await db.prisma.shop.updateMany({ data: { sendgridApiKeyEnc: null } });
  await db.prisma.auditLog.deleteMany();
  await db.prisma.session.deleteMany();
});

describe("afterglow sendgrid-key", () => {
  it("stores a key read from a file, encrypted, and says which key without showing it", async () => {
    const file = path.join(dir, "a.key");
    fs.writeFileSync(file, `${SG_KEY}\n`);
    const r = await cli(["sendgrid-key", "set", A, "--key-file", file], OLD);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`Stored the SendGrid key ending in ABCD for ${A}, encrypted with key "k1".\n`);
    expectNoSecret(r, SG_KEY, SG_KEY.slice(0, -4));
    const stored = await storedKey(A);
    expect(stored).not.toContain(SG_KEY);
    expect(secretKeyId(stored!)).toBe("k1");
    expect(decryptSecret(stored!, { encryptionKeys: OLD.AFTERGLOW_ENCRYPTION_KEYS })).toBe(SG_KEY);
    expect(await storedKey(B)).toBeNull();
    const [entry] = await listAudit(db.prisma, A, { action: "sendgrid_key.set" });
    expect(entry).toMatchObject({ actor: "cli:olga", detail: { endsWith: "ABCD", encryptionKeyId: "k1" } });
  }, 120_000);

  it("reads the key from standard input, and removes it again", async () => {
    const set = await cli(["sendgrid-key", "set", B, "--stdin"], OLD, `  ${OTHER_KEY}\r\n`);
    expect(set.status, set.stderr).toBe(0);
    expect(set.stdout).toContain(`ending in WXYZ for ${B}`);
    expectNoSecret(set, OTHER_KEY);
    expect(decryptSecret((await storedKey(B))!, { encryptionKeys: OLD.AFTERGLOW_ENCRYPTION_KEYS })).toBe(OTHER_KEY);

    const removed = await cli(["sendgrid-key", "remove", B], OLD);
    expect(removed.status, removed.stderr).toBe(0);
    expect(removed.stdout).toBe(`Removed ${B}'s own SendGrid key.\n`);
    expect(await storedKey(B)).toBeNull();
    const log = await listAudit(db.prisma, B);
    expect(log.map((e) => [e.action, e.actor])).toEqual([
      ["sendgrid_key.removed", "cli:olga"],
      ["sendgrid_key.set", "cli:olga"],
    ]);
  }, 120_000);

  // Each refusal leaves the stored key and the audit log as they were.
  async function unchangedAfter(refusals: () => Promise<void>) {
    const file = path.join(dir, "b.key");
    fs.writeFileSync(file, SG_KEY);
    await cli(["sendgrid-key", "set", A, "--key-file", file], OLD);
    const before = await storedKey(A);
    const auditRows = await db.prisma.auditLog.count();
    await refusals();
    expect(await storedKey(A)).toBe(before);
    expect(await db.prisma.auditLog.count()).toBe(auditRows);
  }

  it("refuses a set without exactly one key source, or with an empty one", async () => {
    await unchangedAfter(async () => {
      const file = path.join(dir, "b.key");
      const none = await cli(["sendgrid-key", "set", A], OLD);
      expect(none.status).toBe(2);
      expect(none.stderr).toMatch(/--key-file <file> or --stdin/);

      const both = await cli(["sendgrid-key", "set", A, "--key-file", file, "--stdin"], OLD, SG_KEY);
      expect(both.status).toBe(2);

      // An empty file must not read as "remove the key".
      const empty = path.join(dir, "empty.key");
      fs.writeFileSync(empty, "\n");
      const blank = await cli(["sendgrid-key", "set", A, "--key-file", empty], OLD);
      expect(blank.status).toBe(2);
      expect(blank.stderr).toMatch(/No key in .*empty\.key; nothing was changed/);
    });
  }, 120_000);

  it("refuses a malformed key, an unknown shop, and a setup without encryption keys", async () => {
    await unchangedAfter(async () => {
      const file = path.join(dir, "b.key");
      const malformed = await cli(["sendgrid-key", "set", A, "--stdin"], OLD, "hunter2-not-a-sendgrid-key");
      expect(malformed.status).toBe(1);
      expect(malformed.stderr).toMatch(/does not look like a SendGrid API key/);
      expectNoSecret(malformed, "hunter2-not-a-sendgrid-key");

      const unknown = await cli(["sendgrid-key", "set", "nope.myshopify.com", "--key-file", file], OLD);
      expect(unknown.status).toBe(1);
      expect(unknown.stderr).toMatch(/nope\.myshopify\.com is not connected/);

      const unkeyed = await cli(["sendgrid-key", "set", A, "--key-file", file], { AFTERGLOW_ENCRYPTION_KEYS: "", NODE_ENV: "production" });
      expect(unkeyed.status).toBe(1);
      expect(unkeyed.stderr).toMatch(/AFTERGLOW_ENCRYPTION_KEYS is not set/);
      expectNoSecret(unkeyed, SG_KEY);
    });
  }, 120_000);
});

const TOKEN_A = "shpat_a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0";
const TOKEN_B = "shpat_b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1";
const storedToken = async (shop: string) => (await db.prisma.session.findUniqueOrThrow({ where: { id: `offline_${shop}` } })).accessToken;

describe("afterglow secrets rotate", () => {
  it("re-encrypts every shop's key and access token with the first key, and a second run has nothing left to do", async () => {
    // A's token was stored before tokens were encrypted; B's under the old key.
    await db.prisma.session.create({ data: { id: `offline_${A}`, shop: A, state: "", accessToken: TOKEN_A } });
    await db.prisma.session.create({
      data: { id: `offline_${B}`, shop: B, state: "", accessToken: encryptSecret(TOKEN_B, { encryptionKeys: OLD.AFTERGLOW_ENCRYPTION_KEYS }) },
    });
    await db.prisma.shop.update({ where: { domain: A }, data: { sendgridApiKeyEnc: encryptSecret(SG_KEY, { encryptionKeys: OLD.AFTERGLOW_ENCRYPTION_KEYS }) } });
    await db.prisma.shop.update({ where: { domain: B }, data: { sendgridApiKeyEnc: encryptSecret(OTHER_KEY, { encryptionKeys: OLD.AFTERGLOW_ENCRYPTION_KEYS }) } });

    const first = await cli(["secrets", "rotate"], ROTATING);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toBe(
      `Re-encrypted 2 shop SendGrid key(s) with key "k2"; 0 already used it; 0 could not be read.\n` +
        `Re-encrypted 1 Shopify session token(s) with key "k2" and encrypted 1 stored in clear; 0 already used it; 0 could not be read.\n`,
    );
    expectNoSecret(first, SG_KEY, OTHER_KEY, TOKEN_A, TOKEN_B);
    for (const [shop, token] of [[A, TOKEN_A], [B, TOKEN_B]]) {
      const stored = await storedToken(shop);
      expect(secretKeyId(stored)).toBe("k2");
      expect(decryptSecret(stored, { encryptionKeys: `k2:${K2}` })).toBe(token);
    }
    expect(secretKeyId((await storedKey(A))!)).toBe("k2");
    expect(decryptSecret((await storedKey(B))!, { encryptionKeys: ROTATING.AFTERGLOW_ENCRYPTION_KEYS })).toBe(OTHER_KEY);
    expect(await listAudit(db.prisma, A, { action: "sendgrid_key.reencrypted" })).toHaveLength(1);

    const again = await cli(["secrets", "rotate"], ROTATING);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toBe(
      `Re-encrypted 0 shop SendGrid key(s) with key "k2"; 2 already used it; 0 could not be read.\n` +
        `Re-encrypted 0 Shopify session token(s) with key "k2" and encrypted 0 stored in clear; 2 already used it; 0 could not be read.\n`,
    );
  }, 120_000);

  it("names each shop whose key no listed key opens, and exits 1", async () => {
    const lost = `lost:${key()}`;
    await db.prisma.shop.update({ where: { domain: A }, data: { sendgridApiKeyEnc: encryptSecret(SG_KEY, { encryptionKeys: OLD.AFTERGLOW_ENCRYPTION_KEYS }) } });
    await db.prisma.shop.update({
      where: { domain: B },
      data: { sendgridApiKeyEnc: encryptSecret(OTHER_KEY, { encryptionKeys: lost }) },
    });
    const r = await cli(["secrets", "rotate"], ROTATING);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`Re-encrypted 1 shop SendGrid key(s) with key "k2"; 0 already used it; 1 could not be read.`);
    expect(r.stdout).toMatch(new RegExp(`^  ${B.replace(/\./g, "\\.")}: .*key "lost"`, "m"));
    expect(r.stdout).toContain(`Re-encrypted 0 Shopify session token(s) with key "k2" and encrypted 0 stored in clear; 0 already used it; 0 could not be read.`);
    expectNoSecret(r, SG_KEY, OTHER_KEY);
    expect(secretKeyId((await storedKey(B))!)).toBe("lost");
  }, 120_000);
});
