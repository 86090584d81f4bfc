// A shop's sending domain authenticated in SendGrid for the merchant: created through SendGrid's
// API with the shop's own SendGrid key or the app's, the records kept in SenderDomain, validated
// on request, and removed to start over or when the shop is erased. Mail goes from the shop's own
// address only once SendGrid says every record is in place (verifiedAt).
import type { PrismaClient, SenderDomain } from "@prisma/client";
import { createSendGridDomainClient, type SendGridDomainClient } from "~/adapters/mail/sendgrid-domains.server";
import { decodeAuthenticationRecords, sendingDomainFrom, withValidation, type AuthenticationRecord } from "~/domain/domain-authentication";
import { config } from "~/platform/config.server";
import { logger as defaultLogger, type Logger } from "~/platform/logger.server";
import { audit } from "../compliance/audit.server";
import { shopSendGridKey } from "./secrets.server";

export interface SenderDomainState {
  domain: string;
  records: AuthenticationRecord[];
  validatedAt: string | null;
  verifiedAt: string | null;
  link: { records: AuthenticationRecord[]; validatedAt: string | null; verifiedAt: string | null } | null;
}

export function senderDomainState(row: SenderDomain | null): SenderDomainState | null {
  if (!row) return null;
  return {
    domain: row.domain,
    records: decodeAuthenticationRecords(row.records),
    validatedAt: row.validatedAt?.toISOString() ?? null,
    verifiedAt: row.verifiedAt?.toISOString() ?? null,
    link: row.linkBrandingId
      ? { records: decodeAuthenticationRecords(row.linkRecords), validatedAt: row.linkValidatedAt?.toISOString() ?? null, verifiedAt: row.linkVerifiedAt?.toISOString() ?? null }
      : null,
  };
}

// The shop's domain as SendGrid verified it, or null: what app/domain/sender.ts needs.
export async function verifiedSenderDomain(prisma: PrismaClient, shop: string): Promise<string | null> {
  const row = await prisma.senderDomain.findUnique({ where: { shop }, select: { domain: true, verifiedAt: true } });
  return row?.verifiedAt ? row.domain : null;
}

// The same key the shop's mail goes out with: its own SendGrid key, else the app's. Null when
// this install sends through no SendGrid account at all (mail stays in the outbox).
// `timeoutMs` overrides SENDGRID_TIMEOUT_MS for a caller that cannot wait long.
export async function domainClientForShop({ prisma, shop, timeoutMs }: { prisma: PrismaClient; shop: string; timeoutMs?: number }): Promise<SendGridDomainClient | null> {
  const mail = config().mail;
  const row = await prisma.shop.findUnique({ where: { domain: shop }, select: { domain: true, sendgridApiKeyEnc: true } });
  const key = (row && shopSendGridKey(row, { encryptionKeys: mail.encryptionKeys })) || mail.sendgridApiKey;
  if (!key) return null;
  return createSendGridDomainClient({ apiKey: key, baseUrl: mail.sendgridApiUrl ?? undefined, timeoutMs: timeoutMs ?? mail.sendgridTimeoutMs ?? undefined });
}

export class SenderDomainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SenderDomainError";
  }
}

type Deps = { prisma: PrismaClient; shop: string; client: SendGridDomainClient; actor: string; now?: Date };

// Creates the authenticated domain in SendGrid and keeps the records it asks for.
export async function authenticateDomain({ prisma, shop, client, actor, domain: input, now = new Date() }: Deps & { domain: string }): Promise<SenderDomainState> {
  const domain = sendingDomainFrom(input);
  const existing = await prisma.senderDomain.findUnique({ where: { shop } });
  if (existing) throw new SenderDomainError(`${existing.domain} is already being authenticated. Start over to use another domain.`);
  const created = await client.createDomain({ domain });
  try {
    const row = await prisma.$transaction(async (tx) => {
      const stored = await tx.senderDomain.create({ data: { shop, domain: created.domain, sendgridDomainId: created.id, records: JSON.stringify(created.records) } });
      await audit(tx, { shop, actor, action: "sender_domain.created", detail: { domain: created.domain, sendgridDomainId: created.id }, at: now });
      return stored;
    });
    return senderDomainState(row)!;
  } catch (err) {
    // Two clicks at once: the other one stored its domain; don't leave ours behind in SendGrid.
    await client.deleteDomain(created.id).catch(() => {});
    throw err;
  }
}

