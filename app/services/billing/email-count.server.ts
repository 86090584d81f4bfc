// The count a shop's monthly allowance is checked against, kept so two dispatchers can never both
// send the email past it: a follow-up is marked counted and the month's count raised in one
// transaction, and the raise only happens while the count is under the allowance. On PostgreSQL
// the conditional UPDATE waits for a concurrent one on the same row and re-reads "sent" after it
// commits; SQLite runs one write transaction at a time.
import { Prisma, type PrismaClient } from "@prisma/client";
import type { EmailCategory } from "~/domain/flows";

export type CountAnswer = "counted" | "already counted" | "over allowance";

class OverAllowance extends Error {}

export async function countEmail(
  prisma: PrismaClient,
  {
    followUpId,
    shop,
    month,
    category,
    allowance,
    at,
  }: { followUpId: string; shop: string; month: string; category: EmailCategory; allowance: number | null; at: Date },
): Promise<CountAnswer> {
  // The month's row exists before the transaction, so the raise below always has a row to lock.
  await prisma.$executeRaw`
    INSERT INTO "MonthlyEmailCount" ("shop", "month", "sent", "updatedAt") VALUES (${shop}, ${month}, 0, ${at})
    ON CONFLICT ("shop", "month") DO NOTHING`;
  // Service emails count but are never held; so does every email of a plan without a limit.
  const underAllowance = category === "service" || allowance === null ? Prisma.empty : Prisma.sql` AND "sent" < ${allowance}`;
  try {
    return await prisma.$transaction(async (tx) => {
      // A retry of a follow-up counted before (its send failed for a while) is not counted again.
      const marked = await tx.$executeRaw`
        INSERT INTO "CountedEmail" ("followUpId", "shop", "month", "countedAt") VALUES (${followUpId}, ${shop}, ${month}, ${at})
        ON CONFLICT ("followUpId") DO NOTHING`;
      if (marked === 0) return "already counted" as const;
      const raised = await tx.$executeRaw`
        UPDATE "MonthlyEmailCount" SET "sent" = "sent" + 1, "updatedAt" = ${at}
        WHERE "shop" = ${shop} AND "month" = ${month}${underAllowance}`;
      if (raised !== 1) throw new OverAllowance(); // rolls the mark back
      return "counted" as const;
    });
  } catch (err) {
    if (err instanceof OverAllowance) return "over allowance";
    throw err;
  }
}

// A counted follow-up that did not go out after all (refused by SendGrid for good, nothing to
// say for the order): its place in the month is given back.
export async function uncountEmail(prisma: PrismaClient, { followUpId, at }: { followUpId: string; at: Date }): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    const counted = await tx.countedEmail.findUnique({ where: { followUpId } });
    if (!counted) return false;
    await tx.countedEmail.delete({ where: { followUpId } });
    await tx.monthlyEmailCount.updateMany({
      where: { shop: counted.shop, month: counted.month, sent: { gt: 0 } },
      data: { sent: { decrement: 1 }, updatedAt: at },
    });
    return true;
  });
}

export async function emailsSentInMonth(prisma: PrismaClient, { shop, month }: { shop: string; month: string }): Promise<number> {
  const row = await prisma.monthlyEmailCount.findUnique({ where: { shop_month: { shop, month } }, select: { sent: true } });
  return row?.sent ?? 0;
}
