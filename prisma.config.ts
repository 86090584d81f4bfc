import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

// Prisma's native engines cannot be downloaded here: the CLI runs its JS engine
// through the same driver adapter the app uses.
const url = process.env.DATABASE_URL ?? "file:./prisma/dev.sqlite";

export default defineConfig({
  experimental: { adapter: true },
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  engine: "js",
  adapter: async () => new PrismaBetterSQLite3({ url }),
});
