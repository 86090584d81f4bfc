// Which shops use which of Afterglow's Flow triggers, as Flow's trigger lifecycle callbacks say:
// one row per shop and trigger. Flow's documentation asks that a newer timestamp win and an older
// one be ignored, whatever order the callbacks arrive in.
import type { PrismaClient } from "@prisma/client";
import { triggerOfDefinitionId, type FlowLifecycleCallback } from "~/domain/flow-triggers";
import { isUniqueViolation } from "~/platform/db-errors.server";

export type LifecycleOutcome = "recorded" | "stale";

export async function recordFlowTriggerUse({
  prisma,
  callback,
}: {
  prisma: Pick<PrismaClient, "flowTriggerUse">;
  callback: FlowLifecycleCallback;
}): Promise<{ outcome: LifecycleOutcome; trigger: string; known: boolean }> {
  const handle = triggerOfDefinitionId(callback.definitionId);
  // An id we do not recognise is kept as it came: nothing fires for it, but nothing Flow said is lost.
  const trigger = handle ?? callback.definitionId;
  const key = { shop: callback.shop, trigger };
  const data = { enabled: callback.enabled, reportedAt: callback.reportedAt };
  for (let attempt = 0; attempt < 2; attempt++) {
    const { count } = await prisma.flowTriggerUse.updateMany({ where: { ...key, reportedAt: { lte: callback.reportedAt } }, data });
    if (count > 0) return { outcome: "recorded", trigger, known: handle !== null };
    if (await prisma.flowTriggerUse.count({ where: key })) return { outcome: "stale", trigger, known: handle !== null };
    try {
      await prisma.flowTriggerUse.create({ data: { ...key, ...data } });
      return { outcome: "recorded", trigger, known: handle !== null };
    } catch (err) {
      // Another callback for the pair was stored a moment ago; the timestamps decide.
      if (!isUniqueViolation(err)) throw err;
    }
  }
  return { outcome: "stale", trigger, known: handle !== null };
}
