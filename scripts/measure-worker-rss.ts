// npm run measure:worker-rss — a worker's resident memory as production runs it (plain node on
// build/node/) beside the TypeScript source through tsx (how `npm run worker` ran before the
// build), in one run on one machine: idle after start, then after dispatching N follow-ups
// through BullMQ to the SendGrid stand-in (resident now, and the peak while sending).
// MEASURE_EMAILS (default 300), MEASURE_ROUNDS (default 3; each round starts both kinds, in
// turn), DATABASE_URL (default a fresh SQLite file).
import { setupScenario, waitUntil, type Scenario } from "./faults/scenario";
import type { WorkerProcess } from "./faults/services";

const N = Number(process.env.MEASURE_EMAILS || 300);
const ROUNDS = Number(process.env.MEASURE_ROUNDS || 3);
const KINDS = [
  { name: "node build/node/scripts/worker.js", fromSource: false },
  { name: "node --import tsx scripts/worker.ts", fromSource: true },
];

const mb = (kb: number) => (kb / 1024).toFixed(1);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function measure(s: Scenario, fromSource: boolean) {
  // As bench/dispatch-workers.ts does: the worker starts with nothing due and an empty queue.
  await s.reset(() => new Date(Date.now() + 86_400_000));
  s.redis.cli("flushall");
  const [worker]: WorkerProcess[] = await s.startWorkers(1, { WORKER_CONCURRENCY: "8", RECONCILE_INTERVAL_MS: "600000" }, { fromSource });
  // Idle: a few seconds after "ready", its start-up work done.
  await sleep(5_000);
  const idleKb = worker.rssKb();
  const now = Date.now();
  await s.reset(() => new Date(now));
  const started = Date.now();
  await s.enqueueAll();
  await waitUntil(`${N} emails at the stand-in`, async () => (await s.counts()).total >= N, 10 * 60_000, 250);
  const seconds = (Date.now() - started) / 1000;
  await sleep(1_000);
  const afterKb = worker.rssKb();
  const peakKb = worker.peakRssKb();
  const exit = await worker.stop();
  if (exit !== 0) throw new Error(`the worker exited ${exit} on SIGTERM:\n${worker.logs.slice(-5).join("\n")}`);
  return { idleKb, afterKb, peakKb, seconds };
}

async function main() {
  const s = await setupScenario({ emails: N });
  try {
    const rows: { kind: string; round: number; idleKb: number; afterKb: number; peakKb: number; seconds: number }[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      for (const kind of KINDS) {
        const r = await measure(s, kind.fromSource);
        rows.push({ kind: kind.name, round, ...r });
        console.log(`${kind.name} (round ${round}): idle ${mb(r.idleKb)} MB, after ${N} emails ${mb(r.afterKb)} MB (peak ${mb(r.peakKb)} MB), ${r.seconds.toFixed(1)} s`);
      }
    }
    console.log(`\nWorker RSS, ${N} emails, ${s.database}, ${ROUNDS} round(s), medians:`);
    console.log("| worker | idle MB | after sending MB | peak MB |\n| --- | --- | --- | --- |");
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
    for (const kind of KINDS) {
      const mine = rows.filter((r) => r.kind === kind.name);
      console.log(`| ${kind.name} | ${mb(median(mine.map((r) => r.idleKb)))} | ${mb(median(mine.map((r) => r.afterKb)))} | ${mb(median(mine.map((r) => r.peakKb)))} |`);
    }
  } finally {
    await s.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
