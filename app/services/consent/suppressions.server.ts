// A shop's suppression list: addresses it must not email, and why. Every function takes the
// shop and touches only that shop's rows.
import { isUniqueViolation } from "../../platform/db-errors.server";
import { Prisma, type PrismaClient, type Suppression } from "@prisma/client";
import { normaliseEmail, type SuppressionReason, type SuppressionScope } from "~/domain/sendgrid-events";
import { hashedSuppressionEmail, suppressionLookupEmails } from "../compliance/hashed-emails.server";
import { csvLine } from "~/domain/csv";
import { audit } from "../compliance/audit.server";

// Works with the client and inside a transaction.
export type SuppressionStore = Pick<Prisma.TransactionClient, "suppression">;

export type { SuppressionReason, SuppressionScope };

export const SUPPRESSION_SCOPES: readonly SuppressionScope[] = ["all", "marketing"];
export const SUPPRESSION_REASONS: readonly SuppressionReason[] = [
  "unsubscribed",
  "hard_bounce",
  "spam_report",
  "invalid",
  "blocked",
  "manual",
];

export { normaliseEmail };

function requireShop(shop: string): void {
  if (!shop) throw new Error("A suppression always belongs to one shop; no shop was given.");
}

// Scope "all" stops every follow-up; "marketing" only those the shop sends as marketing.
// A redacted customer's entry holds a hash of the address instead; it still matches.
// Asked before every send, so written as one SQL statement (see dispatch-sql.server.ts).
export async function isSuppressed(
  prisma: Pick<Prisma.TransactionClient, "$queryRaw">,
  { shop, email, marketing }: { shop: string; email: string; marketing: boolean },
): Promise<Suppression | null> {
  requireShop(shop);
  const scopes = marketing ? ["all", "marketing"] : ["all"];
  // "all" sorts first: it is the stronger reason to show.
  const rows = await prisma.$queryRaw<Suppression[]>`
    SELECT * FROM "Suppression"
    WHERE "shop" = ${shop} AND "email" IN (${Prisma.join(suppressionLookupEmails(email))}) AND "scope" IN (${Prisma.join(scopes)})
    ORDER BY "scope" ASC
    LIMIT 1`;
  return rows[0] ?? null;
}

export interface NewSuppression {
  shop: string;
  email: string;
  scope?: SuppressionScope;
  reason: SuppressionReason;
  source?: string | null;
  detail?: string | null;
  // Store the keyed hash, not the address: for an address the shop no longer holds (erased).
  hashed?: boolean;
}

// The first reason an address was suppressed for is kept; adding it again changes nothing.
export async function addSuppression(
  prisma: SuppressionStore,
  input: NewSuppression,
): Promise<{ suppression: Suppression; created: boolean }> {
  requireShop(input.shop);
  const email = normaliseEmail(input.email);
  if (!email.includes("@")) throw new Error(`"${input.email}" is not an email address; nothing was suppressed for ${input.shop}.`);
  const scope = input.scope ?? "all";
  if (!SUPPRESSION_SCOPES.includes(scope)) throw new Error(`Suppression scope must be "all" or "marketing", not "${scope}".`);
  if (!SUPPRESSION_REASONS.includes(input.reason)) {
    throw new Error(`Unknown suppression reason "${input.reason}"; use one of ${SUPPRESSION_REASONS.join(", ")}.`);
  }
  const stored = input.hashed ? hashedSuppressionEmail(email) : email;
  const key = { shop_email_scope: { shop: input.shop, email: stored, scope } };
  const existing = await prisma.suppression.findFirst({
    where: { shop: input.shop, scope, email: { in: suppressionLookupEmails(email) } },
  });
  if (existing) return { suppression: existing, created: false };
  try {
    const suppression = await prisma.suppression.create({
      data: { shop: input.shop, email: stored, scope, reason: input.reason, source: input.source ?? null, detail: input.detail ?? null },
    });
    return { suppression, created: true };
  } catch (err) {
    // Added by a concurrent request a moment ago.
    if (isUniqueViolation(err)) {
      const again = await prisma.suppression.findUnique({ where: key });
      if (again) return { suppression: again, created: false };
    }
    throw err;
  }
}

// By id (the merchant's list) or by address (one scope, or every scope when none is given).
// Returns how many entries were removed; another shop's entries are never matched.
export async function removeSuppression(
  prisma: SuppressionStore,
  target: { shop: string; id: string } | { shop: string; email: string; scope?: SuppressionScope; reason?: SuppressionReason },
): Promise<number> {
  requireShop(target.shop);
  const where: Prisma.SuppressionWhereInput =
    "id" in target
      ? { shop: target.shop, id: target.id }
      : {
          shop: target.shop,
          email: { in: suppressionLookupEmails(target.email) },
          ...(target.scope ? { scope: target.scope } : {}),
          ...(target.reason ? { reason: target.reason } : {}),
        };
  const { count } = await prisma.suppression.deleteMany({ where });
  return count;
}

