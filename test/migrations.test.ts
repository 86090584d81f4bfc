import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { migrateSqliteFile } from "./helpers/db";

const ROOT = path.resolve(__dirname, "..");

// The schema as structure (columns, types, keys, indexes), not as CREATE text: a column added
// by a later migration's ALTER TABLE sits at the end of its table, which is no drift.
function schemaOf(file: string) {
  const db = new Database(file, { readonly: true });
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != '_prisma_migrations' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
  const schema = tables.map((table) => ({
    table,
    columns: (db.prepare(`PRAGMA table_info("${table}")`).all() as { name: string; type: string; notnull: number; dflt_value: string | null; pk: number }[])
      .map((c) => `${c.name} ${c.type}${c.notnull ? " NOT NULL" : ""}${c.dflt_value !== null ? ` DEFAULT ${c.dflt_value}` : ""}${c.pk ? " PK" : ""}`)
      .sort(),
    foreignKeys: (db.prepare(`PRAGMA foreign_key_list("${table}")`).all() as { table: string; from: string; to: string; on_delete: string }[])
      .map((f) => `${f.from} -> ${f.table}.${f.to} ON DELETE ${f.on_delete}`)
      .sort(),
    indexes: (db.prepare(`PRAGMA index_list("${table}")`).all() as { name: string; unique: number }[])
      .map((i) => `${i.unique ? "UNIQUE " : ""}${i.name}(${(db.prepare(`PRAGMA index_info("${i.name}")`).all() as { name: string }[]).map((c) => c.name).join(",")})`)
      .sort(),
  }));
  db.close();
  return schema;
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
