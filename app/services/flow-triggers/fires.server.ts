// A fact Shopify Flow is to hear about, written as a FlowTriggerFire row in the same transaction
// that records the fact: a send, a click, a bounce or spam report, an unsubscribe. The row is
// written only when Flow's lifecycle callback said the shop has an enabled workflow using the
// trigger, and at most once per fact (the unique shop + trigger + factKey). A worker sends it
// (send.server.ts).
import { randomUUID } from "node:crypto";
import { Prisma } from "@prisma/client";
import type { DatabaseProvider } from "~/db.server";
import { buildFlowTriggerPayload, type FlowTriggerFact, type FlowTriggerHandle, type FollowUpFacts } from "~/domain/flow-triggers";
import { fillVariables } from "~/domain/content";
import { stepVariants } from "~/domain/stored-rows";

type Sql = Pick<Prisma.TransactionClient, "$executeRaw">;
type Reader = Pick<Prisma.TransactionClient, "followUp" | "flow" | "flowStep" | "flowTriggerUse">;

export interface FlowTriggerFireInput {
  shop: string;
  factKey: string; // one fact, once: followUp:<id>, event:<dedupe key>, suppression:<id>
  followUpId: string | null;
  fact: FlowTriggerFact;
  // Written only if this follow-up is sent by then (the send's record may have lost its claim).
  onlyIfSent?: boolean;
}

// PostgreSQL gives a bare parameter in a SELECT list the type text; the columns want their own.
function typed(dialect: DatabaseProvider, value: Date | number, type: "TIMESTAMP(3)" | "INTEGER"): Prisma.Sql {
  return dialect === "postgresql" ? Prisma.sql`CAST(${value} AS ${Prisma.raw(type)})` : Prisma.sql`${value}`;
}

/**
 * The INSERT for one fact, to run inside the fact's own transaction (interactive, or a batch of
 * statements). It writes nothing for a shop whose workflows do not use the trigger, and nothing
 * for a fact already written. A payload that cannot be built is kept as a failed row with why.
 */
export function flowTriggerFireStatement(
  db: Sql,
  { shop, factKey, followUpId, fact, onlyIfSent = false }: FlowTriggerFireInput,
  { at, dialect }: { at: Date; dialect: DatabaseProvider },
): Prisma.PrismaPromise<number> {
  const built = buildFlowTriggerPayload(fact);
  const trigger: FlowTriggerHandle = fact.trigger;
  const payload = built.ok ? built.json : null;
  const status = built.ok ? "pending" : "failed";
  const lastError = built.ok ? null : built.error;
  const when = typed(dialect, at, "TIMESTAMP(3)");
  const sent = onlyIfSent ? Prisma.sql`AND EXISTS (SELECT 1 FROM "FollowUp" WHERE "id" = ${followUpId} AND "status" = 'sent')` : Prisma.empty;
  // SQLite needs the SELECT's WHERE before ON CONFLICT (the upsert clause is otherwise ambiguous).
  return db.$executeRaw`
    INSERT INTO "FlowTriggerFire"
      ("id", "shop", "trigger", "factKey", "followUpId", "orderId", "customerId", "payload", "status", "attempts", "nextAttemptAt", "lastError", "createdAt", "updatedAt")
    SELECT ${randomUUID()}, ${shop}, ${trigger}, ${factKey}, ${followUpId}, ${fact.orderId}, ${fact.customerId}, ${payload}, ${status},
      ${typed(dialect, 0, "INTEGER")}, ${when}, ${lastError}, ${when}, ${when}
    WHERE EXISTS (SELECT 1 FROM "FlowTriggerUse" WHERE "shop" = ${shop} AND "trigger" = ${trigger} AND "enabled" = ${Prisma.raw(dialect === "postgresql" ? "true" : "1")})
    ${sent}
    ON CONFLICT ("shop", "trigger", "factKey") DO NOTHING`;
}

/** The triggers of `wanted` this shop's enabled workflows use: nothing to build for the others. */
export async function triggersInUse(db: Pick<Reader, "flowTriggerUse">, shop: string, wanted: readonly FlowTriggerHandle[]): Promise<Set<FlowTriggerHandle>> {
  if (wanted.length === 0) return new Set();
  const rows = await db.flowTriggerUse.findMany({ where: { shop, trigger: { in: [...wanted] }, enabled: true }, select: { trigger: true } });
  return new Set(rows.map((r) => r.trigger as FlowTriggerHandle));
}

