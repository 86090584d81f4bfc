// How due follow-ups reach a dispatcher. The embedded default polls the database from the
// web process; with REDIS_URL, BullMQ (bullmq.server.ts) carries them to any number of workers.
import type { PrismaClient } from "@prisma/client";
import type { Dispatcher, DispatchSummary } from "~/services/dispatch/dispatcher.server";
import { logger as rootLogger, type Logger } from "~/platform/logger.server";

export interface ScheduledFollowUp {
  id: string;
  dueAt: Date;
}

export interface FollowUpQueue {
  readonly kind: string;
  // Intake calls this after its transaction commits.
  followUpsScheduled(followUps: ScheduledFollowUp[]): Promise<void>;
  start(): Promise<void>;
  // Resolves when the in-flight pass is done: nothing is left half-sent.
  stop(): Promise<void>;
  // Stops and lets go of connections (Redis), when the queue has any.
  close?(): Promise<void>;
  // Follow-ups due now and not yet taken by a dispatcher (the metrics' queue depth).
  depth(): Promise<number>;
}

export interface PollingQueueOptions {
  dispatcher: Dispatcher;
  prisma: Pick<PrismaClient, "followUp">;
  intervalMs?: number;
  batchSize?: number;
  logger?: Logger;
  onPass?: (summary: DispatchSummary) => void;
}

export function createPollingQueue({
  dispatcher,
  prisma,
  intervalMs = 5_000,
  batchSize = 50,
  logger = rootLogger,
  onPass,
}: PollingQueueOptions): FollowUpQueue {
  const log = logger.child({ component: "polling-queue" });
  let running = false;
  let timer: NodeJS.Timeout | null = null;
  let wakeAt = Infinity;
  let inFlight: Promise<void> | null = null;
  // A wake-up that came during a pass: the pass may have read the due rows before they existed.
  let wokenDuringPass = false;

  function schedule(delayMs: number) {
    if (!running) return;
    const at = Date.now() + delayMs;
    if (timer && at >= wakeAt) return;
    if (timer) clearTimeout(timer);
    wakeAt = at;
    timer = setTimeout(tick, Math.max(0, delayMs));
  }

  function tick() {
    timer = null;
    wakeAt = Infinity;
    if (inFlight) wokenDuringPass = true;
    if (!running || inFlight) return;
    inFlight = (async () => {
      try {
        // Keep going while passes are full: a backlog drains without waiting for the interval.
        for (;;) {
          const summary = await dispatcher.runOnce({ limit: batchSize });
          if (summary.claimed) onPass?.(summary);
          if (summary.claimed < batchSize || !running) break;
        }
      } catch (err) {
        log.error("dispatch pass failed", { err });
      } finally {
        inFlight = null;
        schedule(wokenDuringPass ? 0 : intervalMs);
        wokenDuringPass = false;
      }
    })();
  }

  return {
    kind: "polling",
    async followUpsScheduled(followUps) {
      if (!running || followUps.length === 0) return;
      const soonest = Math.min(...followUps.map((f) => f.dueAt.getTime()));
      if (soonest - Date.now() < intervalMs) schedule(Math.max(0, soonest - Date.now()));
    },
    async start() {
      if (running) return;
      running = true;
      schedule(0);
    },
    async depth() {
      return prisma.followUp.count({ where: { status: "scheduled", nextAttemptAt: { lte: new Date() } } });
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = null;
      await inFlight;
    },
  };
}
