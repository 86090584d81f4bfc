// The migrations in prisma/migrations (SQLite) and prisma/postgres/migrations (PostgreSQL) are
// kept in step: each builds exactly what its schema file describes, and both build the same
// tables, columns, keys and indexes, types mapped between the dialects.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createFreshDatabase, migrationDirs, POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS, type FreshDatabase } from "../../scripts/databases";
import { POSTGRES_SCHEMA, postgresSchemaText } from "../../scripts/postgres-schema";
import { migrateSqliteFile } from "../helpers/db";

const ROOT = path.resolve(__dirname, "../..");

function migrateDiffFromEmpty(schema: string, databaseUrl: string): string {
  return execFileSync("npx", ["prisma", "migrate", "diff", "--from-empty", "--to-schema-datamodel", schema, "--script"], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, DATABASE_URL: databaseUrl, NODE_OPTIONS: "--require=./scripts/unref-long-timers.cjs" },
  });
}

interface TableShape {
  table: string;
  columns: string[];
  primaryKey: string[];
  foreignKeys: string[];
  indexes: string[];
}

// The schema as structure, not as CREATE text: a column added by a later migration's ALTER TABLE
// sits at the end of its table, which is no drift.
function sqliteSchemaOf(file: string, { native = false } = {}): TableShape[] {
  const db = new Database(file, { readonly: true });
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != '_prisma_migrations' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
  const schema = tables.map((table) => {
    const columns = db.prepare(`PRAGMA table_info("${table}")`).all() as { name: string; type: string; notnull: number; dflt_value: string | null; pk: number }[];
    return {
      table,
      columns: columns
        .map((c) => column(c.name, native ? c.type : sqliteType(table, c.name, c.type), c.notnull === 1 || c.pk > 0, c.dflt_value))
        .sort(),
      primaryKey: columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name),
      foreignKeys: (db.prepare(`PRAGMA foreign_key_list("${table}")`).all() as { table: string; from: string; to: string; on_delete: string; on_update: string }[])
        .map((f) => `${f.from} -> ${f.table}.${f.to} ON DELETE ${f.on_delete} ON UPDATE ${f.on_update}`)
        .sort(),
      indexes: (db.prepare(`PRAGMA index_list("${table}")`).all() as { name: string; unique: number; origin: string }[])
        .filter((i) => i.origin !== "pk")
        .map((i) => `${i.unique ? "UNIQUE " : ""}${i.name}(${(db.prepare(`PRAGMA index_info("${i.name}")`).all() as { name: string }[]).map((c) => c.name).join(",")})`)
        .sort(),
    };
  });
  db.close();
  return schema;
}

async function postgresSchemaOf(url: string): Promise<TableShape[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const q = async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) => (await client.query<T>(sql, params)).rows;
    const tables = (await q<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name != '_prisma_migrations' ORDER BY table_name COLLATE \"C\"",
    )).map((t) => t.table_name);
    const schema: TableShape[] = [];
    for (const table of tables) {
      const columns = await q<{ column_name: string; data_type: string; is_nullable: string; column_default: string | null }>(
        "SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1",
        [table],
      );
      const primaryKey = await q<{ attname: string }>(
        `SELECT a.attname FROM pg_index i JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) ON true
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
         WHERE i.indrelid = format('%I', $1::text)::regclass AND i.indisprimary ORDER BY k.n`,
        [table],
      );
      const foreignKeys = await q<{ def: string }>(
        `SELECT a.attname || ' -> ' || ft.relname || '.' || fa.attname || ' ON DELETE ' ||
                CASE c.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'r' THEN 'RESTRICT' WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' ELSE 'NO ACTION' END ||
                ' ON UPDATE ' ||
                CASE c.confupdtype WHEN 'c' THEN 'CASCADE' WHEN 'r' THEN 'RESTRICT' WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' ELSE 'NO ACTION' END AS def
         FROM pg_constraint c JOIN pg_class ft ON ft.oid = c.confrelid
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
         JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1]
         WHERE c.contype = 'f' AND c.conrelid = format('%I', $1::text)::regclass`,
        [table],
      );
      const indexes = await q<{ name: string; unique: boolean; columns: string }>(
        `SELECT ic.relname AS name, i.indisunique AS unique,
                (SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
                 JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum) AS columns
         FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
         WHERE i.indrelid = format('%I', $1::text)::regclass AND NOT i.indisprimary`,
        [table],
      );
      schema.push({
        table,
        columns: columns.map((c) => column(c.column_name, postgresType(table, c.column_name, c.data_type), c.is_nullable === "NO", c.column_default)).sort(),
        primaryKey: primaryKey.map((k) => k.attname),
        foreignKeys: foreignKeys.map((f) => f.def).sort(),
        indexes: indexes.map((i) => `${i.unique ? "UNIQUE " : ""}${i.name}(${i.columns})`).sort(),
      });
    }
    return schema;
  } finally {
    await client.end();
  }
}

