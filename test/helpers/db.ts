// Test databases. A test with a Prisma client of its own calls createTestDatabase; a test that
// imports the app's one client (~/db.server) gets its database from ./env instead, which sets
// DATABASE_URL before that import; an end-to-end test gets one from ./stack.
import type { PrismaClient } from "@prisma/client";
import { closePrisma, createPrismaClient } from "../../app/db.server";
import {
  createFreshDatabase,
  migrationScripts,
  testDatabaseKind,
  type DatabaseKind,
  type FreshDatabase,
} from "../../scripts/databases";
import Database from "better-sqlite3";

export { createFreshDatabase, testDatabaseKind, type DatabaseKind, type FreshDatabase };

// Applies the committed SQLite migrations, in order, to a new SQLite file (what `migrate deploy` does).
export function migrateSqliteFile(file: string): void {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  for (const sql of migrationScripts("sqlite")) db.exec(sql);
  db.close();
}

export interface TestDatabase {
  kind: DatabaseKind;
  url: string;
  prisma: PrismaClient;
  cleanup(): Promise<void>;
}

// A fresh migrated database for one test file: SQLite, or PostgreSQL when TEST_DATABASE=postgresql.
export function createTestDatabase(name = "afterglow"): TestDatabase {
  const database = createFreshDatabase({ name });
  const prisma = createPrismaClient(database.url);
  return {
    kind: database.kind,
    url: database.url,
    prisma,
    async cleanup() {
      // The drop below is forced, so a pool that cannot close does not hold it up.
      await closePrisma(prisma);
      await database.drop();
    },
  };
}

