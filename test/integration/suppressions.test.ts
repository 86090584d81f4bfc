import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase } from "../helpers/db";
import {
  addSuppression,
  exportSuppressionsCsv,
  isSuppressed,
  listSuppressions,
  removeSuppression,
} from "~/services/consent/suppressions.server";
import { createHash } from "node:crypto";
import { hashedSuppressionEmail, rehashLegacySuppressions } from "~/services/compliance/hashed-emails.server";
import { ConfigError, loadConfig } from "~/platform/config.server";

// The key an erased customer's address is hashed with (without SHOPIFY_API_SECRET there is none).
process.env.AFTERGLOW_EMAIL_HASH_KEYS = `t1:${Buffer.alloc(32, 7).toString("base64")}`;

const A = "shop-a.myshopify.com";
const B = "shop-b.myshopify.com";
const db = createTestDatabase("suppressions");
const prisma = db.prisma;
afterAll(() => db.cleanup());

beforeEach(async () => {
  await prisma.suppression.deleteMany();
});

describe("isSuppressed", () => {
  it("compares addresses lower-cased and trimmed", async () => {
    await addSuppression(prisma, { shop: A, email: "  Ada@Example.COM ", reason: "hard_bounce" });
    expect(await isSuppressed(prisma, { shop: A, email: "ada@example.com", marketing: false })).toMatchObject({
      email: "ada@example.com",
      reason: "hard_bounce",
      scope: "all",
    });
    expect(await isSuppressed(prisma, { shop: A, email: "ADA@EXAMPLE.COM", marketing: true })).not.toBeNull();
  });

  it("applies scope all to every send and scope marketing only to marketing sends", async () => {
    await addSuppression(prisma, { shop: A, email: "mkt@example.com", scope: "marketing", reason: "unsubscribed" });
    expect(await isSuppressed(prisma, { shop: A, email: "mkt@example.com", marketing: true })).toMatchObject({ scope: "marketing" });
    expect(await isSuppressed(prisma, { shop: A, email: "mkt@example.com", marketing: false })).toBeNull();
    // With both, "all" is the answer.
    await addSuppression(prisma, { shop: A, email: "mkt@example.com", scope: "all", reason: "spam_report" });
    expect(await isSuppressed(prisma, { shop: A, email: "mkt@example.com", marketing: true })).toMatchObject({ scope: "all" });
    expect(await isSuppressed(prisma, { shop: A, email: "nobody@example.com", marketing: true })).toBeNull();
  });
});

describe("after a customer is redacted", () => {
  it("the hashed entry still blocks the address, and adding it again makes no plain copy", async () => {
    await prisma.suppression.create({ data: { shop: A, email: hashedSuppressionEmail("gone@example.com"), reason: "hard_bounce" } });
    expect(await isSuppressed(prisma, { shop: A, email: "Gone@Example.com", marketing: false })).toMatchObject({ reason: "hard_bounce" });
    expect(await addSuppression(prisma, { shop: A, email: "gone@example.com", reason: "spam_report" })).toMatchObject({ created: false });
    expect(await prisma.suppression.count({ where: { email: "gone@example.com" } })).toBe(0);
    expect(await isSuppressed(prisma, { shop: B, email: "gone@example.com", marketing: false })).toBeNull();
  });
});

