// The statements every email runs, written as SQL. Prisma 6's query compiler plans each call on
// the main thread (0.4-0.7 ms a query, measured against 0.1-0.2 ms for the same statement as
// $queryRaw), and a send runs five of them; the rest of the app keeps the query builder.
// Standard SQL with quoted identifiers and RETURNING: SQLite 3.35+ and PostgreSQL alike.
import { Prisma, type FollowUp, type Order, type PrismaClient } from "@prisma/client";

type Db = Pick<PrismaClient, "$queryRaw" | "$executeRaw">;

// Takes a follow-up for one dispatcher: when due (scheduled) or, with `reclaim`, when the claim
// holding it has run out of lease. Returns the claimed row, or nothing if it was not there to take.
export async function claimFollowUp(
  db: Db,
  { id, token, at, leaseUntil, reclaim }: { id: string; token: string; at: Date; leaseUntil: Date; reclaim: boolean },
): Promise<FollowUp[]> {
  const takeable = reclaim
    ? Prisma.sql`"status" = 'sending' AND "leaseUntil" < ${at}`
    : Prisma.sql`"status" = 'scheduled' AND "nextAttemptAt" <= ${at}`;
  return db.$queryRaw<FollowUp[]>`
    UPDATE "FollowUp"
    SET "status" = 'sending', "claimToken" = ${token}, "leaseUntil" = ${leaseUntil}, "attempts" = "attempts" + 1, "updatedAt" = ${at}
    WHERE "id" = ${id} AND ${takeable}
    RETURNING *`;
}

export async function readOrder(db: Db, id: string): Promise<Order | null> {
  const rows = await db.$queryRaw<Order[]>`SELECT * FROM "Order" WHERE "id" = ${id}`;
  return rows[0] ?? null;
}

// The columns a dispatcher writes when it ends or hands back a claim.
const CLAIM_END_COLUMNS = new Set([
  "status",
  "nextAttemptAt",
  "attempts",
  "lastError",
  "skipReason",
  "skipCode",
  "transport",
  "messageId",
  "sentAt",
  "variant",
  "handedOverAt",
  "handedOverTo",
]);

type ColumnValue = string | number | boolean | Date | null;

// Writes `data` only while `token` still holds the follow-up, and releases the claim. Returns
// how many rows changed: 0 means another dispatcher took it over meanwhile.
export async function writeWhileClaimed(db: Db, args: ClaimEnd): Promise<number> {
  return claimEndStatement(db, args);
}

export interface ClaimEnd {
  id: string;
  token: string;
  at: Date;
  data: Record<string, unknown>;
  release: boolean;
}

// The same UPDATE unsent, to run with other statements in one transaction.
export function claimEndStatement(db: Db, { id, token, at, data, release }: ClaimEnd): Prisma.PrismaPromise<number> {
  const sets = Object.entries(data)
    .filter(([, value]) => value !== undefined)
    .map(([column, value]) => {
      if (!CLAIM_END_COLUMNS.has(column)) throw new Error(`writeWhileClaimed: "${column}" is not a column a dispatcher writes`);
      if (value !== null && typeof value === "object" && !(value instanceof Date)) {
        throw new Error(`writeWhileClaimed: "${column}" must be a plain value`);
      }
      return Prisma.sql`${Prisma.raw(`"${column}"`)} = ${value as ColumnValue}`;
    });
  if (release) sets.push(Prisma.sql`"claimToken" = NULL`, Prisma.sql`"leaseUntil" = NULL`);
  sets.push(Prisma.sql`"updatedAt" = ${at}`);
  return db.$executeRaw`UPDATE "FollowUp" SET ${Prisma.join(sets, ", ")} WHERE "id" = ${id} AND "claimToken" = ${token}`;
}
