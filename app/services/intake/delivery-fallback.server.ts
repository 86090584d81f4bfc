// The delivery fallback: many carriers never report delivery to Shopify, so a flow started by
// delivery would never start. A flow that sets deliveryFallbackDays starts N days after the
// order was fulfilled when no delivery event came by then; whichever comes first starts it once.
import type { PrismaClient } from "@prisma/client";
import { readState, writeState } from "../analytics/job-state.server";
import { startFlowsWithoutDelivery, type FollowUpsScheduledListener } from "./intake.server";

const DAY_MS = 24 * 3600_000;
// Orders looked at per flow and pass; the watermark carries the rest to the next pass.
export const DELIVERY_FALLBACK_BATCH = 200;

interface Watermark {
  // The last order handled, in (fulfilledAt, id) order.
  at: string;
  id: string;
}

const stateName = (flowId: string) => `delivery-fallback:${flowId}`;

export async function startDeliveryFallbacks({
  prisma,
  now = new Date(),
  onScheduled,
  batch = DELIVERY_FALLBACK_BATCH,
}: {
  prisma: PrismaClient;
  now?: Date;
  onScheduled?: FollowUpsScheduledListener;
  batch?: number;
}): Promise<{ orders: number; started: number }> {
  const flows = await prisma.flow.findMany({
    where: { trigger: "order_delivered", deliveryFallbackDays: { not: null } },
    select: { id: true, shop: true, active: true, deliveryFallbackDays: true },
  });
  let orders = 0;
  let started = 0;
  for (const flow of flows) {
    // Like a webhook that arrives while a flow is off, a fallback moment that passes then starts
    // nothing: switched on again, the flow counts from that pass on.
    if (!flow.active) {
      await prisma.jobState.deleteMany({ where: { name: stateName(flow.id) } });
      continue;
    }
    const days = flow.deliveryFallbackDays!;
    const due = new Date(now.getTime() - days * DAY_MS);
    const state = await readState<Watermark>(prisma, stateName(flow.id));
    // First seen now: orders whose N days are already over when the merchant set the fallback
    // are not started late; those fulfilled from here on are.
    const mark: Watermark = state.at && state.id !== undefined ? { at: state.at, id: state.id } : { at: due.toISOString(), id: "" };
    const after = new Date(mark.at);
    const candidates = await prisma.order.findMany({
      where: {
        shop: flow.shop,
        deliveredAt: null,
        cancelledAt: null,
        fulfilledAt: { lte: due },
        OR: [{ fulfilledAt: { gt: after } }, { fulfilledAt: after, id: { gt: mark.id } }],
      },
      select: { id: true, fulfilledAt: true },
      orderBy: [{ fulfilledAt: "asc" }, { id: "asc" }],
      take: batch,
    });
    for (const order of candidates) {
      const outcome = await startFlowsWithoutDelivery({ prisma, shop: flow.shop, orderRef: order.id, flows: [{ id: flow.id, deliveryFallbackDays: days }], now });
      orders += 1;
      if (outcome.kind === "scheduled" && outcome.followUps.length) {
        started += 1;
        await onScheduled?.(outcome.followUps);
      }
    }
    const last = candidates.at(-1);
    if (last) await writeState(prisma, stateName(flow.id), { at: last.fulfilledAt!.toISOString(), id: last.id });
    else if (!state.at) await writeState(prisma, stateName(flow.id), mark);
  }
  return { orders, started };
}