/** Every trigger this shop's enabled workflows use. */
export async function shopTriggers(db: Pick<Reader, "flowTriggerUse">, shop: string): Promise<Set<FlowTriggerHandle>> {
  const rows = await db.flowTriggerUse.findMany({ where: { shop, enabled: true }, select: { trigger: true } });
  return new Set(rows.map((r) => r.trigger as FlowTriggerHandle));
}

/** The shops among `shops` whose enabled workflows use any of `wanted`, each with those triggers. */
export async function shopsUsing(
  db: Pick<Reader, "flowTriggerUse">,
  shops: string[],
  wanted: readonly FlowTriggerHandle[],
): Promise<Map<string, Set<FlowTriggerHandle>>> {
  const using = new Map<string, Set<FlowTriggerHandle>>();
  if (shops.length === 0) return using;
  const rows = await db.flowTriggerUse.findMany({
    where: { shop: { in: [...new Set(shops)] }, trigger: { in: [...wanted] }, enabled: true },
    select: { shop: true, trigger: true },
  });
  for (const r of rows) using.set(r.shop, (using.get(r.shop) ?? new Set()).add(r.trigger as FlowTriggerHandle));
  return using;
}

/** What every trigger carries of a follow-up: its order, customer, flow and step. A merchant's test send fires nothing: it is left out. */
export async function followUpFacts(db: Reader, followUpIds: string[]): Promise<Map<string, FollowUpFacts>> {
  const facts = new Map<string, FollowUpFacts>();
  const ids = [...new Set(followUpIds)];
  if (ids.length === 0) return facts;
  const followUps = await db.followUp.findMany({
    where: { id: { in: ids }, isTest: false },
    select: { id: true, flowId: true, stepId: true, orderId: true, order: { select: { customerId: true } } },
  });
  const flows = new Map(
    (await db.flow.findMany({ where: { id: { in: [...new Set(followUps.map((f) => f.flowId))] } }, select: { id: true, name: true } })).map((f) => [f.id, f.name]),
  );
  const steps = new Map(
    (await db.flowStep.findMany({ where: { id: { in: [...new Set(followUps.map((f) => f.stepId))] } }, select: { id: true, position: true, template: true } })).map((s) => [
      s.id,
      { position: s.position, template: s.template },
    ]),
  );
  for (const f of followUps) {
    facts.set(f.id, { orderId: f.orderId, customerId: f.order.customerId, flowName: flows.get(f.flowId) ?? null, step: steps.get(f.stepId) ?? null });
  }
  return facts;
}


/**
 * "Follow-up sent" for a send confirmed from the provider's events after the attempt that made it
 * stopped before recording it. The subject is not kept with the hand-over, so it is the step's (or
 * the customer's A/B variant's) subject filled with the stored order's and shop's values; product
 * names, read only while rendering, fall back to their defaults. Undefined when the shop's
 * workflows do not use the trigger (nothing to read) or the follow-up is a test.
 */
export async function followUpSentAfterHandover(
  db: Pick<Prisma.TransactionClient, "followUp" | "flow" | "flowStep" | "flowTriggerUse" | "shop">,
  followUpId: string,
): Promise<FlowTriggerFireInput | undefined> {
  const row = await db.followUp.findUnique({
    where: { id: followUpId },
    select: { shop: true, isTest: true, variant: true, discountCode: true, stepId: true, order: { select: { firstName: true, name: true } } },
  });
  if (!row || row.isTest) return undefined;
  const { shop } = row;
  if (!(await triggersInUse(db, shop, ["follow-up-sent"])).has("follow-up-sent")) return undefined;
  const [facts, step, shopRow] = await Promise.all([
    followUpFacts(db, [followUpId]),
    db.flowStep.findUnique({ where: { id: row.stepId }, select: { id: true, subject: true, variants: true } }),
    db.shop.findUnique({ where: { domain: shop }, select: { name: true, storefrontUrl: true } }),
  ]);
  const fact = facts.get(followUpId);
  if (!fact || !step) return undefined;
  const variant = row.variant ? stepVariants(step)?.variants.find((v) => v.key === row.variant) : undefined;
  const subject = fillVariables(variant?.subject ?? step.subject, {
    "customer.first_name": row.order.firstName,
    "order.name": row.order.name,
    "shop.name": shopRow?.name ?? shop,
    "shop.url": shopRow?.storefrontUrl ?? `https://${shop}`,
    "discount.code": row.discountCode,
  });
  return { shop, factKey: `followUp:${followUpId}`, followUpId, onlyIfSent: true, fact: { trigger: "follow-up-sent", subject, ...fact } };
}
