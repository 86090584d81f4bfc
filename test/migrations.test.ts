import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { migrateSqliteFile } from "./helpers/db";

const ROOT = path.resolve(__dirname, "..");

function schemaOf(file: string) {
  const db = new Database(file, { readonly: true });
  const rows = db
    .prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
    .all() as { type: string; name: string; sql: string | null }[];
  db.close();
  return rows.map((r) => ({ ...r, sql: r.sql?.replace(/\s+/g, " ") }));
}

describe("migrations", () => {
  it("build exactly the schema that prisma/schema.prisma describes (no drift)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "afterglow-drift-"));
    const fromMigrations = path.join(dir, "migrations.sqlite");
    migrateSqliteFile(fromMigrations);

    const sql = execFileSync(
      "npx",
      ["prisma", "migrate", "diff", "--from-empty", "--to-schema-datamodel", "prisma/schema.prisma", "--script"],
      { cwd: ROOT, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "--require=./scripts/unref-long-timers.cjs" } },
    );
    const fromSchema = path.join(dir, "schema.sqlite");
    const db = new Database(fromSchema);
    db.exec(sql);
    db.close();

    const expected = schemaOf(fromSchema);
    expect(expected.length).toBeGreaterThan(10);
    expect(schemaOf(fromMigrations)).toEqual(expected);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