// Asks SendGrid to look the records up now and keeps its answer for each.
export async function verifyDomain({ prisma, shop, client, actor, now = new Date() }: Deps): Promise<SenderDomainState> {
  const row = await prisma.senderDomain.findUnique({ where: { shop } });
  if (!row) throw new SenderDomainError("Authenticate a domain first.");
  const validation = await client.validateDomain(row.sendgridDomainId);
  const records = withValidation(decodeAuthenticationRecords(row.records), validation.results);
  const verifiedAt = validation.valid ? (row.verifiedAt ?? now) : null;
  const updated = await prisma.senderDomain.update({ where: { shop }, data: { records: JSON.stringify(records), validatedAt: now, verifiedAt } });
  if (Boolean(row.verifiedAt) !== Boolean(verifiedAt)) {
    await audit(prisma, { shop, actor, action: verifiedAt ? "sender_domain.verified" : "sender_domain.unverified", detail: { domain: row.domain }, at: now });
  }
  return senderDomainState(updated)!;
}

// Optional: links in the emails on the shop's domain instead of sendgrid.net.
export async function brandLinks({ prisma, shop, client, actor, now = new Date() }: Deps): Promise<SenderDomainState> {
  const row = await prisma.senderDomain.findUnique({ where: { shop } });
  if (!row) throw new SenderDomainError("Authenticate a domain first.");
  if (row.linkBrandingId) return senderDomainState(row)!;
  const link = await client.createLinkBranding({ domain: row.domain });
  const updated = await prisma.senderDomain.update({ where: { shop }, data: { linkBrandingId: link.id, linkRecords: JSON.stringify(link.records) } });
  await audit(prisma, { shop, actor, action: "sender_domain.links_created", detail: { domain: row.domain, linkBrandingId: link.id }, at: now });
  return senderDomainState(updated)!;
}

export async function verifyLinks({ prisma, shop, client, now = new Date() }: Deps): Promise<SenderDomainState> {
  const row = await prisma.senderDomain.findUnique({ where: { shop } });
  if (!row?.linkBrandingId) throw new SenderDomainError("Set up link branding first.");
  const validation = await client.validateLinkBranding(row.linkBrandingId);
  const records = withValidation(decodeAuthenticationRecords(row.linkRecords), validation.results);
  const updated = await prisma.senderDomain.update({
    where: { shop },
    data: { linkRecords: JSON.stringify(records), linkValidatedAt: now, linkVerifiedAt: validation.valid ? (row.linkVerifiedAt ?? now) : null },
  });
  return senderDomainState(updated)!;
}

// Removes the domain (and its link branding) from SendGrid and from the shop: mail goes from the
// app's address again until a domain is verified.
export async function startOver({ prisma, shop, client, actor, now = new Date() }: Deps): Promise<void> {
  const row = await prisma.senderDomain.findUnique({ where: { shop } });
  if (!row) return;
  if (row.linkBrandingId) await client.deleteLinkBranding(row.linkBrandingId);
  await client.deleteDomain(row.sendgridDomainId);
  await prisma.$transaction(async (tx) => {
    await tx.senderDomain.deleteMany({ where: { shop } });
    await audit(tx, { shop, actor, action: "sender_domain.removed", detail: { domain: row.domain }, at: now });
  });
}

export type SendGridRemoval = "removed" | "nothing" | "failed";

/**
 * shop/redact: the shop's authenticated domain (and link branding) leave SendGrid too. Called
 * before the shop's rows are erased, since the shop's own SendGrid key is one of them. It never
 * holds up the erasure: Shopify waits 5 s for the answer, so SendGrid gets `timeoutMs`, and a
 * failure is logged for the operator (the domain's id is in the log) while the rows go anyway.
 */
export async function removeShopDomainFromSendGrid({
  prisma,
  shop,
  timeoutMs = 2_000,
  logger = defaultLogger,
}: {
  prisma: PrismaClient;
  shop: string;
  timeoutMs?: number;
  logger?: Logger;
}): Promise<SendGridRemoval> {
  const row = await prisma.senderDomain.findUnique({ where: { shop }, select: { domain: true, sendgridDomainId: true, linkBrandingId: true } });
  if (!row) return "nothing";
  const ids = { sendgridDomainId: row.sendgridDomainId, linkBrandingId: row.linkBrandingId };
  try {
    const client = await domainClientForShop({ prisma, shop, timeoutMs });
    if (!client) throw new Error("no SendGrid API key is configured any more");
    // SendGrid answers 404 for one already deleted: gone either way.
    await Promise.all([client.deleteDomain(row.sendgridDomainId), row.linkBrandingId ? client.deleteLinkBranding(row.linkBrandingId) : null]);
    return "removed";
  } catch (err) {
    logger.warn("the erased shop's authenticated domain is still in SendGrid: delete it there by hand", { shop, ...ids, err });
    return "failed";
  }
}
