// Database chores for both kinds of database.
//   setup                apply the migrations to the database DATABASE_URL names (creating a
//                        PostgreSQL database that does not exist yet)
//   migration <name>     write the next migration for SQLite and for PostgreSQL, from the change
//                        in prisma/schema.prisma since the newest migration
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { migrateDeploy, ROOT } from "./harness";
import { createFreshDatabase, migrationDirs, postgresServerUrl, POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS, type DatabaseKind } from "./databases";
import { POSTGRES_SCHEMA, SQLITE_SCHEMA, writePostgresSchema } from "./postgres-schema";

const DEFAULT_URL = "file:./prisma/dev.sqlite";

function prisma(args: string[], databaseUrl: string): string {
  const r = spawnSync("npx", ["prisma", ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, NODE_OPTIONS: "--require=./scripts/unref-long-timers.cjs" },
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`prisma ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

async function ensurePostgresDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const database = decodeURIComponent(target.pathname.slice(1));
  if (!database) throw new Error(`DATABASE_URL names no database: add one, e.g. postgresql://…/afterglow`);
  const server = new URL(url);
  server.pathname = "/postgres";
  const client = new pg.Client({ connectionString: server.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
      console.log(`created database ${database}`);
    }
  } finally {
    await client.end();
  }
}

async function setup(): Promise<void> {
  const url = process.env.DATABASE_URL || DEFAULT_URL;
  const postgres = /^postgres(ql)?:\/\//.test(url);
  if (postgres) await ensurePostgresDatabase(url);
  else if (!url.startsWith("file:")) throw new Error(`DATABASE_URL must be a file: or postgresql:// URL`);
  migrateDeploy(url);
  console.log(`migrations applied (${postgres ? "PostgreSQL: prisma/postgres/migrations" : "SQLite: prisma/migrations"})`);
}

// The schema the committed migrations build, as a Prisma schema: apply them to a scratch
// database and read it back (`migrate diff --from-migrations` fails through the SQLite adapter).
async function migratedSchema(kind: DatabaseKind, scratchDir: string): Promise<string> {
  const database = createFreshDatabase({ name: "afterglow-migration", kind });
  try {
    const printed = prisma(["db", "pull", "--print"], database.url);
    // The CLI prints its warnings on stdout too, ahead of the schema.
    const pulled = printed.slice(Math.max(0, printed.search(/^(generator|datasource) /m)));
    const file = path.join(scratchDir, `${kind}.prisma`);
    fs.writeFileSync(file, pulled);
    return file;
  } finally {
    await database.drop();
  }
}

// Prisma applies migrations in the string order of their folders, so "10_x" would run before
// "1_y": after "9" come "9a", "9b" … "9z", "9za", always sorting after the last one.
function nextMigrationPrefix(dirs: string[]): string {
  const last = [...dirs].sort().at(-1);
  if (!last) return "0";
  const prefix = last.slice(0, last.indexOf("_"));
  const letter = prefix.at(-1)!;
  if (/[0-9]/.test(letter)) return `${prefix}a`;
  return letter === "z" ? `${prefix}a` : `${prefix.slice(0, -1)}${String.fromCharCode(letter.charCodeAt(0) + 1)}`;
}

async function migration(name: string | undefined): Promise<void> {
  if (!name || !/^[a-z][a-z0-9_]*$/.test(name)) {
    throw new Error("usage: npm run db:migration -- <name>   (lower case, digits and _, e.g. add_flow_tags)");
  }
  if (writePostgresSchema()) console.log("wrote prisma/postgres/schema.prisma");
  const sqliteDirs = migrationDirs(SQLITE_MIGRATIONS);
  const postgresDirs = migrationDirs(POSTGRES_MIGRATIONS);
  if (sqliteDirs.join() !== postgresDirs.join()) {
    throw new Error(
      `prisma/migrations and prisma/postgres/migrations are out of step:\n  SQLite:     ${sqliteDirs.join(", ")}\n` +
        `  PostgreSQL: ${postgresDirs.join(", ")}\nWrite the missing migration first (see README, "Databases").`,
    );
  }
  const folder = `${nextMigrationPrefix(sqliteDirs)}_${name}`;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "afterglow-migration-"));
  try {
    const scripts: Record<DatabaseKind, string> = { sqlite: "", postgresql: "" };
    for (const [kind, schema, server] of [
      ["sqlite", SQLITE_SCHEMA, `file:${path.join(scratch, "diff.sqlite")}`],
      ["postgresql", POSTGRES_SCHEMA, postgresServerUrl()],
    ] as const) {
      const from = await migratedSchema(kind, scratch);
      scripts[kind] = prisma(["migrate", "diff", "--from-schema-datamodel", from, "--to-schema-datamodel", schema, "--script"], server);
    }
    const empty = (sql: string) => !sql.replace(/--.*$/gm, "").trim();
    if (empty(scripts.sqlite) && empty(scripts.postgresql)) {
      console.log("prisma/schema.prisma has no change the migrations lack: nothing written");
      return;
    }
    for (const [kind, root] of [["sqlite", SQLITE_MIGRATIONS], ["postgresql", POSTGRES_MIGRATIONS]] as const) {
      fs.mkdirSync(path.join(root, folder), { recursive: true });
      fs.writeFileSync(path.join(root, folder, "migration.sql"), scripts[kind]);
      console.log(`wrote ${path.relative(ROOT, path.join(root, folder, "migration.sql"))}`);
    }
    const generated = spawnSync(process.execPath, ["scripts/generate-prisma-clients.cjs"], { cwd: ROOT, stdio: "inherit" });
    if (generated.status !== 0) throw new Error("generating the Prisma clients failed (node scripts/generate-prisma-clients.cjs)");
    console.log("generated both Prisma clients; `npm run setup` applies the migration");
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

const [command, ...rest] = process.argv.slice(2);
const run = command === "setup" ? setup() : command === "migration" ? migration(rest[0]) : Promise.reject(new Error("usage: tsx scripts/db.ts setup | migration <name>"));
run.catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