describe("the keyed hash an erased address is kept as", () => {
  const K1 = `k1:${Buffer.alloc(32, 1).toString("base64")}`;
  const K2 = `k2:${Buffer.alloc(32, 2).toString("base64")}`;
  const keys = (value: string | undefined, secret = "") => loadConfig({ AFTERGLOW_EMAIL_HASH_KEYS: value, SHOPIFY_API_SECRET: secret }).erasure.emailHashKeys;
  const sha256 = (email: string) => `sha256:${createHash("sha256").update(email).digest("hex")}`;
  const withKeys = (value: string) => {
    process.env.AFTERGLOW_EMAIL_HASH_KEYS = value;
  };
  afterEach(() => withKeys(`t1:${Buffer.alloc(32, 7).toString("base64")}`));

  it("cannot be recomputed from the address alone: it depends on the key", () => {
    const stored = hashedSuppressionEmail("gone@example.com");
    expect(stored).toMatch(/^hmac:t1:[0-9a-f]{64}$/);
    expect(stored).not.toContain(sha256("gone@example.com").slice(7));
    const hex = (v: string) => v.split(":")[2];
    expect(hex(hashedSuppressionEmail("gone@example.com", keys(K1)))).not.toBe(hex(hashedSuppressionEmail("gone@example.com", keys(K2))));
    expect(hashedSuppressionEmail("Gone@Example.com ", keys(K1))).toBe(hashedSuppressionEmail("gone@example.com", keys(K1)));
    // Unset, the key is derived from the app secret: another secret, another hash.
    expect(hashedSuppressionEmail("gone@example.com", keys(undefined, "secret-a"))).not.toBe(hashedSuppressionEmail("gone@example.com", keys(undefined, "secret-b")));
    expect(() => hashedSuppressionEmail("gone@example.com", keys(undefined, ""))).toThrow(/AFTERGLOW_EMAIL_HASH_KEYS/);
  });

  it("refuses a key that is short, unnamed or named twice, without echoing it", () => {
    const short = Buffer.alloc(16, 3).toString("base64");
    for (const bad of [`k1:${short}`, `:${Buffer.alloc(32).toString("base64")}`, `${K1},${K1}`, "app:abc"]) {
      expect(() => keys(bad)).toThrow(ConfigError);
      expect(() => keys(bad)).not.toThrow(new RegExp(short.slice(0, 8)));
    }
    expect(keys(`${K2},app`, "s").map((k) => k.id)).toEqual(["k2", "app"]);
  });

  it("rows hashed the old way (bare sha256) and under an earlier key still block until re-hashed", async () => {
    withKeys(K1);
    await prisma.suppression.create({ data: { shop: A, email: sha256("legacy@example.com"), reason: "hard_bounce" } });
    await prisma.suppression.create({ data: { shop: A, email: hashedSuppressionEmail("rotated@example.com"), reason: "spam_report" } });
    withKeys(`${K2},${K1}`);
    expect(await isSuppressed(prisma, { shop: A, email: "legacy@example.com", marketing: false })).toMatchObject({ reason: "hard_bounce" });
    expect(await isSuppressed(prisma, { shop: A, email: "rotated@example.com", marketing: false })).toMatchObject({ reason: "spam_report" });

    expect(await rehashLegacySuppressions(prisma)).toEqual({ rehashed: 1, merged: 0, current: 0, olderKey: { k1: 1 }, unknownKey: {} });
    expect(await prisma.suppression.count({ where: { email: { startsWith: "sha256:" } } })).toBe(0);
    expect(await isSuppressed(prisma, { shop: A, email: "legacy@example.com", marketing: false })).toMatchObject({ email: hashedSuppressionEmail("legacy@example.com") });
    // Repeating it changes nothing.
    expect(await rehashLegacySuppressions(prisma)).toEqual({ rehashed: 0, merged: 0, current: 1, olderKey: { k1: 1 }, unknownKey: {} });

    // With k1 gone, its rows match nothing, and the count says so.
    withKeys(K2);
    expect(await isSuppressed(prisma, { shop: A, email: "rotated@example.com", marketing: false })).toBeNull();
    expect(await rehashLegacySuppressions(prisma)).toMatchObject({ unknownKey: { k1: 1 } });
  });
});

describe("addSuppression", () => {
  it("keeps the first reason when an address is added again", async () => {
    const first = await addSuppression(prisma, { shop: A, email: "x@example.com", reason: "unsubscribed", source: "sendgrid:ev1" });
    const second = await addSuppression(prisma, { shop: A, email: "X@example.com", reason: "hard_bounce" });
    expect(first.created).toBe(true);
    expect(second).toMatchObject({ created: false, suppression: { id: first.suppression.id, reason: "unsubscribed", source: "sendgrid:ev1" } });
    expect(await prisma.suppression.count()).toBe(1);
  });

  it("refuses what is not an address, an unknown scope or reason, and a missing shop", async () => {
    await expect(addSuppression(prisma, { shop: A, email: "not-an-address", reason: "manual" })).rejects.toThrow(/not an email address/);
    await expect(addSuppression(prisma, { shop: A, email: "a@b.example", reason: "manual", scope: "everything" as never })).rejects.toThrow(/scope/);
    await expect(addSuppression(prisma, { shop: A, email: "a@b.example", reason: "bored" as never })).rejects.toThrow(/reason/);
    await expect(addSuppression(prisma, { shop: "", email: "a@b.example", reason: "manual" })).rejects.toThrow(/one shop/);
  });
});

describe("shop scoping", () => {
  it("shop A never sees, lists, exports or removes shop B's entries", async () => {
    const b = await addSuppression(prisma, { shop: B, email: "shared@example.com", reason: "hard_bounce" });
    await addSuppression(prisma, { shop: B, email: "only-b@example.com", reason: "manual" });
    await addSuppression(prisma, { shop: A, email: "only-a@example.com", reason: "manual" });

    expect(await isSuppressed(prisma, { shop: A, email: "shared@example.com", marketing: false })).toBeNull();
    expect((await listSuppressions(prisma, { shop: A })).items.map((s) => s.email)).toEqual(["only-a@example.com"]);
    expect((await listSuppressions(prisma, { shop: A, search: "shared" })).items).toEqual([]);
    expect(await exportSuppressionsCsv(prisma, A)).not.toContain("b@example.com");

    expect(await removeSuppression(prisma, { shop: A, id: b.suppression.id })).toBe(0);
    expect(await removeSuppression(prisma, { shop: A, email: "shared@example.com" })).toBe(0);
    expect(await isSuppressed(prisma, { shop: B, email: "shared@example.com", marketing: false })).not.toBeNull();

    // A cursor from shop B's list reads nothing of B's when used for A.
    const pageB = await listSuppressions(prisma, { shop: B, limit: 1 });
    expect(pageB.nextCursor).not.toBeNull();
    const viaCursor = await listSuppressions(prisma, { shop: A, cursor: pageB.nextCursor });
    expect(viaCursor.items.every((s) => s.shop === A)).toBe(true);
  });
});

