// npm run bench:dispatch:workers — distributed mode: N due follow-ups dispatched by 1, 2 and 4
// `npm run worker` processes through BullMQ on Redis, beside a bare loop of render() plus one
// POST to the same SendGrid stand-in, all in one run. Reports emails per second (and as ratios
// to one worker and to the bare loop), lateness p99 (sent time minus due time) for a backlog and
// for follow-ups falling due at a steady rate, and peak RSS per worker.
// Then again with each worker limited to BENCH_WORKER_CPUS cores (a CPU cgroup, as a container
// limit): on a small machine the workers otherwise compete for cores with PostgreSQL, Redis and
// both stand-ins, and the ratio would measure the machine. CPU time per email is reported for
// every process, with how busy the machine was.
// Goals: 2 workers at least 1.6x one worker when the stand-in is not the bottleneck; lateness
// p99 under 5 s at a steady rate.
// BENCH_EMAILS (default 10000), BENCH_WORKERS (default "1,2,4"), WORKER_CONCURRENCY (default 8),
// BENCH_PACED_SECONDS (default 20), BENCH_WORKER_CPUS (default 0.5; 0 leaves the limited series
// out), BENCH_CAPPED_WORKERS (default "1,2"), DATABASE_URL (default a fresh SQLite file).
import os from "node:os";
import { randomUUID } from "node:crypto";
import { SIMULATOR_SHOP, createSeedStore } from "../simulator/store";
import { renderFollowUp } from "../app/email/render.server";
import type { RecommendedProduct } from "../app/domain/recommendations.types";
import { setupScenario, waitUntil, type Scenario } from "../scripts/faults/scenario";
import { cpuLimitAvailable } from "../scripts/faults/services";
import { cpuMeter, envNumber, fmt, pidsNamed, printTable, summarize, writeResult } from "./lib";

const N = envNumber("BENCH_EMAILS", 10_000);
const WORKERS = (process.env.BENCH_WORKERS ?? "1,2,4").split(",").map(Number);
const CONCURRENCY = envNumber("WORKER_CONCURRENCY", 8);
const PACED_SECONDS = envNumber("BENCH_PACED_SECONDS", 20);
const WORKER_CPUS = envNumber("BENCH_WORKER_CPUS", 0.5);
const CAPPED_WORKERS = (process.env.BENCH_CAPPED_WORKERS ?? "1,2").split(",").map(Number);

// The same email (four recommendations, a real shop footer) rendered and posted, nothing else,
// with `parallel` loops at once (one process).
async function bare(standInUrl: string, count: number, parallel: number): Promise<number> {
  const store = createSeedStore();
  const products = store.products.filter((p) => p.status === "ACTIVE" && p.onlineStoreUrl);
  const recommendations: RecommendedProduct[] = products.slice(0, 4).map((p) => ({
    id: p.id,
    title: p.title,
    url: p.onlineStoreUrl!,
    imageUrl: p.image?.url ?? null,
    imageAlt: p.title,
    price: { amount: p.variants[0].price, currencyCode: store.shop.currencyCode },
    source: "complementary",
  }));
  const customer = store.customers.find((c) => c.defaultEmailAddress?.emailAddress)!;
  let next = 0;
  const started = performance.now();
  async function loop() {
    while (next < count) {
      const i = next++;
      const { html, text } = await renderFollowUp({
        template: "thank-you",
        content: null,
        customerLocale: null,
        shopLocale: null,
        shop: { name: store.shop.name, url: store.shop.primaryDomain.url, address: "ul. Złota 44, Warszawa" },
        customer: { firstName: customer.firstName },
        order: { name: `#${i}`, currency: store.shop.currencyCode },
        purchased: [],
        recommendations,
        utm: { source: "afterglow", medium: "email", campaign: "thank-you" },
      });
      const res = await fetch(`${standInUrl}/v3/mail/send`, {
        method: "POST",
        headers: { Authorization: "Bearer SG.bench", "Content-Type": "application/json" },
        body: JSON.stringify({
          personalizations: [{ to: [{ email: customer.defaultEmailAddress!.emailAddress }] }],
          from: { email: store.shop.email, name: store.shop.name },
          subject: `Thank you for your order #${i}`,
          content: [
            { type: "text/plain", value: text },
            { type: "text/html", value: html },
          ],
          custom_args: { followUpId: `bare-${randomUUID()}` },
        }),
      });
      if (res.status !== 202) throw new Error(`stand-in answered ${res.status}`);
      await res.arrayBuffer();
    }
  }
  await Promise.all(Array.from({ length: parallel }, loop));
  return count / ((performance.now() - started) / 1000);
}

