// Missed-webhook reconciliation. Shopify drops a delivery once its retries run out, and an
// endpoint down for hours loses orders: this lists each shop's recent orders through the Admin
// API and schedules what the webhooks missed, through intake's idempotent path (the unique
// shop + order + flow + step key), so running it again, or a late webhook, adds nothing.
import { randomUUID } from "node:crypto";
import type { PrismaClient } from "@prisma/client";
import type { OrdersUpdatedSinceQuery, OrdersUpdatedSinceQueryVariables } from "~/types/admin.generated";
import {
  DEFAULT_RECONCILIATION_POLICY,
  orderFactsFromAdminOrder,
  ordersSearchQuery,
  reconcileDecision,
  reconciliationSince,
  type ReconciliationPolicy,
} from "~/domain/reconciliation";
import { adminClientForShop, type AdminClient } from "~/adapters/shopify-admin/index.server";
import { ORDERS_UPDATED_SINCE_QUERY } from "~/adapters/shopify-admin/queries";
import { logger as rootLogger, type Logger } from "~/platform/logger.server";
import { followUpsScheduledBy, ordersReconciled } from "~/platform/metrics.server";
import { intakeContext } from "../flows/flows.server";
import { planFollowUps, receiveOrderFacts } from "./intake.server";

export const RECONCILE_TOPIC = "reconcile/orders";

export interface ShopReconciliation {
  shop: string;
  since: string;
  listed: number;
  restoredOrders: number;
  followUpsScheduled: number;
  complete: number;
  cancelled: number;
  error?: string;
}

export interface ReconcileOptions {
  prisma: PrismaClient;
  // Only this shop; every installed shop otherwise.
  shop?: string;
  // Only shops last reconciled before this time (after a restart: those a downtime may have hit).
  staleBefore?: Date;
  now?: Date;
  // SHOPIFY_ADMIN_API_URL; null is Shopify's own.
  adminApiUrl?: string | null;
  clientFor?: (shop: string) => Promise<AdminClient>;
  // Told about follow-ups scheduled here, as intake's routes tell the queue.
  onScheduled?: (followUps: { id: string; dueAt: Date }[]) => Promise<void>;
  policy?: ReconciliationPolicy;
  pageSize?: number;
  logger?: Logger;
}

export async function reconcileOrders({
  prisma,
  shop,
  staleBefore,
  now = new Date(),
  adminApiUrl = null,
  clientFor,
  onScheduled,
  policy = DEFAULT_RECONCILIATION_POLICY,
  pageSize = 10,
  logger = rootLogger,
}: ReconcileOptions): Promise<ShopReconciliation[]> {
  const shops = await prisma.shop.findMany({
    where: {
      uninstalledAt: null,
      ...(shop ? { domain: shop } : {}),
      ...(staleBefore ? { ordersReconciledAt: { lt: staleBefore } } : {}),
    },
    orderBy: { domain: "asc" },
  });
  const connect =
    clientFor ??
    ((domain: string) =>
      adminClientForShop({ prisma, shop: domain, ...(adminApiUrl ? { urlTemplate: adminApiUrl } : {}) }));
  const results: ShopReconciliation[] = [];
  for (const row of shops) {
    const log = logger.child({ component: "reconcile-orders", shop: row.domain });
    const since = reconciliationSince({ cursor: row.ordersReconciledAt, installedAt: row.installedAt, now, policy });
    const result: ShopReconciliation = {
      shop: row.domain,
      since: since.toISOString(),
      listed: 0,
      restoredOrders: 0,
      followUpsScheduled: 0,
      complete: 0,
      cancelled: 0,
    };
    try {
      await reconcileShop({ prisma, shop: row.domain, since, now, client: await connect(row.domain), pageSize, onScheduled, result, log });
      // The cursor moves only after a complete pass; a failed shop is tried again from the same point.
      await prisma.shop.update({ where: { domain: row.domain }, data: { ordersReconciledAt: now } });
      const { shop: _shop, ...counts } = result;
      if (result.restoredOrders) log.warn("restored follow-ups of orders whose webhooks never arrived", counts);
      else log.info("orders reconciled; nothing was missing", { listed: result.listed, since: result.since });
    } catch (err) {
      result.error = err instanceof Error ? err.message : String(err);
      log.error("order reconciliation failed; will retry from the same point", { err });
    }
    results.push(result);
  }
  return results;
}

async function reconcileShop({
  prisma,
  shop,
  since,
  now,
  client,
  pageSize,
  onScheduled,
  result,
  log,
}: {
  prisma: PrismaClient;
  shop: string;
  since: Date;
  now: Date;
  client: AdminClient;
  pageSize: number;
  onScheduled?: ReconcileOptions["onScheduled"];
  result: ShopReconciliation;
  log: Logger;
}) {
  // Fresh, not the per-process intake cache: this runs rarely and must see today's flows.
  const context = await intakeContext(prisma, shop, "order_created", 0);
  if (!context.ok) return;
  let after: string | null = null;
  for (;;) {
    const page: OrdersUpdatedSinceQuery = await client.request<OrdersUpdatedSinceQuery, OrdersUpdatedSinceQueryVariables>(
      ORDERS_UPDATED_SINCE_QUERY,
      { first: pageSize, after, query: ordersSearchQuery(since) },
    );
    const nodes = page.orders.nodes;
    result.listed += nodes.length;
    const existing = await prisma.followUp.findMany({
      where: { shop, orderId: { in: nodes.map((n) => n.id) } },
      select: { orderId: true, flowId: true, stepKey: true },
    });
    for (const node of nodes) {
      const facts = orderFactsFromAdminOrder(node);
      const planned = planFollowUps({ context, order: facts, trigger: "order_created", triggeredAt: facts.orderedAt, now });
      const decision = reconcileDecision({
        order: facts,
        since,
        planned,
        existing: existing.filter((f) => f.orderId === facts.orderId),
      });
      if (decision.action === "none") {
        if (decision.why === "cancelled") result.cancelled++;
        if (decision.why === "complete") result.complete++;
        continue;
      }
      const outcome = await receiveOrderFacts({
        prisma,
        delivery: { shop, topic: RECONCILE_TOPIC, webhookId: `reconcile-${randomUUID()}`, triggeredAt: now.toISOString() },
        facts,
        now,
      });
      if (outcome.kind !== "scheduled") continue;
      result.restoredOrders++;
      result.followUpsScheduled += outcome.followUps.length;
      followUpsScheduledBy("reconciliation", outcome.followUps.length);
      log.info("order restored from the Admin API", { orderId: facts.orderId, followUps: outcome.followUps.length });
      if (onScheduled && outcome.followUps.length) await onScheduled(outcome.followUps);
    }
    if (!page.orders.pageInfo.hasNextPage || !page.orders.pageInfo.endCursor) break;
    after = page.orders.pageInfo.endCursor;
  }
  ordersReconciled("restored", result.restoredOrders);
  ordersReconciled("complete", result.complete);
  ordersReconciled("cancelled", result.cancelled);
}
