// The address a shop's follow-ups go from right now, and why: the rule of app/domain/sender.ts
// with the shop's row, the app's default address and the domain SendGrid verified. Home, the
// Sender page and test sends read it here; the dispatcher applies the same rule.
import type { PrismaClient } from "@prisma/client";
import { senderAddress, type SenderAddress } from "~/domain/sender";
import { config } from "~/platform/config.server";
import { verifiedSenderDomain } from "./domain-authentication.server";

export interface SenderInUse {
  from: SenderAddress["from"];
  replyTo: SenderAddress["replyTo"] | null;
  source: SenderAddress["source"];
  why: string;
}

export async function senderInUse({ prisma, shop }: { prisma: PrismaClient; shop: string }): Promise<SenderInUse | null> {
  const row = await prisma.shop.findUnique({ where: { domain: shop }, select: { senderEmail: true, senderName: true, replyTo: true, name: true, email: true } });
  if (!row) return null;
  const sender = senderAddress({ shop: row, appFromEmail: config().mail.fromEmail, verifiedDomain: await verifiedSenderDomain(prisma, shop) });
  return sender ? { from: sender.from, replyTo: sender.replyTo ?? null, source: sender.source, why: sender.why } : null;
}
