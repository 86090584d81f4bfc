// How a claimed follow-up's end is written: sent, skipped with its reason, failed, retried later
// or held. Every end state is written only while the claim is still ours.
import type { Prisma, PrismaClient } from "@prisma/client";
import { nextAttempt, type RetryPolicy } from "~/domain/retry";
import type { FailureCode } from "~/domain/failure-codes";
import { SKIP_REASON_STATUS, skipFields, type SkipReason } from "~/domain/skip-reasons";
import type { Logger } from "~/platform/logger.server";
import { followUpSkipped } from "~/platform/metrics.server";
import { providerOf } from "~/db.server";
import { flowTriggerFireStatement, followUpSentAfterHandover, type FlowTriggerFireInput } from "../flow-triggers/fires.server";
import { claimEndStatement, writeWhileClaimed } from "./dispatch-sql.server";
import type { GateResult } from "./gates";
import type { Claim, ClaimedFollowUp, Outcome } from "./types";

export type FollowUpRecords = ReturnType<typeof createFollowUpRecords>;

export function createFollowUpRecords({
  prisma,
  now,
  policy,
  leaseMs,
  log,
}: {
  prisma: PrismaClient;
  now: () => Date;
  policy: RetryPolicy;
  leaseMs: number;
  log: Logger;
}) {
  async function event(followUpId: string, type: string, detail: string | null, at = now()) {
    await prisma.followUpEvent.create({ data: { followUpId, type, detail, at } });
  }

  // The claim's end, the Flow trigger of what it records and the rows that go with it (a review
  // request's products), in one transaction: the trigger row is written only if the fact is
  // (fires.server.ts checks the shop uses the trigger).
  async function endWith(
    claim: Claim,
    data: Record<string, unknown>,
    flowTrigger: FlowTriggerFireInput | undefined,
    also: (at: Date) => Prisma.PrismaPromise<unknown>[],
  ): Promise<number> {
    const at = now();
    const [count] = (await prisma.$transaction([
      claimEndStatement(prisma, { id: claim.id, token: claim.token, at, data, release: true }),
      ...(flowTrigger ? [flowTriggerFireStatement(prisma, flowTrigger, { at, dialect: providerOf(prisma) })] : []),
      ...also(at),
    ])) as [number, ...unknown[]];
    return count;
  }

  // `ev` null: the row itself is the record (a sent follow-up carries sentAt and the message id).
  // `also`: statements written with the record only if the claim is still ours (they go first
  // into the same transaction, which a lost claim rolls back).
  async function finish(
    claim: Claim,
    data: Record<string, unknown>,
    ev: { type: string; detail: string | null } | null,
    flowTrigger?: FlowTriggerFireInput,
    also?: (at: Date) => Prisma.PrismaPromise<unknown>[],
  ): Promise<boolean> {
    const count =
      flowTrigger || also
        ? await endWith(claim, data, flowTrigger, also ?? (() => []))
        : await writeWhileClaimed(prisma, { id: claim.id, token: claim.token, at: now(), data, release: true });
    if (count === 1 && ev) await event(claim.id, ev.type, ev.detail);
    if (count !== 1) log.warn("lost the claim before finishing", { followUpId: claim.id, outcome: ev?.type ?? "sent" });
    return count === 1;
  }

  // The provider has accepted the email: a passing database outage must not keep us from recording
  // it, or the lease would run out and the follow-up go out twice. Retry while the lease holds.
  async function whileLeaseHolds(followUp: ClaimedFollowUp, write: () => Promise<boolean>): Promise<boolean> {
    const until = (followUp.leaseUntil?.getTime() ?? Date.now() + leaseMs) - 1_000;
    for (let delay = 100; ; delay = Math.min(delay * 2, 2_000)) {
      try {
        return await write();
      } catch (err) {
        if (Date.now() + delay > until) throw err;
        log.warn("recording a sent follow-up failed; trying again", { followUpId: followUp.id, err });
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  // Every follow-up that is not sent keeps the reason a merchant reads and its code.
  async function skip(claim: Claim, reason: SkipReason): Promise<Outcome> {
    const status = SKIP_REASON_STATUS[reason.code];
    followUpSkipped(reason.code);
    const fields = skipFields(reason);
    return (await finish(claim, { status, ...fields }, { type: status, detail: fields.skipReason })) ? "skipped" : "lost";
  }

  // `code` is kept beside the text, in its own table: the message page decides on it.
  async function fail(claim: Claim, { detail, code, fields = {} }: { detail: string; code: FailureCode; fields?: Record<string, unknown> }): Promise<Outcome> {
    const skipped = skipFields({ code: "send_failed", error: detail, attempts: claim.attempt });
    const ok = await finish(claim, { status: "failed", lastError: detail, ...skipped, ...fields }, { type: "failed", detail });
    if (ok) {
      const at = now();
      await prisma.followUpFailure.upsert({ where: { followUpId: claim.id }, create: { followUpId: claim.id, code, at }, update: { code, at } });
    }
    return ok ? "failed" : "lost";
  }

  async function retryOrFail(
    claim: Claim,
    { error, code, notBefore, fields = {} }: { error: string; code: FailureCode; notBefore?: Date | null; fields?: Record<string, unknown> },
  ): Promise<Outcome> {
    const decision = nextAttempt({ attempt: claim.attempt, now: now(), policy, notBefore });
    if (decision.retry && decision.at) {
      const ok = await finish(
        claim,
        { status: "scheduled", nextAttemptAt: decision.at, lastError: error, ...fields },
        { type: "retry", detail: `${error} Next attempt at ${decision.at.toISOString()}.` },
      );
      return ok ? "retried" : "lost";
    }
    return fail(claim, { detail: `${error} Gave up after ${claim.attempt} attempts.`, code, fields });
  }

  // Back to the queue without using an attempt.
  async function handBack(
    claim: Claim,
    { until, lastError, ev, extra = {} }: { until: Date; lastError?: string; ev: { type: string; detail: string } | null; extra?: Record<string, unknown> },
  ) {
    return finish(claim, { status: "scheduled", nextAttemptAt: until, attempts: claim.attempt - 1, ...(lastError ? { lastError } : {}), ...extra }, ev);
  }

  // What a gate that stopped the follow-up decided, written down.
  async function settle(claim: Claim, result: Exclude<GateResult, { kind: "continue" }>): Promise<Outcome> {
    switch (result.kind) {
      case "skip":
        return skip(claim, result.reason);
      case "fail":
        return fail(claim, { detail: result.reason, code: result.code });
      case "retry":
        return retryOrFail(claim, { error: result.reason, code: result.code });
      case "hold": {
        // A hold with a skip reason keeps it as the follow-up's reason; without, as its last error.
        const ok = await handBack(
          claim,
          result.skip
            ? { until: result.until, ev: result.event ? { type: result.event, detail: result.reason } : null, extra: { ...skipFields(result.skip), lastError: null } }
            : { until: result.until, ...(result.event ? { ev: { type: result.event, detail: result.reason } } : { ev: null, lastError: result.reason }) },
        );
        return ok ? (result.returned ? "returned" : "retried") : "lost";
      }
      case "confirmed": {
        // Sent after all: Shopify Flow hears "Follow-up sent" as from any send (once per follow-up: the factKey).
        const flowTrigger = await followUpSentAfterHandover(prisma, claim.id);
        const ok = await finish(
          claim,
          { status: "sent", sentAt: result.sentAt, messageId: result.messageId, transport: result.provider, lastError: null, handedOverAt: null },
          { type: "confirmed", detail: result.reason },
          flowTrigger,
        );
        return ok ? "sent" : "lost";
      }
    }
  }

  return { event, finish, whileLeaseHolds, skip, fail, retryOrFail, handBack, settle };
}
