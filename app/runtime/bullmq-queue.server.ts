// Distributed mode: follow-ups travel as BullMQ jobs on Redis, one delayed job per follow-up with
// the follow-up id as job id (enqueueing twice gives one job). The database stays the record of
// truth: a job only names a follow-up, the dispatcher's lease decides who sends it, and a
// reconciler puts back whatever Redis lost. The only module that imports bullmq and ioredis.
import { randomUUID } from "node:crypto";
import type { PrismaClient } from "@prisma/client";
import { DelayedError, Queue, Worker, type Job } from "bullmq";
import { Redis, type RedisOptions } from "ioredis";
import type { Dispatcher } from "~/services/dispatch/dispatcher.server";
import { logger as rootLogger, type Logger } from "~/platform/logger.server";
import type { FollowUpQueue, ScheduledFollowUp } from "./polling-queue.server";

export const FOLLOW_UP_QUEUE = "follow-ups";
const JOB_NAME = "send-follow-up";

interface FollowUpJob {
  followUpId: string;
}

export interface SendRateLimit {
  max: number;
  durationMs: number;
}

export interface BullMqQueueOptions {
  redisUrl: string;
  prisma: PrismaClient;
  // Keys live under `<prefix>:follow-ups:*`; several deployments (or tests) can share one Redis.
  prefix?: string;
  // Web processes only enqueue; workers also dispatch and reconcile.
  role: "web" | "worker";
  dispatcher?: Dispatcher;
  concurrency?: number;
  // Shared by every worker of the queue: SendGrid's limit is per account, not per process.
  sendRateLimit?: SendRateLimit | null;
  reconcileIntervalMs?: number;
  // How far ahead the reconciler enqueues scheduled follow-ups the queue lacks.
  reconcileLookaheadMs?: number;
  // On SIGTERM: how long in-flight follow-ups may take before the unsent ones are handed back.
  shutdownTimeoutMs?: number;
  // A worker killed mid-job leaves its job active; after this long another worker takes it.
  lockMs?: number;
  // A webhook must not wait on a slow or absent Redis; the reconciler covers a missed enqueue.
  enqueueTimeoutMs?: number;
  logger?: Logger;
}

