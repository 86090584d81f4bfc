// Large seeds for the benchmarks: the rows the app writes, as multi-row INSERTs of a few hundred
// rows each, committed in groups (a row at a time through Prisma would take most of an hour).
import Database from "better-sqlite3";
import type { PrismaClient } from "@prisma/client";

export type Dialect = "sqlite" | "postgresql";
export type ExecStatements = (statements: string[]) => Promise<void>;

const ROWS_PER_INSERT = 500;

export function literal(value: unknown, dialect: Dialect): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "boolean") return dialect === "postgresql" ? String(value) : value ? "1" : "0";
  if (typeof value === "number") return String(value);
  // Prisma keeps SQLite timestamps as ISO text with an explicit offset.
  if (value instanceof Date) return `'${dialect === "postgresql" ? value.toISOString() : value.toISOString().replace("Z", "+00:00")}'`;
  return `'${String(value).replace(/'/g, "''")}'`;
}

// Rows queue per table and go out parents first, so foreign keys find their rows.
export class Seeder {
  private pending = new Map<string, { columns: string[]; rows: string[] }>();
  private statements: string[] = [];
  constructor(
    private exec: ExecStatements,
    private dialect: Dialect,
    private order: string[],
  ) {}
  async add(table: string, row: Record<string, unknown>) {
    let p = this.pending.get(table);
    if (!p) this.pending.set(table, (p = { columns: Object.keys(row), rows: [] }));
    p.rows.push(`(${p.columns.map((c) => literal(row[c], this.dialect)).join(",")})`);
    if (p.rows.length >= ROWS_PER_INSERT) for (const t of this.order) await this.flushTable(t);
  }
  private async flushTable(table: string) {
    const p = this.pending.get(table);
    if (!p || p.rows.length === 0) return;
    this.statements.push(`INSERT INTO "${table}" (${p.columns.map((c) => `"${c}"`).join(",")}) VALUES ${p.rows.join(",")}`);
    p.rows = [];
    if (this.statements.length >= 20) await this.commit();
  }
  private async commit() {
    const batch = this.statements.splice(0);
    if (batch.length) await this.exec(batch);
  }
  async flush() {
    for (const t of this.order) await this.flushTable(t);
    await this.commit();
  }
}

// SQLite straight through better-sqlite3 (the same SQL, without a round trip per statement);
// PostgreSQL through the Prisma client, one transaction per group.
export function statementRunner(databaseUrl: string, prisma: PrismaClient): { dialect: Dialect; exec: ExecStatements; close(): void } {
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    return {
      dialect: "postgresql",
      exec: async (statements) => void (await prisma.$transaction(statements.map((sql) => prisma.$executeRawUnsafe(sql)))),
      close() {},
    };
  }
  const raw = new Database(databaseUrl.replace(/^file:/, ""));
  raw.pragma("journal_mode = WAL");
  raw.pragma("synchronous = NORMAL");
  // A large page cache keeps the indexes being filled in memory.
  raw.pragma("cache_size = -400000");
  return {
    dialect: "sqlite",
    exec: async (statements) => {
      raw.exec("BEGIN");
      for (const sql of statements) raw.exec(sql);
      raw.exec("COMMIT");
    },
    close: () => raw.close(),
  };
}

// What the recipient of one sent email does, as SendGrid's events tell it: a few bounce, the rest
// are delivered; some are opened by a mail client's privacy proxy (a machine open), 40 % by the
// customer, a fifth of those click and a quarter of the clicks buy. `event` writes one event
// `minutes` after the send, `attribute` the order a click led to. Draws from `rng` in the same
// order for every seed, so a seed's rows stay what they were.
export async function recordEngagement({
  rng,
  bounceRate,
  openAfterMinutes,
  event,
  attribute,
}: {
  rng: () => number;
  bounceRate: number;
  openAfterMinutes: number;
  event: (type: "bounce" | "delivered" | "open" | "click", minutes: number, extra?: { machineOpen?: boolean }) => Promise<void>;
  attribute: () => Promise<void>;
}): Promise<"bounced" | "delivered"> {
  if (rng() < bounceRate) {
    await event("bounce", 1);
    return "bounced";
  }
  await event("delivered", 1);
  if (rng() < 0.15) await event("open", 2, { machineOpen: true });
  if (rng() < 0.4) {
    await event("open", openAfterMinutes);
    if (rng() < 0.2) {
      await event("click", openAfterMinutes + 1);
      if (rng() < 0.25) await attribute();
    }
  }
  return "delivered";
}

// The Attribution row of an order that a click on a related product led to.
export function clickAttribution({
  id,
  shop,
  orderRef,
  orderId,
  followUp,
  currency,
  touchedAt,
  orderedAt,
  day,
  createdAt,
}: {
  id: string;
  shop: string;
  orderRef: string;
  orderId: string;
  followUp: { id: string; flowId: string; stepKey: string; variant: string | null };
  currency: string;
  touchedAt: Date;
  orderedAt: Date;
  day: string;
  createdAt: Date;
}): Record<string, unknown> {
  return {
    id,
    shop,
    orderRef,
    orderId,
    followUpId: followUp.id,
    flowId: followUp.flowId,
    stepKey: followUp.stepKey,
    variant: followUp.variant ?? "",
    reason: "click",
    source: "related",
    revenue: "58.50",
    currency,
    touchedAt,
    orderedAt,
    day,
    createdAt,
  };
}
