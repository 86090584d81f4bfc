// Keeps rendered emails and event details only as long as they are useful: after RETENTION_DAYS
// the facts stay (a follow-up's status, reason, message id, when it was sent) and the content goes.
// The marks of emails counted towards a plan's monthly allowance go once their month and the one
// after it are over. Works in small batches so webhook intake, which shares the SQLite writer, never waits long.
import type { PrismaClient } from "@prisma/client";
import { COMPLIANCE_TOPICS } from "./requests.server";
import { config, type Config } from "~/platform/config.server";
import { oldestKeptBillingMonth } from "~/domain/plans";

export interface PruneResult {
  cutoff: Date;
  outboxMessages: number; // rendered emails deleted
  messageEventDetails: number; // SendGrid event details cleared
  followUpEventDetails: number; // timeline details cleared
  dataRequestReports: number; // customers/data_request reports cleared (the merchant had them for the whole period)
  flowTriggerPayloads: number; // payloads of Flow triggers sent or given up on, cleared (the row keeps the fact, once)
  countedEmails: number; // marks of emails counted in months before the previous one, deleted (the month's total stays)
}

const BATCH = 500;

export function retentionDays(housekeeping: Config["housekeeping"] = config().housekeeping): number {
  return housekeeping.retentionDays;
}

export async function pruneExpiredContent({
  prisma,
  now = new Date(),
  days = retentionDays(),
  batchSize = BATCH,
}: {
  prisma: PrismaClient;
  now?: Date;
  days?: number;
  batchSize?: number;
}): Promise<PruneResult> {
  if (!Number.isInteger(days) || days < 1) {
    throw new Error(`RETENTION_DAYS must be a whole number of days, at least 1 (got ${String(days)}).`);
  }
  const cutoff = new Date(now.getTime() - days * 86_400_000);

  const outboxMessages = await inBatches(batchSize, async (take) => {
    const rows = await prisma.outboxMessage.findMany({ where: { createdAt: { lt: cutoff } }, select: { id: true }, take });
    if (rows.length) await prisma.outboxMessage.deleteMany({ where: { id: { in: rows.map((r) => r.id) } } });
    return rows.length;
  });

  const messageEventDetails = await inBatches(batchSize, async (take) => {
    const rows = await prisma.messageEvent.findMany({
      where: { occurredAt: { lt: cutoff }, detail: { not: null } },
      select: { id: true },
      take,
    });
    if (rows.length) await prisma.messageEvent.updateMany({ where: { id: { in: rows.map((r) => r.id) } }, data: { detail: null } });
    return rows.length;
  });

  const followUpEventDetails = await inBatches(batchSize, async (take) => {
    const rows = await prisma.followUpEvent.findMany({
      where: { at: { lt: cutoff }, detail: { not: null } },
      select: { id: true },
      take,
    });
    if (rows.length) await prisma.followUpEvent.updateMany({ where: { id: { in: rows.map((r) => r.id) } }, data: { detail: null } });
    return rows.length;
  });

  // A data request must be answered within 30 days; past the retention the copy is only a risk.
  const { count: dataRequestReports } = await prisma.complianceRequest.updateMany({
    where: { report: { not: null }, completedAt: { lt: cutoff }, status: "completed", topic: { in: [...COMPLIANCE_TOPICS.dataRequest] } },
    data: { report: null, status: "expired" },
  });

  // A trigger Flow took (or that was given up on) keeps its row, so the fact never fires twice.
  const flowTriggerPayloads = await inBatches(batchSize, async (take) => {
    const rows = await prisma.flowTriggerFire.findMany({
      where: { status: { in: ["sent", "failed"] }, updatedAt: { lt: cutoff }, payload: { not: null } },
      select: { id: true },
      take,
    });
    if (rows.length) await prisma.flowTriggerFire.updateMany({ where: { id: { in: rows.map((r) => r.id) } }, data: { payload: null } });
    return rows.length;
  });

  // Only the current and the previous month's marks can still stop an email being counted twice.
  const oldestMonth = oldestKeptBillingMonth(now);
  const countedEmails = await inBatches(batchSize, async (take) => {
    const rows = await prisma.countedEmail.findMany({ where: { month: { lt: oldestMonth } }, select: { followUpId: true }, take });
    if (rows.length) await prisma.countedEmail.deleteMany({ where: { followUpId: { in: rows.map((r) => r.followUpId) } } });
    return rows.length;
  });

  return { cutoff, outboxMessages, messageEventDetails, followUpEventDetails, dataRequestReports, flowTriggerPayloads, countedEmails };
}

async function inBatches(size: number, step: (take: number) => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await step(size);
    total += n;
    if (n < size) return total;
  }
}
