// Group commit for webhook intake. Concurrent deliveries hand their rows here; rows that arrive
// in the same turn of the event loop go to the database as one multi-row INSERT per table inside
// one transaction. Per-statement overhead (Prisma's and SQLite's) is what bounds ingest, so
// sharing it keeps acknowledgements fast under load. A failing batch is retried one delivery at
// a time, so a redelivery in the batch fails alone and the others still commit.
import type { PrismaClient } from "@prisma/client";
import { providerOf } from "~/db.server";

export type Row = Record<string, unknown>;
// Tables in the order their rows must be written (foreign keys point backwards).
export type RowsByTable = [table: string, rows: Row[]][];

interface Pending {
  rows: RowsByTable;
  resolve: () => void;
  reject: (err: unknown) => void;
}

const MAX_DELIVERIES_PER_BATCH = 64;

class BatchedInserts {
  private queue: Pending[] = [];
  private scheduled = false;

  constructor(private readonly prisma: PrismaClient) {}

  write(rows: RowsByTable): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ rows, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush() {
    this.scheduled = false;
    while (this.queue.length) {
      const batch = this.queue.splice(0, MAX_DELIVERIES_PER_BATCH);
      try {
        await this.commit(batch);
        for (const p of batch) p.resolve();
      } catch (err) {
        if (batch.length === 1) {
          batch[0].reject(err);
          continue;
        }
        for (const p of batch) {
          await this.commit([p]).then(p.resolve, p.reject);
        }
      }
    }
  }

  private commit(batch: Pending[]) {
    const merged = new Map<string, Row[]>();
    for (const p of batch) {
      for (const [table, rows] of p.rows) merged.set(table, [...(merged.get(table) ?? []), ...rows]);
    }
    const statements = [...merged]
      .filter(([, rows]) => rows.length > 0)
      .map(([table, rows]) => this.insert(table, rows));
    return this.prisma.$transaction(statements);
  }

  // Standard SQL with quoted identifiers; only the placeholder style differs by database.
  private insert(table: string, rows: Row[]) {
    const columns = Object.keys(rows[0]);
    const postgres = providerOf(this.prisma) === "postgresql";
    let n = 0;
    const tuple = () => `(${columns.map(() => (postgres ? `$${++n}` : "?")).join(", ")})`;
    const sql = `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES ${rows.map(tuple).join(", ")}`;
    const values = rows.flatMap((row) => columns.map((c) => row[c]));
    return this.prisma.$executeRawUnsafe(sql, ...values);
  }
}

const inserters = new WeakMap<object, BatchedInserts>();

export function batchedInsert(prisma: PrismaClient, rows: RowsByTable): Promise<void> {
  let inserter = inserters.get(prisma);
  if (!inserter) inserters.set(prisma, (inserter = new BatchedInserts(prisma)));
  return inserter.write(rows);
}
