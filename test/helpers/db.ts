import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import type { PrismaClient } from "@prisma/client";
import { createPrismaClient } from "../../app/db.server";

const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../prisma/migrations");

// Applies the committed migrations, in order, to a new SQLite file (what `migrate deploy` does).
export function migrateSqliteFile(file: string): void {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  const dirs = fs
    .readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort((a, b) => parseInt(a, 10) - parseInt(b, 10) || a.localeCompare(b));
  for (const dir of dirs) {
    db.exec(fs.readFileSync(path.join(MIGRATIONS_DIR, dir, "migration.sql"), "utf8"));
  }
  db.close();
}

export interface TestDatabase {
  file: string;
  url: string;
  prisma: PrismaClient;
  cleanup(): Promise<void>;
}

export function createTestDatabase(name = "afterglow"): TestDatabase {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`));
  const file = path.join(dir, "test.sqlite");
  migrateSqliteFile(file);
  const url = `file:${file}`;
  const prisma = createPrismaClient(url);
  return {
    file,
    url,
    prisma,
    async cleanup() {
      await prisma.$disconnect();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