// Prisma's scalar types as each dialect stores them.
const SQLITE_TYPES: Record<string, string> = { TEXT: "String", INTEGER: "Int", BOOLEAN: "Boolean", DATETIME: "DateTime", BIGINT: "BigInt", REAL: "Float", DECIMAL: "Decimal", BLOB: "Bytes", JSONB: "Json" };
const POSTGRES_TYPES: Record<string, string> = { text: "String", integer: "Int", boolean: "Boolean", "timestamp without time zone": "DateTime", bigint: "BigInt", "double precision": "Float", numeric: "Decimal", bytea: "Bytes", jsonb: "Json" };

function sqliteType(table: string, name: string, type: string): string {
  return SQLITE_TYPES[type.toUpperCase()] ?? `unmapped SQLite type ${type} (${table}.${name})`;
}
function postgresType(table: string, name: string, type: string): string {
  return POSTGRES_TYPES[type] ?? `unmapped PostgreSQL type ${type} (${table}.${name})`;
}

function column(name: string, type: string, notNull: boolean, dflt: string | null): string {
  // PostgreSQL spells a default with its type ('scheduled'::text); SQLite does not.
  const normalized = dflt === null ? null : dflt.replace(/::[a-z ]+(\([0-9, ]+\))?$/i, "").replace(/^(true|false)$/i, (b) => b.toLowerCase());
  return `${name} ${type}${notNull ? " NOT NULL" : ""}${normalized !== null ? ` DEFAULT ${normalized}` : ""}`;
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "afterglow-migrations-"));
const databases: FreshDatabase[] = [];
afterAll(async () => {
  for (const db of databases) await db.drop();
  fs.rmSync(scratch, { recursive: true, force: true });
});

function postgresDatabase(name: string, opts: { migrate: boolean }): FreshDatabase {
  const db = createFreshDatabase({ name, kind: "postgresql", migrate: opts.migrate });
  databases.push(db);
  return db;
}

describe("migrations", () => {
  it("SQLite: build exactly the schema that prisma/schema.prisma describes (no drift)", () => {
    const fromMigrations = path.join(scratch, "migrations.sqlite");
    migrateSqliteFile(fromMigrations);
    const fromSchema = path.join(scratch, "schema.sqlite");
    const db = new Database(fromSchema);
    db.exec(migrateDiffFromEmpty("prisma/schema.prisma", `file:${fromSchema}`));
    db.close();

    const expected = sqliteSchemaOf(fromSchema, { native: true });
    expect(expected.length).toBeGreaterThan(10);
    expect(sqliteSchemaOf(fromMigrations, { native: true })).toEqual(expected);
  });

  it("prisma/postgres/schema.prisma is prisma/schema.prisma for PostgreSQL (run `npm run db:schema` after editing the schema)", () => {
    expect(fs.readFileSync(POSTGRES_SCHEMA, "utf8")).toBe(postgresSchemaText());
  });

  it("PostgreSQL: build exactly the schema that prisma/postgres/schema.prisma describes (no drift)", async () => {
    const fromMigrations = postgresDatabase("migrations", { migrate: true });
    const fromSchema = postgresDatabase("schema", { migrate: false });
    const sql = migrateDiffFromEmpty("prisma/postgres/schema.prisma", fromSchema.url);
    const client = new pg.Client({ connectionString: fromSchema.url });
    await client.connect();
    await client.query(sql);
    await client.end();

    const expected = await postgresSchemaOf(fromSchema.url);
    expect(expected.length).toBeGreaterThan(10);
    expect(await postgresSchemaOf(fromMigrations.url)).toEqual(expected);
  });

  it("SQLite and PostgreSQL migrations come in the same steps and build the same schema", async () => {
    expect(migrationDirs(POSTGRES_MIGRATIONS)).toEqual(migrationDirs(SQLITE_MIGRATIONS));
    const sqliteFile = path.join(scratch, "in-step.sqlite");
    migrateSqliteFile(sqliteFile);
    const postgres = postgresDatabase("in_step", { migrate: true });

    const fromSqlite = sqliteSchemaOf(sqliteFile);
    const fromPostgres = await postgresSchemaOf(postgres.url);
    expect(fromSqlite.map((t) => t.table)).toEqual(fromPostgres.map((t) => t.table));
    for (const [i, table] of fromSqlite.entries()) expect(fromPostgres[i], table.table).toEqual(table);
    // The comparison looks at every kind of thing it claims to.
    const all = (pick: (t: TableShape) => string[]) => fromSqlite.flatMap(pick).join("\n");
    expect(all((t) => t.columns)).toMatch(/DateTime NOT NULL DEFAULT CURRENT_TIMESTAMP/);
    expect(all((t) => t.columns)).toMatch(/Boolean NOT NULL DEFAULT false/);
    expect(all((t) => t.columns)).toMatch(/String NOT NULL DEFAULT 'scheduled'/);
    expect(all((t) => t.indexes)).toMatch(/^UNIQUE /m);
    expect(all((t) => t.indexes)).toMatch(/^(?!UNIQUE )\w+\(/m);
    expect(all((t) => t.foreignKeys)).toMatch(/ON DELETE CASCADE/);
  });
});