export interface SuppressionPage {
  items: Suppression[];
  // Pass back as `cursor` for the next page; null on the last page.
  nextCursor: string | null;
}

const MAX_PAGE = 500;

interface CursorPosition {
  at: string; // createdAt, ISO
  id: string;
}

function encodeCursor(s: Suppression): string {
  return Buffer.from(JSON.stringify({ at: s.createdAt.toISOString(), id: s.id } satisfies CursorPosition)).toString("base64url");
}

function decodeCursor(cursor: string): CursorPosition {
  try {
    const pos = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as CursorPosition;
    if (typeof pos.at === "string" && typeof pos.id === "string" && !Number.isNaN(Date.parse(pos.at))) return pos;
  } catch {
    // fall through
  }
  throw new Error("The page cursor is not one this list gave out; start again from the first page.");
}

// Newest first. The cursor is a position (time and id), not a row, so it cannot reach into
// another shop's list.
export async function listSuppressions(
  prisma: SuppressionStore,
  { shop, search, limit = 50, cursor }: { shop: string; search?: string; limit?: number; cursor?: string | null },
): Promise<SuppressionPage> {
  requireShop(shop);
  const take = Math.max(1, Math.min(MAX_PAGE, Math.trunc(limit) || 50));
  const and: Prisma.SuppressionWhereInput[] = [{ shop }];
  const term = search?.trim().toLowerCase();
  if (term) and.push({ email: { contains: term } });
  if (cursor) {
    const pos = decodeCursor(cursor);
    const at = new Date(pos.at);
    and.push({ OR: [{ createdAt: { lt: at } }, { createdAt: at, id: { lt: pos.id } }] });
  }
  const rows = await prisma.suppression.findMany({
    where: { AND: and },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: take + 1,
  });
  const items = rows.slice(0, take);
  return { items, nextCursor: rows.length > take ? encodeCursor(items[items.length - 1]) : null };
}

export const SUPPRESSION_CSV_COLUMNS = ["email", "scope", "reason", "source", "detail", "created_at"] as const;

// A header row, then one line per entry, newest first.
export async function exportSuppressionsCsv(prisma: SuppressionStore, shop: string): Promise<string> {
  requireShop(shop);
  let csv = csvLine(SUPPRESSION_CSV_COLUMNS);
  let cursor: string | null = null;
  do {
    const page: SuppressionPage = await listSuppressions(prisma, { shop, limit: MAX_PAGE, cursor });
    for (const s of page.items) csv += csvLine([s.email, s.scope, s.reason, s.source, s.detail, s.createdAt]);
    cursor = page.nextCursor;
  } while (cursor);
  return csv;
}

export async function countSuppressions(prisma: SuppressionStore, shop: string): Promise<number> {
  requireShop(shop);
  return prisma.suppression.count({ where: { shop } });
}

// ---------------------------------------------------------------------------------------------
// What the merchant does on the Suppressions page, each change with its line in the audit log.
// The log names an entry by its id, never by the customer's email.

// Marks entries the merchant typed in, as opposed to SendGrid events or unsubscribe links.
export const MERCHANT_SOURCE = "merchant";

export async function addSuppressionByMerchant(
  prisma: PrismaClient,
  { shop, actor, email, scope, note }: { shop: string; actor: string; email: string; scope: SuppressionScope; note: string | null },
): Promise<{ suppression: Suppression; created: boolean }> {
  return prisma.$transaction(async (tx) => {
    const result = await addSuppression(tx, { shop, email, scope, reason: "manual", source: MERCHANT_SOURCE, detail: note });
    if (result.created) {
      await audit(tx, { shop, actor, action: "suppression.added", detail: { suppressionId: result.suppression.id, scope, reason: "manual" } });
    }
    return result;
  });
}

// The entry removed, or null when this shop has no entry with that id (any more).
export async function removeSuppressionByMerchant(
  prisma: PrismaClient,
  { shop, actor, id }: { shop: string; actor: string; id: string },
): Promise<Suppression | null> {
  return prisma.$transaction(async (tx) => {
    // Read through the shop too, so an id from another shop finds nothing.
    const row = await tx.suppression.findFirst({ where: { shop, id } });
    if (!row) return null;
    const count = await removeSuppression(tx, { shop, id });
    if (count === 0) return null;
    await audit(tx, { shop, actor, action: "suppression.removed", detail: { suppressionId: row.id, scope: row.scope, reason: row.reason } });
    return row;
  });
}

// The whole list as a download. Not a change, but a copy of customer data leaving the app is
// worth a line in the log.
export async function exportSuppressionList(
  prisma: PrismaClient,
  { shop, actor }: { shop: string; actor: string },
): Promise<{ csv: string; rows: number }> {
  const csv = await exportSuppressionsCsv(prisma, shop);
  const rows = await countSuppressions(prisma, shop);
  await audit(prisma, { shop, actor, action: "suppressions.exported", detail: { rows } });
  return { csv, rows };
}
