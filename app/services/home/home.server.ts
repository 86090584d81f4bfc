// The embedded home: is sending on, which address mail goes from and why, how the last 7 days went
// (with the health judged in the merchant's words), and the setup guide.
// Test sends are the merchant's own and never count.
import type { PrismaClient } from "@prisma/client";
import { senderInUse, type SenderInUse } from "~/services/shop/sender-in-use.server";
import { setupGuide, type SetupGuide } from "~/domain/setup-guide";
import { healthVerdict, HEALTH_WINDOW_DAYS, type HealthCounts, type HealthVerdict } from "~/domain/deliverability-health";
import { DEFAULT_FLOW_KEY } from "~/domain/flows";
import { audit } from "../compliance/audit.server";
import { params } from "../analytics/sql.server";

export const SETUP_GUIDE_DISMISSED = "setup_guide.dismissed";

export interface MailWeek {
  sent: number;
  delivered: number;
  opened: number;
  clicked: number;
  bounced: number;
  complaints: number;
}

export interface HomeSummary {
  sendingEnabled: boolean;
  sendingPausedReason: string | null;
  sender: SenderInUse | null;
  week: MailWeek;
  health: HealthVerdict;
  scheduled7d: number;
  waiting: number;
  failed7d: number;
  guide: SetupGuide;
  // The flow the guide's last task turns on: the installed default, else the shop's first flow.
  firstFlow: { id: string; name: string; active: boolean } | null;
}

// Emails of the window with each event, each counted once however often it happened; machine
// opens (Apple Mail Privacy Protection and the like) are no sign a person read the email.
async function eventsSince(prisma: PrismaClient, shop: string, since: Date): Promise<Omit<MailWeek, "sent">> {
  const $ = params(prisma);
  const rows = await prisma.$queryRawUnsafe<{ event: string; n: bigint | number }[]>(
    `SELECT e."event" AS event, COUNT(DISTINCT e."followUpId") AS n
     FROM "MessageEvent" e JOIN "FollowUp" f ON f."id" = e."followUpId"
     WHERE e."shop" = ${$(1)} AND e."occurredAt" >= ${$(2)} AND NOT f."isTest"
       AND e."event" IN ('delivered', 'open', 'click', 'bounce', 'spamreport') AND (e."event" <> 'open' OR NOT e."machineOpen")
     GROUP BY e."event"`,
    shop,
    since,
  );
  const n = (event: string) => Number(rows.find((r) => r.event === event)?.n ?? 0);
  return { delivered: n("delivered"), opened: n("open"), clicked: n("click"), bounced: n("bounce"), complaints: n("spamreport") };
}

export async function homeSummary(prisma: PrismaClient, { shop, now = new Date() }: { shop: string; now?: Date }): Promise<HomeSummary> {
  const since = new Date(now.getTime() - HEALTH_WINDOW_DAYS * 24 * 3600_000);
  const [row, scheduled7d, sent, failed7d, waiting, flowsOn, flows, dismissed, events] = await Promise.all([
    prisma.shop.findUnique({ where: { domain: shop } }),
    prisma.followUp.count({ where: { shop, isTest: false, createdAt: { gte: since } } }),
    prisma.followUp.count({ where: { shop, isTest: false, status: "sent", sentAt: { gte: since } } }),
    prisma.followUp.count({ where: { shop, isTest: false, status: "failed", updatedAt: { gte: since } } }),
    prisma.followUp.count({ where: { shop, isTest: false, status: { in: ["scheduled", "sending"] } } }),
    prisma.flow.count({ where: { shop, active: true } }),
    prisma.flow.findMany({ where: { shop }, select: { id: true, key: true, name: true, active: true }, orderBy: { createdAt: "asc" } }),
    prisma.auditLog.findFirst({ where: { shop, action: SETUP_GUIDE_DISMISSED }, orderBy: { at: "desc" }, select: { at: true } }),
    eventsSince(prisma, shop, since),
  ]);
  const counts: HealthCounts = {
    sent: events.delivered + events.bounced,
    delivered: events.delivered,
    bounces: events.bounced,
    spamReports: events.complaints,
  };
  const firstFlow = flows.find((f) => f.key === DEFAULT_FLOW_KEY) ?? flows[0] ?? null;
  return {
    sendingEnabled: Boolean(row?.sendingEnabled && !row?.uninstalledAt && !row?.sendingPausedAt),
    sendingPausedReason: row?.sendingPausedReason ?? null,
    sender: row ? await senderInUse({ prisma, shop }) : null,
    week: { sent, ...events },
    health: healthVerdict({ window: counts, level: row?.sendingPausedAt ? "paused" : undefined }),
    scheduled7d,
    waiting,
    failed7d,
    guide: setupGuide({
      senderName: row?.senderName ?? null,
      senderEmail: row?.senderEmail ?? null,
      brand: row?.brand ?? null,
      testSentAt: row?.testSentAt ?? null,
      flowsOn,
      dismissedAt: dismissed?.at ?? null,
    }),
    firstFlow: firstFlow ? { id: firstFlow.id, name: firstFlow.name, active: firstFlow.active } : null,
  };
}

// The merchant closes the finished guide; kept in the audit log, which already records who did what.
export async function dismissSetupGuide({ prisma, shop, actor }: { prisma: PrismaClient; shop: string; actor: string }): Promise<void> {
  await audit(prisma, { shop, actor, action: SETUP_GUIDE_DISMISSED });
}