// How fast the stand-in alone accepts one prebuilt email, from 16 connections at once.
async function standInCapacity(standInUrl: string, count: number): Promise<number> {
  const body = JSON.stringify({
    personalizations: [{ to: [{ email: "capacity@example.com" }] }],
    from: { email: "shop@example.com" },
    subject: "capacity",
    content: [
      { type: "text/plain", value: "x".repeat(2_000) },
      { type: "text/html", value: `<p>${"x".repeat(20_000)}</p>` },
    ],
    custom_args: { followUpId: "capacity" },
  });
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next++ < count) {
        const res = await fetch(`${standInUrl}/v3/mail/send`, {
          method: "POST",
          headers: { Authorization: "Bearer SG.bench", "Content-Type": "application/json" },
          body,
        });
        await res.arrayBuffer();
      }
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

async function sentStats(s: Scenario, ids: string[]) {
  const rows: { dueAt: Date; sentAt: Date | null }[] = [];
  // SQLite takes at most ~32k bound values per statement (Prisma's P2029 above that).
  for (let i = 0; i < ids.length; i += 500) {
    rows.push(...(await s.prisma.followUp.findMany({ where: { id: { in: ids.slice(i, i + 500) } }, select: { dueAt: true, sentAt: true } })));
  }
  const sent = rows.filter((r) => r.sentAt);
  const lateness = sent.map((r) => Math.max(0, r.sentAt!.getTime() - r.dueAt.getTime()));
  const lastSent = Math.max(...sent.map((r) => r.sentAt!.getTime()));
  return { sent: sent.length, lateness: summarize(lateness), lastSent };
}

async function countSent(s: Scenario): Promise<number> {
  let n = 0;
  for (let i = 0; i < s.followUpIds.length; i += 500) {
    n += await s.prisma.followUp.count({ where: { id: { in: s.followUpIds.slice(i, i + 500) }, status: "sent" } });
  }
  return n;
}

// Watched at the stand-in (a counter in its process), then confirmed once in the database:
// polling the database for 10k rows every half second would load the machine being measured.
async function sentEverywhere(s: Scenario, n: number, what: string, timeoutMs: number) {
  await waitUntil(`${what} (stand-in)`, async () => (await s.counts()).total >= n, timeoutMs, 250);
  await waitUntil(`${what} (database)`, async () => (await countSent(s)) >= n, 60_000, 500);
}

interface SetupResult {
  workers: number;
  cpus: number | null;
  rate: number;
  backlog: Awaited<ReturnType<typeof sentStats>>;
  steady: Awaited<ReturnType<typeof sentStats>> | null;
  pacedRate: number | null;
  rssMb: number[];
  cpu: ReturnType<ReturnType<typeof cpuMeter>["stop"]>;
  duplicatesAtStandIn: number;
}

