// The shop's choice of mail provider (Shop.mailProvider): "auto" sends through SendGrid and fails
// over to Postmark while SendGrid is down; "sendgrid" or "postmark" always uses that one. The
// dispatcher and test sends read it per send (app/domain/mail-failover.ts).
import type { PrismaClient } from "@prisma/client";
import { isMailProviderChoice, type MailProviderChoice } from "~/domain/mail-failover";
import { audit } from "../compliance/audit.server";

type Db = Pick<PrismaClient, "shop" | "auditLog">;

export async function loadMailProvider(prisma: Pick<PrismaClient, "shop">, shop: string): Promise<MailProviderChoice> {
  const row = await prisma.shop.findUnique({ where: { domain: shop }, select: { mailProvider: true } });
  return isMailProviderChoice(row?.mailProvider) ? row.mailProvider : "auto";
}

// Returns whether the choice changed (then it is audited); refuses a value that is no choice.
export async function saveMailProvider({ prisma, shop, actor, choice }: { prisma: Db; shop: string; actor: string; choice: string }): Promise<{ ok: true; changed: boolean } | { ok: false; error: string }> {
  if (!isMailProviderChoice(choice)) return { ok: false, error: `Choose how follow-ups are sent: auto, sendgrid or postmark, not "${choice}".` };
  const before = await loadMailProvider(prisma, shop);
  if (before === choice) return { ok: true, changed: false };
  await prisma.shop.update({ where: { domain: shop }, data: { mailProvider: choice } });
  await audit(prisma, { shop, actor, action: "settings.updated", detail: { changed: ["mailProvider"], mailProvider: choice } });
  return { ok: true, changed: true };
}
