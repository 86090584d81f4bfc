// The analytics page's settings: how orders are attributed, and whether A/B winners promote themselves.
import type { PrismaClient } from "@prisma/client";
import { audit } from "../compliance/audit.server";

export type AnalyticsSettings = {
  attributionWindowDays: number;
  attributionCountsOpens: boolean;
  abAutoPromote: boolean;
};

export async function saveAnalyticsSettings(
  prisma: PrismaClient,
  { shop, actor, settings }: { shop: string; actor: string; settings: AnalyticsSettings },
): Promise<void> {
  await prisma.$transaction(async (tx) => {
    await tx.shop.update({ where: { domain: shop }, data: settings });
    await audit(tx, { shop, actor, action: "analytics.settings_changed", detail: settings });
  });
}