describe("removeSuppression", () => {
  it("removes by id, by address and scope, or every scope of an address", async () => {
    const a = await addSuppression(prisma, { shop: A, email: "one@example.com", reason: "manual" });
    await addSuppression(prisma, { shop: A, email: "two@example.com", reason: "manual" });
    await addSuppression(prisma, { shop: A, email: "two@example.com", scope: "marketing", reason: "unsubscribed" });
    expect(await removeSuppression(prisma, { shop: A, id: a.suppression.id })).toBe(1);
    expect(await removeSuppression(prisma, { shop: A, email: "TWO@example.com", scope: "marketing" })).toBe(1);
    expect(await isSuppressed(prisma, { shop: A, email: "two@example.com", marketing: false })).not.toBeNull();
    expect(await removeSuppression(prisma, { shop: A, email: "two@example.com" })).toBe(1);
    expect(await prisma.suppression.count()).toBe(0);
  });
});

describe("listSuppressions", () => {
  it("pages newest first with a cursor and searches by address", async () => {
    for (let i = 0; i < 7; i++) {
      await prisma.suppression.create({
        data: { shop: A, email: `c${i}@example.com`, reason: "manual", createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i < 4 ? 0 : i)) },
      });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<typeof listSuppressions>> = await listSuppressions(prisma, { shop: A, limit: 3, cursor });
      seen.push(...page.items.map((s) => s.email));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    // Entries sharing a timestamp are neither skipped nor repeated across pages.
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
    expect(seen.slice(0, 3)).toEqual(["c6@example.com", "c5@example.com", "c4@example.com"]);

    expect((await listSuppressions(prisma, { shop: A, search: "C5@" })).items.map((s) => s.email)).toEqual(["c5@example.com"]);
    await expect(listSuppressions(prisma, { shop: A, cursor: "garbage" })).rejects.toThrow(/cursor/);
  });
});

describe("exportSuppressionsCsv", () => {
  it("writes RFC 4180 CSV with a header row and CRLF line ends", async () => {
    await prisma.suppression.create({
      data: {
        shop: A,
        email: "quote@example.com",
        reason: "hard_bounce",
        source: "sendgrid:abc",
        detail: 'He said "no", twice\nthen left',
        createdAt: new Date("2026-01-02T03:04:05.000Z"),
      },
    });
    const csv = await exportSuppressionsCsv(prisma, A);
    expect(csv).toBe(
      "email,scope,reason,source,detail,created_at\r\n" +
        'quote@example.com,all,hard_bounce,sendgrid:abc,"He said ""no"", twice\nthen left",2026-01-02T03:04:05.000Z\r\n',
    );
  });

  it("neutralises cells a spreadsheet would run as formulas", async () => {
    await prisma.suppression.create({
      data: { shop: A, email: "=cmd|'/c calc'!a1@example.com", reason: "manual", detail: "+SUM(1,2)", source: "@merchant" },
    });
    await prisma.suppression.create({ data: { shop: A, email: "-2+3@example.com", reason: "manual", detail: "\tTab" } });
    const rows = (await exportSuppressionsCsv(prisma, A)).split("\r\n").filter(Boolean).slice(1);
    const cells = rows.map((r) => r.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/));
    for (const row of cells) {
      for (const cell of row) expect(cell.replace(/^"/, "")).not.toMatch(/^[=+\-@\t\r]/);
    }
    expect(rows.join("\n")).toContain(`"'=cmd|'/c calc'!a1@example.com"`);
    expect(rows.join("\n")).toContain(`"'+SUM(1,2)"`);
    expect(rows.join("\n")).toContain(`"'@merchant"`);
  });

  it("exports an empty list as just the header, and more than one page in full", async () => {
    expect(await exportSuppressionsCsv(prisma, B)).toBe("email,scope,reason,source,detail,created_at\r\n");
    await prisma.suppression.createMany({
      data: Array.from({ length: 1203 }, (_, i) => ({ shop: B, email: `bulk${i}@example.com`, reason: "manual" })),
    });
    const csv = await exportSuppressionsCsv(prisma, B);
    expect(csv.split("\r\n").filter(Boolean)).toHaveLength(1204);
  });
});