// One setup: `w` workers (each limited to `cpus` cores when given) take a backlog of every
// follow-up due at once; then, with `paced`, follow-ups fall due at half that rate.
async function measure(s: Scenario, w: number, { cpus, paced }: { cpus?: number; paced: boolean }): Promise<SetupResult> {
  // The workers start idle (nothing due) so their start-up is not measured; their reconciler
  // stays out of it.
  await s.reset(() => new Date(Date.now() + 86_400_000));
  s.redis.cli("flushall");
  const workers = await s.startWorkers(w, { WORKER_CONCURRENCY: String(CONCURRENCY), RECONCILE_INTERVAL_MS: "600000" }, { cpus });
  const now = Date.now();
  await s.reset(() => new Date(now));
  const meter = cpuMeter(() => ({
    workers: workers.map((x) => x.pid),
    ...(s.database === "postgresql" ? { postgresql: pidsNamed("postgres") } : {}),
    ...s.servicePids(),
  }));
  const started = Date.now();
  await s.enqueueAll();
  await sentEverywhere(s, N, `${N} sent by ${w} worker(s)`, 30 * 60_000);
  const cpu = meter.stop();
  const backlog = await sentStats(s, s.followUpIds);
  const rate = N / ((backlog.lastSent - started) / 1000);

  let steady: SetupResult["steady"] = null;
  let pacedRate: number | null = null;
  if (paced) {
    // Follow-ups falling due at half this setup's throughput, enqueued ahead as delayed jobs
    // (as intake does); lateness p99 is the goal here.
    pacedRate = rate / 2;
    const count = Math.min(N, Math.round(pacedRate * PACED_SECONDS));
    const begin = Date.now() + 3_000;
    await s.reset((i) => new Date(i < count ? begin + Math.floor((i / pacedRate!) * 1000) : Date.now() + 86_400_000));
    s.redis.cli("flushall");
    await s.enqueueAll();
    const pacedIds = s.followUpIds.slice(0, count);
    await sentEverywhere(s, count, "the paced follow-ups", 10 * 60_000);
    steady = await sentStats(s, pacedIds);
  }
  const rssMb = workers.map((x) => x.peakRssKb() / 1024);
  await Promise.all(workers.map((x) => x.stop()));
  const verdict = await s.verify();
  console.log(
    `CPU per email (ms), ${w} worker(s)${cpus ? ` of ${cpus} core each` : ""}: ` +
      Object.entries(cpu.bySeconds)
        .map(([k, v]) => `${k} ${fmt((v * 1000) / N, 2)}`)
        .join(", ") +
      `; machine ${fmt((100 * cpu.machineBusy) / cpu.machineSeconds, 0)} % busy`,
  );
  return { workers: w, cpus: cpus ?? null, rate, backlog, steady, pacedRate, rssMb, cpu, duplicatesAtStandIn: verdict.duplicates.length };
}

function row(r: SetupResult, base: number, bareRate: number): Record<string, string | number> {
  const others = Object.entries(r.cpu.bySeconds).filter(([k]) => k !== "workers").reduce((a, [, v]) => a + v, 0);
  return {
    workers: r.workers,
    "cores each": r.cpus ?? "all",
    "emails/s": fmt(r.rate),
    "x 1 worker": fmt(r.rate / base, 2),
    "x bare": fmt(r.rate / bareRate, 2),
    "backlog p99 s": fmt(r.backlog.lateness.p99 / 1000, 1),
    "steady /s": r.pacedRate ? fmt(r.pacedRate) : "-",
    "steady p50 s": r.steady ? fmt(r.steady.lateness.p50 / 1000, 2) : "-",
    "steady p99 s": r.steady ? fmt(r.steady.lateness.p99 / 1000, 2) : "-",
    "RSS MB/worker": fmt(r.rssMb.reduce((a, b) => a + b, 0) / r.rssMb.length, 0),
    "worker CPU ms/email": fmt((r.cpu.bySeconds.workers * 1000) / N, 2),
    "others CPU ms/email": fmt((others * 1000) / N, 2),
    "machine busy %": fmt((100 * r.cpu.machineBusy) / r.cpu.machineSeconds, 0),
  };
}

