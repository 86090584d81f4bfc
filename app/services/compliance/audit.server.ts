// Who changed what, per shop: settings, secrets, data requests, redactions.
// Details are JSON and never carry a secret or a customer's email; ids and counts only.
import type { PrismaClient } from "@prisma/client";

// A transaction client works too, so the audit row commits with the change it describes.
export type AuditDatabase = Pick<PrismaClient, "auditLog">;

export interface AuditInput {
  shop: string;
  actor: string; // a staff member's id or email, "shopify" (compliance webhooks), "system"
  action: string; // dotted, e.g. "customer.redacted", "sendgrid_key.set"
  detail?: Record<string, unknown> | null;
  at?: Date;
}

export interface AuditEntry {
  id: string;
  shop: string;
  actor: string;
  action: string;
  detail: Record<string, unknown> | null;
  at: Date;
}

export async function audit(prisma: AuditDatabase, { shop, actor, action, detail = null, at }: AuditInput): Promise<AuditEntry> {
  if (!shop || !actor || !action) {
    throw new Error(`An audit entry needs a shop, an actor and an action (got shop "${shop}", actor "${actor}", action "${action}").`);
  }
  const row = await prisma.auditLog.create({
    data: { shop, actor, action, detail: detail ? JSON.stringify(detail) : null, ...(at ? { at } : {}) },
  });
  return toEntry(row);
}

export async function listAudit(
  prisma: AuditDatabase,
  shop: string,
  { limit = 50, before, action }: { limit?: number; before?: Date; action?: string | string[] } = {},
): Promise<AuditEntry[]> {
  const take = Math.min(Math.max(1, Math.floor(limit)), 500);
  const rows = await prisma.auditLog.findMany({
    where: {
      shop,
      ...(before ? { at: { lt: before } } : {}),
      ...(action ? { action: Array.isArray(action) ? { in: action } : action } : {}),
    },
    orderBy: [{ at: "desc" }, { id: "desc" }],
    take,
  });
  return rows.map(toEntry);
}

function toEntry(row: { id: string; shop: string; actor: string; action: string; detail: string | null; at: Date }): AuditEntry {
  let detail: Record<string, unknown> | null = null;
  if (row.detail) {
    try {
      detail = JSON.parse(row.detail) as Record<string, unknown>;
    } catch {
      detail = { text: row.detail };
    }
  }
  return { id: row.id, shop: row.shop, actor: row.actor, action: row.action, detail, at: row.at };
}
