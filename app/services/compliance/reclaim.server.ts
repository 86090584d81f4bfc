// After an erasure, what the deleted rows took up must not stay readable in the database file.
// SQLite runs with secure_delete (app/db.server.ts), which zeroes freed cells and pages, but a
// page rebuilt earlier can still hold an old copy of a moved row in its unused space: only
// VACUUM rewrites every page. The WAL file is then truncated, as it keeps old page images.
// PostgreSQL keeps dead tuples until VACUUM, and its WAL and backups for as long as they are
// retained: that is the operator's part (docs/security.md).
import type { PrismaClient } from "@prisma/client";
import { providerOf } from "~/db.server";
import { logger } from "../../platform/logger.server";

let queue: Promise<unknown> = Promise.resolve();

// Runs after the webhook is answered (a timer later): VACUUM takes seconds on a large file, and
// Shopify waits 5 s for the answer. better-sqlite3 is synchronous, so the process pauses while
// it runs. Erasures queue behind each other.
export function reclaimErasedSpace(prisma: PrismaClient, shop: string): void {
  if (providerOf(prisma) !== "sqlite") return;
  queue = queue.then(() => new Promise((resolve) => setTimeout(resolve, 0))).then(() => vacuum(prisma, shop));
}

// Resolves when every rewrite asked for so far has finished.
export function reclaimDone(): Promise<unknown> {
  return queue;
}

async function vacuum(prisma: PrismaClient, shop: string): Promise<void> {
  const started = Date.now();
  try {
    await prisma.$executeRawUnsafe("VACUUM");
    await prisma.$queryRawUnsafe("PRAGMA wal_checkpoint(TRUNCATE)");
    logger.info("database file rewritten after an erasure", { shop, ms: Date.now() - started });
  } catch (err) {
    // The erasure itself is committed; the next one (or VACUUM by hand) rewrites the file.
    logger.warn("the database file could not be rewritten after an erasure; deleted rows may stay in unused pages until the next VACUUM", { shop, err });
  }
}