async function main() {
  const s = await setupScenario({ emails: N });
  // Consent is asked of Shopify per email; here the shop does not require it, so the numbers
  // measure our dispatch path rather than the store simulator.
  await s.prisma.shop.update({ where: { domain: SIMULATOR_SHOP }, data: { marketingConsentRequired: false } });
  try {
    const capacity = await standInCapacity(s.standInUrl, Math.min(N, 3_000));
    await bare(s.standInUrl, 200, 1); // warm-up
    const bareRate = await bare(s.standInUrl, Math.min(N, 2_000), 1);
    console.log(`\nStand-in alone: ${fmt(capacity)} emails/s; bare render+POST loop: ${fmt(bareRate)} emails/s`);

    // Workers on the whole machine: what this machine does, with PostgreSQL, Redis and both
    // stand-ins on the same 2 cores.
    const open: SetupResult[] = [];
    for (const w of WORKERS) {
      const r = await measure(s, w, { paced: true });
      open.push(r);
      console.log(JSON.stringify(row(r, open[0].rate, bareRate)));
    }
    // Each worker limited to WORKER_CPUS cores, as a container would be: the machine keeps
    // headroom, so the ratio shows how our workers scale rather than how many cores it has.
    const capped: SetupResult[] = [];
    if (WORKER_CPUS > 0 && cpuLimitAvailable()) {
      for (const w of CAPPED_WORKERS) {
        const r = await measure(s, w, { cpus: WORKER_CPUS, paced: false });
        capped.push(r);
        console.log(JSON.stringify(row(r, capped[0].rate, bareRate)));
      }
    } else if (WORKER_CPUS > 0) {
      console.log("\nNo writable CPU cgroup here (needs root): the series with a CPU limit per worker is left out.");
    }

    console.log(
      `\nDispatch with workers: ${N} follow-ups, WORKER_CONCURRENCY=${CONCURRENCY}, ${s.database}, Redis, ` +
        `${os.cpus().length} cores (load average ${os.loadavg()[0].toFixed(1)})\n`,
    );
    printTable([...open.map((r) => row(r, open[0].rate, bareRate)), ...capped.map((r) => row(r, capped[0].rate, bareRate))]);
    const rateOf = (rs: SetupResult[], w: number) => rs.find((r) => r.workers === w)?.rate ?? NaN;
    const busyOf = (rs: SetupResult[], w: number) => {
      const r = rs.find((x) => x.workers === w);
      return r ? (100 * r.cpu.machineBusy) / r.cpu.machineSeconds : NaN;
    };
    const scaling = rateOf(open, 2) / rateOf(open, 1);
    const cappedScaling = rateOf(capped, 2) / rateOf(capped, 1);
    const worstSteadyP99 = Math.max(...open.filter((r) => r.steady).map((r) => r.steady!.lateness.p99));
    console.log(`\nScaling 1 -> 2 workers on the whole machine: ${fmt(scaling, 2)}x (machine ${fmt(busyOf(open, 2), 0)} % busy with 2)`);
    console.log(`Scaling 1 -> 4 workers on the whole machine: ${fmt(rateOf(open, 4) / rateOf(open, 1), 2)}x`);
    if (capped.length) {
      console.log(
        `Scaling 1 -> 2 workers of ${WORKER_CPUS} core each: ${fmt(cappedScaling, 2)}x (goal >= 1.6 when neither the stand-in nor the ` +
          `machine is the bottleneck; machine ${fmt(busyOf(capped, 2), 0)} % busy with 2)`,
      );
    }
    console.log(`Stand-in capacity / fastest setup: ${fmt(capacity / Math.max(...open.map((r) => r.rate)), 2)} (above 1: the stand-in was not the bottleneck)`);
    console.log(`Steady-rate lateness p99, worst setup: ${fmt(worstSteadyP99 / 1000, 2)} s (goal < 5 s)`);
    writeResult("dispatch-workers", {
      emails: N,
      concurrency: CONCURRENCY,
      database: s.database,
      cores: os.cpus().length,
      loadAverage: os.loadavg(),
      standInCapacity: capacity,
      bare: bareRate,
      results: open,
      capped: { cpusPerWorker: WORKER_CPUS, results: capped },
      scaling1to2: scaling,
      scaling1to4: rateOf(open, 4) / rateOf(open, 1),
      scaling1to2Capped: cappedScaling,
    });
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
