// Runs one fault scenario end to end: N due follow-ups, workers dispatching them through Redis,
// a fault injected mid-run, then recovery. Exits non-zero if any follow-up's email is missing at
// the SendGrid stand-in or arrived twice, and stops by itself at FAULT_TIMEOUT_MS.
// FAULT_EMAILS sets N; DATABASE_URL picks the database (default: a fresh SQLite file).
import { setupScenario, waitUntil, type Scenario } from "./scenario";
import type { WorkerProcess } from "./services";

export interface FaultContext {
  scenario: Scenario;
  workers: WorkerProcess[];
  emails: number;
  log(msg: string): void;
  // Resolves once the stand-in holds at least this share of the emails.
  progress(share: number): Promise<void>;
}

export interface FaultScript {
  name: string;
  emails: number;
  workers?: number;
  databaseUrl?: string;
  workerEnv?: Record<string, string>;
  inject(ctx: FaultContext): Promise<void>;
  // Run the app and SendGrid's Event Webhook beside the workers, as deployed (default on): a
  // worker that could not record SendGrid's acceptance (killed, or its database gone) leaves the
  // next one to learn of it from SendGrid's events.
  eventWebhook?: boolean;
  // A Postmark stand-in beside SendGrid's, the workers failing over to it (scenario.ts).
  postmark?: boolean;
}

export async function runFault(fault: FaultScript): Promise<number> {
  const started = Date.now();
  const timeoutMs = Number(process.env.FAULT_TIMEOUT_MS || 10 * 60_000);
  const log = (msg: string) => console.log(`[${fault.name} ${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}`);
  const killer = setTimeout(() => {
    console.error(`[${fault.name}] gave up after ${timeoutMs / 1000} s`);
    process.exit(3);
  }, timeoutMs);
  killer.unref();

  const scenario = await setupScenario({ emails: fault.emails, databaseUrl: fault.databaseUrl, log, eventWebhook: fault.eventWebhook ?? true, postmark: fault.postmark });
  let code = 1;
  try {
    const env = {
      WORKER_CONCURRENCY: "8",
      DISPATCH_LEASE_MS: "15000",
      WORKER_LOCK_MS: "5000",
      RECONCILE_INTERVAL_MS: "3000",
      ...fault.workerEnv,
    };
    const now = Date.now();
    await scenario.reset(() => new Date(now));
    const workers = await scenario.startWorkers(fault.workers ?? 2, env);
    log(`${workers.length} workers up (pids ${workers.map((w) => w.pid).join(", ")}); enqueueing ${fault.emails} due follow-ups`);
    await scenario.enqueueAll();
    const ctx: FaultContext = {
      scenario,
      workers,
      emails: fault.emails,
      log,
      progress: (share) =>
        waitUntil(`${Math.round(share * 100)}% of the emails`, async () => (await scenario.counts()).total >= share * fault.emails, timeoutMs, 100),
    };
    await fault.inject(ctx);

    // Recovery: every follow-up sent in the database and mailed at the stand-in.
    let last = -1;
    await waitUntil(
      "every follow-up to be sent",
      async () => {
        const open = await scenario.prisma.followUp.count({ where: { status: { in: ["scheduled", "sending"] } } });
        const { total } = await scenario.counts();
        if (total !== last) log(`stand-in holds ${total} emails; ${open} follow-ups not finished`);
        last = total;
        return open === 0;
      },
      timeoutMs,
      2_000,
    );
    // Late duplicates would arrive now, if any worker still held a stale claim.
    await new Promise((r) => setTimeout(r, 3_000));
    code = await report({ s: scenario, log });
    const exits = await Promise.all(workers.map((w) => w.stop()));
    exits.forEach((exit, i) => {
      if (exit === 0 || exit === null) return;
      // A worker that could not shut down cleanly says why in its last lines.
      log(`worker ${workers[i].pid} exited ${exit} on SIGTERM; its last log lines:`);
      for (const line of workers[i].logs.slice(-5)) log(`  ${line.slice(0, 400)}`);
    });
  } finally {
    await scenario.close();
  }
  log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return code;
}

async function report({ s, log }: { s: Scenario; log: (msg: string) => void }): Promise<number> {
  const { sent, missing, duplicates } = await s.verify();
  const statuses = await s.prisma.followUp.groupBy({ by: ["status"], _count: true });
  log(`database: ${statuses.map((g) => `${g._count} ${g.status}`).join(", ")}`);
  log(`stand-in: ${sent} emails for ${s.followUpIds.length} follow-ups; ${missing.length} missing, ${duplicates.length} sent twice`);
  const { byProvider } = await s.counts();
  if (byProvider.postmark) log(`by provider: ${byProvider.sendgrid} through SendGrid, ${byProvider.postmark} through Postmark`);
  // The scenario's database holds only its own follow-ups.
  const confirmed = await s.prisma.followUpEvent.count({ where: { type: "confirmed" } });
  const resent = await s.prisma.followUpEvent.count({ where: { type: "resending" } });
  if (confirmed || resent) log(`${confirmed} follow-ups recorded from SendGrid's events instead of being sent again; ${resent} sent again for want of an event`);
  const notSent = statuses.filter((g) => g.status !== "sent").reduce((n, g) => n + g._count, 0);
  const ok = missing.length === 0 && duplicates.length === 0 && notSent === 0;
  if (missing.length) log(`missing: ${missing.slice(0, 10).join(", ")}${missing.length > 10 ? ", …" : ""}`);
  if (duplicates.length) log(`sent twice: ${duplicates.slice(0, 10).join(", ")}${duplicates.length > 10 ? ", …" : ""}`);
  log(ok ? "PASS: exactly one email per follow-up" : "FAIL");
  return ok ? 0 : 1;
}

export function main(fault: () => FaultScript) {
  runFault(fault()).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}

export const faultEmails = (fallback: number) => Number(process.env.FAULT_EMAILS || fallback);
