// `afterglow suppressions rehash`, run as an operator runs it after setting AFTERGLOW_EMAIL_HASH_KEYS:
// suppressions an earlier erasure kept as a bare sha256 become keyed hashes and still block.
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../scripts/harness";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { hashedSuppressionEmail } from "~/services/compliance/hashed-emails.server";
import { loadConfig } from "~/platform/config.server";

const KEYS = `k1:${randomBytes(32).toString("base64")}`;
const ROTATED = `k2:${randomBytes(32).toString("base64")}`;
const A = "a.myshopify.com";
const sha256 = (email: string) => `sha256:${createHash("sha256").update(email).digest("hex")}`;

let db: TestDatabase;
const cli = (args: string[], env: Record<string, string>) => runCli(args, { DATABASE_URL: db.url, ...env });

beforeAll(() => {
  db = createTestDatabase("cli-suppressions");
});
afterAll(() => db?.cleanup());

describe("afterglow suppressions rehash", () => {
  it("re-hashes bare sha256 rows with the first key, is safe to repeat, and counts rows whose key is gone", async () => {
    await db.prisma.suppression.createMany({
      data: [
        { shop: A, email: sha256("gone@example.com"), reason: "hard_bounce" },
        { shop: A, email: "kept@example.com", reason: "manual" },
      ],
    });
    const first = await cli(["suppressions", "rehash"], { AFTERGLOW_EMAIL_HASH_KEYS: KEYS });
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain("Re-hashed 1 suppression(s) kept as a bare sha256 (0 were duplicates and removed); 0 already used the first key.");
    const keyed = hashedSuppressionEmail("gone@example.com", loadConfig({ AFTERGLOW_EMAIL_HASH_KEYS: KEYS }).erasure.emailHashKeys);
    expect((await db.prisma.suppression.findMany({ orderBy: { email: "asc" } })).map((s) => s.email)).toEqual([keyed, "kept@example.com"]);

    const again = await cli(["suppressions", "rehash"], { AFTERGLOW_EMAIL_HASH_KEYS: KEYS });
    expect(again.stdout).toContain("Re-hashed 0 suppression(s)");
    expect(again.stdout).toContain("1 already used the first key");

    const gone = await cli(["suppressions", "rehash"], { AFTERGLOW_EMAIL_HASH_KEYS: ROTATED });
    expect(gone.status).toBe(1);
    expect(gone.stdout).toContain('Matching nothing, their key is no longer listed: 1 under "k1".');
  }, 120_000);
});