export interface BullMqFollowUpQueue extends FollowUpQueue {
  readonly kind: "bullmq";
  // Enqueues scheduled follow-ups due soon (and expired claims) that Redis does not hold.
  reconcile(): Promise<{ checked: number; enqueued: number; skipped?: "locked" }>;
  // Jobs per state, for operators and tests.
  counts(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export function redisConnection(url: string, options: RedisOptions = {}): Redis {
  // BullMQ workers block on Redis and must wait out reconnects rather than fail commands.
  return new Redis(url, { maxRetriesPerRequest: null, ...options });
}

export function createBullMqQueue(opts: BullMqQueueOptions): BullMqFollowUpQueue {
  const prefix = opts.prefix ?? "afterglow";
  const log = (opts.logger ?? rootLogger).child({ component: "bullmq-queue", role: opts.role });
  const reconcileIntervalMs = opts.reconcileIntervalMs ?? 30_000;
  const lookaheadMs = opts.reconcileLookaheadMs ?? 2 * reconcileIntervalMs;
  const enqueueTimeoutMs = opts.enqueueTimeoutMs ?? 2_000;
  const shutdownTimeoutMs = opts.shutdownTimeoutMs ?? 10_000;
  const workerName = opts.dispatcher?.workerId ?? `web-${process.pid}-${randomUUID().slice(0, 8)}`;

  // Web: fail fast while Redis is away (the follow-up is already committed). Worker: wait for it.
  const connection = redisConnection(
    opts.redisUrl,
    opts.role === "web" ? { enableOfflineQueue: false, maxRetriesPerRequest: 1 } : {},
  );
  connection.on("error", (err) => log.warn("redis connection error", { err }));
  const queue = new Queue<FollowUpJob>(FOLLOW_UP_QUEUE, { connection, prefix });
  queue.on("error", (err) => log.warn("queue error", { err }));

  let worker: Worker<FollowUpJob> | null = null;
  let reconcileTimer: NodeJS.Timeout | null = null;
  let reconciling: Promise<unknown> | null = null;
  const inFlight = new Set<AbortController>();

  function jobFor(f: ScheduledFollowUp, now: number) {
    return {
      name: JOB_NAME,
      data: { followUpId: f.id },
      opts: {
        jobId: f.id,
        delay: Math.max(0, f.dueAt.getTime() - now),
        // Finished jobs go away, so the reconciler can tell "not in Redis" from "done".
        removeOnComplete: true,
        removeOnFail: true,
        // A job fails only when the database or Redis itself failed; try again soon.
        attempts: 5,
        backoff: { type: "exponential", delay: 1_000 },
      },
    };
  }

  async function enqueue(followUps: ScheduledFollowUp[]): Promise<void> {
    const now = Date.now();
    for (let i = 0; i < followUps.length; i += 500) {
      await queue.addBulk(followUps.slice(i, i + 500).map((f) => jobFor(f, now)));
    }
  }

  async function runJob(job: Job<FollowUpJob>, token?: string): Promise<string> {
    const controller = new AbortController();
    inFlight.add(controller);
    try {
      const result = await opts.dispatcher!.dispatchFollowUp({ id: job.data.followUpId, signal: controller.signal });
      if (result.lookAgainAt) {
        // Retries, send windows and other holders' leases are kept in the database; the job
        // just waits until then (a little past a lease, so it has surely run out).
        const margin = result.outcome === "held" || result.outcome === "lost" ? 50 : 0;
        await job.moveToDelayed(Math.max(Date.now(), result.lookAgainAt.getTime() + margin), token);
        throw new DelayedError();
      }
      return result.outcome;
    } finally {
      inFlight.delete(controller);
    }
  }

  async function reconcile(): Promise<{ checked: number; enqueued: number; skipped?: "locked" }> {
    // One reconciler at a time across all workers; the lock lapses by itself if its holder dies.
    const lockKey = `${prefix}:${FOLLOW_UP_QUEUE}:reconciler-lock`;
    const holder = `${workerName}:${randomUUID()}`;
    const locked = await connection.set(lockKey, holder, "PX", Math.max(1_000, reconcileIntervalMs), "NX");
    if (!locked) return { checked: 0, enqueued: 0, skipped: "locked" };
    let checked = 0;
    let enqueued = 0;
    let cursor: string | null = null;
    const now = new Date();
    const horizon = new Date(now.getTime() + lookaheadMs);
    for (;;) {
      const rows: { id: string; status: string; nextAttemptAt: Date; leaseUntil: Date | null }[] =
        await opts.prisma.followUp.findMany({
          where: {
            OR: [
              { status: "scheduled", nextAttemptAt: { lte: horizon } },
              { status: "sending", leaseUntil: { lt: now } },
            ],
          },
          select: { id: true, status: true, nextAttemptAt: true, leaseUntil: true },
          orderBy: { id: "asc" },
          take: 1_000,
          ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
        });
      if (rows.length === 0) break;
      checked += rows.length;
      cursor = rows[rows.length - 1].id;
      const pipeline = connection.pipeline();
      for (const r of rows) pipeline.exists(queue.toKey(r.id));
      const exists = (await pipeline.exec()) ?? [];
      const missing = rows.filter((_, i) => exists[i]?.[1] !== 1);
      if (missing.length) {
        await enqueue(missing.map((r) => ({ id: r.id, dueAt: r.status === "scheduled" ? r.nextAttemptAt : now })));
        enqueued += missing.length;
      }
      if (rows.length < 1_000) break;
    }
    if (enqueued) log.warn("reconciler enqueued follow-ups Redis did not hold", { checked, enqueued });
    return { checked, enqueued };
  }

  function scheduleReconcile(delayMs: number) {
    reconcileTimer = setTimeout(() => {
      reconciling = reconcile()
        .catch((err) => log.error("reconcile failed", { err }))
        .finally(() => {
          reconciling = null;
          if (reconcileTimer) scheduleReconcile(reconcileIntervalMs);
        });
    }, delayMs);
  }

  async function stop() {
    if (reconcileTimer) clearTimeout(reconcileTimer);
    reconcileTimer = null;
    await reconciling;
    if (worker) {
      // Stop taking jobs; in-flight ones finish, and those still unsent at the deadline are
      // handed back (lease released, job delayed for another worker).
      const closing = worker.close();
      const deadline = setTimeout(() => {
        if (inFlight.size) log.warn("shutdown deadline reached; handing back unsent follow-ups", { inFlight: inFlight.size });
        for (const c of inFlight) c.abort();
      }, shutdownTimeoutMs);
      await closing;
      clearTimeout(deadline);
      worker = null;
    }
  }

  return {
    kind: "bullmq",
    async followUpsScheduled(followUps) {
      if (followUps.length === 0) return;
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          enqueue(followUps),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer from Redis within ${enqueueTimeoutMs} ms`)), enqueueTimeoutMs);
          }),
        ]);
      } catch (err) {
        // Committed in the database already: the reconciler enqueues it before it is due.
        log.warn("could not enqueue follow-ups; the reconciler will", { err, followUps: followUps.length });
      } finally {
        clearTimeout(timer);
      }
    },
    async start() {
      if (opts.role !== "worker" || worker) return;
      if (!opts.dispatcher) throw new Error("A BullMQ worker needs a dispatcher.");
      worker = new Worker<FollowUpJob>(FOLLOW_UP_QUEUE, runJob, {
        connection: redisConnection(opts.redisUrl),
        prefix,
        name: workerName,
        concurrency: opts.concurrency ?? 8,
        ...(opts.sendRateLimit ? { limiter: { max: opts.sendRateLimit.max, duration: opts.sendRateLimit.durationMs } } : {}),
        lockDuration: opts.lockMs ?? 30_000,
        stalledInterval: opts.lockMs ?? 30_000,
        // A stalled job is only a hint: the database lease decides, so let it come back often.
        maxStalledCount: 100,
        removeOnComplete: { count: 0 },
        removeOnFail: { count: 0 },
      });
      worker.on("error", (err) => log.warn("worker error", { err }));
      worker.on("failed", (job, err) => log.warn("job failed", { followUpId: job?.data.followUpId, err }));
      scheduleReconcile(Math.min(1_000, reconcileIntervalMs));
      log.info("worker started", { concurrency: opts.concurrency ?? 8, sendRateLimit: opts.sendRateLimit ?? null });
    },
    stop,
    reconcile,
    async counts() {
      return queue.getJobCounts("wait", "active", "delayed", "prioritized", "completed", "failed");
    },
    // Jobs ready to run and not yet taken by a worker (delayed jobs are not due yet).
    async depth() {
      const c = await queue.getJobCounts("wait", "prioritized");
      return (c.wait ?? 0) + (c.prioritized ?? 0);
    },
    async close() {
      await stop();
      await queue.close();
      connection.disconnect();
    },
  };
}
