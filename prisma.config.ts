import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { postgresMigrateAdapter } from "./prisma/postgres/migrate-adapter";

// Prisma's native engines cannot be downloaded here: the CLI runs its JS engine through a
// driver adapter. DATABASE_URL decides the database, and with it the schema and migrations:
// prisma/ for SQLite, prisma/postgres/ for PostgreSQL (kept in step, see README).
const url = process.env.DATABASE_URL || "file:./prisma/dev.sqlite";
const postgres = /^postgres(ql)?:\/\//.test(url);

export default defineConfig({
  experimental: { adapter: true },
  schema: postgres ? path.join("prisma", "postgres", "schema.prisma") : path.join("prisma", "schema.prisma"),
  migrations: { path: postgres ? path.join("prisma", "postgres", "migrations") : path.join("prisma", "migrations") },
  engine: "js",
  adapter: async () => (postgres ? postgresMigrateAdapter(url) : new PrismaBetterSQLite3({ url })),
});
