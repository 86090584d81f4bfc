// The shop's choice for its thank-you and order status pages: "Offer email sign-up on the
// thank-you page", on unless the merchant turns it off in Settings.
import type { PrismaClient } from "@prisma/client";
import { audit } from "../compliance/audit.server";

type Db = Pick<PrismaClient, "thankYouPageSetting" | "auditLog">;

export async function loadOfferEmailSignUp(prisma: Pick<PrismaClient, "thankYouPageSetting">, shop: string): Promise<boolean> {
  const row = await prisma.thankYouPageSetting.findUnique({ where: { shop }, select: { offerEmailSignUp: true } });
  return row?.offerEmailSignUp ?? true;
}

// Returns whether the value changed (then it is audited).
export async function saveOfferEmailSignUp({ prisma, shop, actor, offer }: { prisma: Db; shop: string; actor: string; offer: boolean }): Promise<boolean> {
  const before = await loadOfferEmailSignUp(prisma, shop);
  if (before === offer) return false;
  await prisma.thankYouPageSetting.upsert({ where: { shop }, create: { shop, offerEmailSignUp: offer }, update: { offerEmailSignUp: offer } });
  await audit(prisma, { shop, actor, action: "settings.updated", detail: { changed: ["offerEmailSignUp"], offerEmailSignUp: offer } });
  return true;
}
