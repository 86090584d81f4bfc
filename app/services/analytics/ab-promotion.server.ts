// A/B tests end in a promotion: the winning variant becomes the step.
import { stepVariants } from "~/domain/stored-rows";
import type { PrismaClient } from "@prisma/client";
import { abResults, type AbResult } from "~/domain/ab-results";
import { logger as rootLogger, type Logger } from "~/platform/logger.server";
import { audit } from "../compliance/audit.server";
import { loadDashboard } from "./dashboard.server";

interface StepVariant {
  key: string;
  weight?: number;
  subject?: string;
  previewText?: string;
  content?: unknown;
}

export class PromotionError extends Error {
  constructor(message: string, readonly status = 400) {
    super(message);
    this.name = "PromotionError";
  }
}

// The winner becomes the step itself: its subject, preview text and content replace the step's,
// and the test ends (variants cleared), so every later follow-up gets what won.
export async function promoteVariant(
  prisma: PrismaClient,
  { shop, flowId, stepKey, variant, actor, result }: { shop: string; flowId: string; stepKey: string; variant: string; actor: string; result?: AbResult | null },
) {
  return prisma.$transaction(async (tx) => {
    const step = await tx.flowStep.findFirst({ where: { key: stepKey, flow: { id: flowId, shop } } });
    if (!step) throw new PromotionError("That flow step does not exist in this shop any more. Reload the page.", 404);
    if (!step.variants) throw new PromotionError("This step has no A/B test running: nothing to promote.", 409);
    let test: { id?: string; variants?: StepVariant[] };
    try {
      test = stepVariants(step)!;
    } catch {
      throw new PromotionError("The step's A/B test could not be read; edit the flow to fix it.", 409);
    }
    const winner = test.variants?.find((v) => v.key === variant);
    if (!winner) throw new PromotionError(`The step's A/B test has no variant "${variant}".`, 400);
    await tx.flowStep.update({
      where: { id: step.id },
      data: {
        ...(winner.subject ? { subject: winner.subject } : {}),
        ...(winner.previewText !== undefined ? { previewText: winner.previewText } : {}),
        ...(winner.content !== undefined ? { content: JSON.stringify(winner.content) } : {}),
        variants: null,
      },
    });
    await audit(tx, {
      shop,
      actor,
      action: "ab_test.promoted",
      detail: {
        flowId,
        stepKey,
        variant,
        testId: test.id ?? null,
        test: test.variants ?? null,
        ...(result ? { z: result.z, pValue: result.pValue, testName: result.test } : {}),
      },
    });
    return { stepId: step.id };
  });
}

// The merchant's promotion from the analytics page. Only a winner the page shows may be
// promoted: it is judged again now, over all time.
export async function promoteShownWinner(
  prisma: PrismaClient,
  { shop, flowId, stepKey, variant, actor }: { shop: string; flowId: string; stepKey: string; variant: string; actor: string },
) {
  const dashboard = await loadDashboard({ prisma, shop, range: { from: "2000-01-01", to: "2999-12-31" } });
  const result = dashboard.abTests.find((t) => t.flowId === flowId && t.stepKey === stepKey);
  if (!result || result.winner !== variant) throw new PromotionError("That variant has not won significantly (yet). Nothing changed.", 409);
  return promoteVariant(prisma, { shop, flowId, stepKey, variant, actor, result });
}

// Shops that asked for it get a significant winner promoted by the worker.
export async function autoPromoteWinners({ prisma, logger = rootLogger }: { prisma: PrismaClient; logger?: Logger }): Promise<number> {
  const shops = await prisma.shop.findMany({ where: { abAutoPromote: true, uninstalledAt: null }, select: { domain: true } });
  let promoted = 0;
  for (const { domain: shop } of shops) {
    const steps = await prisma.flowStep.findMany({ where: { flow: { shop }, variants: { not: null } }, select: { key: true, flowId: true } });
    for (const step of steps) {
      const rows = await prisma.dailyStat.groupBy({
        by: ["variant"],
        where: { shop, flowId: step.flowId, stepKey: step.key, variant: { not: "" } },
        _sum: { delivered: true, clicks: true },
      });
      const result = abResults({ variants: rows.map((r) => ({ key: r.variant, trials: r._sum.delivered ?? 0, successes: r._sum.clicks ?? 0 })) });
      if (!result.winner) continue;
      try {
        await promoteVariant(prisma, { shop, flowId: step.flowId, stepKey: step.key, variant: result.winner, actor: "system", result });
        promoted += 1;
        logger.info("A/B winner promoted", { shop, flowId: step.flowId, stepKey: step.key, variant: result.winner, z: result.z });
      } catch (err) {
        logger.warn("A/B winner could not be promoted", { shop, flowId: step.flowId, stepKey: step.key, err });
      }
    }
  }
  return promoted;
}
