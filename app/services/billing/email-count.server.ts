// The count a shop's monthly allowance is checked against, kept so two dispatchers can never both
// send the email past it: the month's count is raised by one conditional UPDATE that only matches
// while the count is under the allowance. A single statement is atomic on both databases (on
// PostgreSQL a concurrent UPDATE of the row waits and re-reads "sent" after the other commits;
// SQLite runs one write at a time), so no transaction spans the steps. Then the follow-up is marked
// counted, so a retry of it is not counted again.
import { Prisma, type PrismaClient } from "@prisma/client";
import type { EmailCategory } from "~/domain/flows";

export type CountAnswer = "counted" | "already counted" | "over allowance";

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
  // Counted on an earlier attempt whose send failed for a while (it may have been last month).
  if (await prisma.countedEmail.findUnique({ where: { followUpId }, select: { followUpId: true } })) return "already counted";
  await prisma.$executeRaw`
    INSERT INTO "MonthlyEmailCount" ("shop", "month", "sent", "updatedAt") VALUES (${shop}, ${month}, 0, ${at})
    ON CONFLICT ("shop", "month") DO NOTHING`;
  // Service emails count but are never held; so does every email of a plan without a limit.
  const underAllowance = category === "service" || allowance === null ? Prisma.empty : Prisma.sql` AND "sent" < ${allowance}`;
  const raised = await prisma.$executeRaw`
    UPDATE "MonthlyEmailCount" SET "sent" = "sent" + 1, "updatedAt" = ${at}
    WHERE "shop" = ${shop} AND "month" = ${month}${underAllowance}`;
  if (raised !== 1) return "over allowance";
  // A process that dies between the raise and this mark leaves the month one email higher than
  // what went out: the merchant loses one email of the month, never gets one past the limit.
  const marked = await prisma.$executeRaw`
    INSERT INTO "CountedEmail" ("followUpId", "shop", "month", "countedAt") VALUES (${followUpId}, ${shop}, ${month}, ${at})
    ON CONFLICT ("followUpId") DO NOTHING`;
  if (marked === 1) return "counted";
  await giveBack(prisma, { shop, month, at });
  return "already counted";
}

async function giveBack(prisma: PrismaClient, { shop, month, at }: { shop: string; month: string; at: Date }) {
  await prisma.monthlyEmailCount.updateMany({ where: { shop, month, sent: { gt: 0 } }, data: { sent: { decrement: 1 }, updatedAt: at } });
}

// A counted follow-up that did not go out after all (refused by SendGrid for good, nothing to
// say for the order): its place in the month is given back.
export async function uncountEmail(prisma: PrismaClient, { followUpId, at }: { followUpId: string; at: Date }): Promise<boolean> {
  const counted = await prisma.countedEmail.findUnique({ where: { followUpId } });
  if (!counted) return false;
  const { count } = await prisma.countedEmail.deleteMany({ where: { followUpId } });
  if (count !== 1) return false;
  await giveBack(prisma, { shop: counted.shop, month: counted.month, at });
  return true;
}

export async function emailsSentInMonth(prisma: PrismaClient, { shop, month }: { shop: string; month: string }): Promise<number> {
  const row = await prisma.monthlyEmailCount.findUnique({ where: { shop_month: { shop, month } }, select: { sent: true } });
  return row?.sent ?? 0;
}
