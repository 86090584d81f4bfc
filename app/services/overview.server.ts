import type { PrismaClient } from "@prisma/client";

// What the embedded home shows: is sending on, and what happened lately. Always scoped to one shop.
export async function shopOverview(prisma: PrismaClient, shop: string, now = new Date()) {
  const since = new Date(now.getTime() - 7 * 24 * 3600_000);
  const [row, scheduled, sent7d, failed7d, recent] = await Promise.all([
    prisma.shop.findUnique({ where: { domain: shop } }),
    prisma.followUp.count({ where: { shop, status: { in: ["scheduled", "sending"] } } }),
    prisma.followUp.count({ where: { shop, status: "sent", sentAt: { gte: since } } }),
    prisma.followUp.count({ where: { shop, status: "failed", updatedAt: { gte: since } } }),
    prisma.followUp.findMany({
      where: { shop },
      orderBy: { createdAt: "desc" },
      take: 20,
      include: { order: { select: { name: true } } },
    }),
  ]);
  return {
    sendingEnabled: Boolean(row?.sendingEnabled && !row?.uninstalledAt),
    sender: row?.senderEmail ?? null,
    scheduled,
    sent7d,
    failed7d,
    recent: recent.map((f) => ({
      id: f.id,
      order: f.order.name,
      status: f.status,
      dueAt: f.dueAt.toISOString(),
      sentAt: f.sentAt?.toISOString() ?? null,
      reason: f.skipReason ?? f.lastError,
      messageId: f.messageId,
      transport: f.transport,
    })),
  };
}
