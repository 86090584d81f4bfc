// Fresh, migrated databases of either kind, for tests, the demo and the benchmarks.
// SQLite: a file in a new temporary folder. PostgreSQL: a new database named afterglow_t_…
// on the server TEST_POSTGRES_URL names (default: local, user postgres), dropped when done.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { projectRoot } from "./project-root";

const ROOT = projectRoot(import.meta.url);
export const SQLITE_MIGRATIONS = path.join(ROOT, "prisma/migrations");
export const POSTGRES_MIGRATIONS = path.join(ROOT, "prisma/postgres/migrations");
export const DEFAULT_POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres";

export type DatabaseKind = "sqlite" | "postgresql";

// TEST_DATABASE=postgresql runs the tests (and harness-started apps) on PostgreSQL.
export function testDatabaseKind(): DatabaseKind {
  const kind = process.env.TEST_DATABASE || "sqlite";
  if (kind === "sqlite" || kind === "postgresql") return kind;
  throw new Error(`TEST_DATABASE must be "sqlite" or "postgresql"; got "${kind}"`);
}

export function postgresServerUrl(): string {
  return process.env.TEST_POSTGRES_URL || DEFAULT_POSTGRES_SERVER;
}

// The migration folders in the order `migrate deploy` applies them.
export function migrationDirs(root: string): string[] {
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(root, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort((a, b) => parseInt(a, 10) - parseInt(b, 10) || a.localeCompare(b));
}

export function migrationScripts(kind: DatabaseKind): string[] {
  const root = kind === "postgresql" ? POSTGRES_MIGRATIONS : SQLITE_MIGRATIONS;
  return migrationDirs(root).map((dir) => fs.readFileSync(path.join(root, dir, "migration.sql"), "utf8"));
}

export interface FreshDatabase {
  kind: DatabaseKind;
  url: string;
  drop(): Promise<void>;
}

function withDatabase(serverUrl: string, database: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

// Runs in a child process so that creating a database stays synchronous for its callers
// (test files create theirs at import time).
const CREATE_POSTGRES = `
const pg = require("pg");
const { server, database, scripts } = JSON.parse(require("fs").readFileSync(0, "utf8"));
(async () => {
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query('CREATE DATABASE "' + database + '"');
  await admin.end();
  const u = new URL(server); u.pathname = "/" + database;
  const db = new pg.Client({ connectionString: u.toString() });
  await db.connect();
  for (const sql of scripts) await db.query(sql);
  await db.end();
})().catch((err) => { console.error(err.message); process.exit(1); });
`;

/**
 * A new empty database of the given kind with the committed migrations applied as plain SQL
 * (what `migrate deploy` runs, without its bookkeeping table; use the harness's migrateDeploy
 * for that). `name` only makes the database easy to recognise.
 */
export function createFreshDatabase({
  name,
  kind = testDatabaseKind(),
  migrate = true,
}: {
  name: string;
  kind?: DatabaseKind;
  migrate?: boolean;
}): FreshDatabase {
  const scripts = migrate ? migrationScripts(kind) : [];
  if (kind === "sqlite") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`));
    const file = path.join(dir, "app.sqlite");
    applySqlite(file, scripts);
    return { kind, url: `file:${file}`, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const server = postgresServerUrl();
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, "_").slice(0, 24);
  const database = `afterglow_t_${slug}_${process.pid}_${randomBytes(4).toString("hex")}`;
  const r = spawnSync(process.execPath, ["-e", CREATE_POSTGRES], {
    cwd: ROOT,
    input: JSON.stringify({ server, database, scripts }),
    encoding: "utf8",
  });
  if (r.status !== 0) {
    throw new Error(
      `Could not create the PostgreSQL test database ${database} on ${server.replace(/\/\/[^@/]*@/, "//***@")}: ` +
        `${r.stderr.trim()}. Is PostgreSQL running (pg_isready -h 127.0.0.1)? TEST_POSTGRES_URL names the server.`,
    );
  }
  return { kind, url: withDatabase(server, database), drop: () => dropPostgresDatabase(database) };
}

function applySqlite(file: string, scripts: string[]): void {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  for (const sql of scripts) db.exec(sql);
  db.close();
}

export async function dropPostgresDatabase(database: string, server = postgresServerUrl()): Promise<void> {
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${database.replace(/"/g, '""')}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

// Test databases whose creating process is gone (a crashed or killed run) are dropped by the
// next run's global setup; those of live processes, other runs' included, are left alone.
export async function dropAbandonedTestDatabases(server = postgresServerUrl()): Promise<string[]> {
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  const dropped: string[] = [];
  try {
    const { rows } = await admin.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'afterglow\\_t\\_%'");
    for (const { datname } of rows) {
      const pid = Number(/_(\d+)_[0-9a-f]{8}$/.exec(datname)?.[1]);
      if (!pid || isAlive(pid)) continue;
      await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      dropped.push(datname);
    }
  } finally {
    await admin.end();
  }
  return dropped;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
