// npm run bench:dispatch:workers — distributed mode: N due follow-ups dispatched by 1, 2 and 4
// `npm run worker` processes through BullMQ on Redis, beside a bare loop of render() plus one
// POST to the same SendGrid stand-in, all in one run. Reports emails per second (and as ratios
// to one worker and to the bare loop), lateness p99 (sent time minus due time) for a backlog and
// for follow-ups falling due at a steady rate, and peak RSS per worker.
// Goals: 2 workers at least 1.6x one worker when the stand-in is not the bottleneck; lateness
// p99 under 5 s at a steady rate.
// BENCH_EMAILS (default 10000), BENCH_WORKERS (default "1,2,4"), WORKER_CONCURRENCY (default 8),
// BENCH_PACED_SECONDS (default 20), DATABASE_URL (default a fresh SQLite file).
import os from "node:os";
import { randomUUID } from "node:crypto";
import { SIMULATOR_SHOP, createSeedStore } from "../simulator/store";
import { renderThankYouEmail } from "../app/email/render.server";
import type { RecommendedProduct } from "../app/domain/recommendations.types";
import { setupScenario, waitUntil, type Scenario } from "../scripts/faults/scenario";
import { envNumber, fmt, printTable, summarize, writeResult } from "./lib";

const N = envNumber("BENCH_EMAILS", 10_000);
const WORKERS = (process.env.BENCH_WORKERS ?? "1,2,4").split(",").map(Number);
const CONCURRENCY = envNumber("WORKER_CONCURRENCY", 8);
const PACED_SECONDS = envNumber("BENCH_PACED_SECONDS", 20);

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
      const { html, text } = await renderThankYouEmail({
        shop: { name: store.shop.name, url: store.shop.primaryDomain.url, address: "ul. Złota 44, Warszawa" },
        customer: { firstName: customer.firstName },
        order: { name: `#${i}`, currency: store.shop.currencyCode },
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

async function main() {
  const s = await setupScenario({ emails: N });
  // Consent is asked of Shopify per email; here the shop does not require it, so the numbers
  // measure our dispatch path rather than the store simulator.
  await s.prisma.shop.update({ where: { domain: SIMULATOR_SHOP }, data: { marketingConsentRequired: false } });
  const rows: Record<string, string | number>[] = [];
  const results: Record<string, unknown>[] = [];
  try {
    const capacity = await standInCapacity(s.standInUrl, Math.min(N, 3_000));
    await bare(s.standInUrl, 200, 1); // warm-up
    const bareRate = await bare(s.standInUrl, Math.min(N, 2_000), 1);
    console.log(`\nStand-in alone: ${fmt(capacity)} emails/s; bare render+POST loop: ${fmt(bareRate)} emails/s`);

    let oneWorker = NaN;
    for (const w of WORKERS) {
      // Backlog: everything due now, enqueued at once; throughput and lateness. The workers start
      // idle (nothing due) so their start-up is not measured; their reconciler stays out of it.
      await s.reset(() => new Date(Date.now() + 86_400_000));
      s.redis.cli("flushall");
      const workers = await s.startWorkers(w, { WORKER_CONCURRENCY: String(CONCURRENCY), RECONCILE_INTERVAL_MS: "600000" });
      const now = Date.now();
      await s.reset(() => new Date(now));
      const started = Date.now();
      await s.enqueueAll();
      await sentEverywhere(s, N, `${N} sent by ${w} worker(s)`, 30 * 60_000);
      const backlog = await sentStats(s, s.followUpIds);
      const rate = N / ((backlog.lastSent - started) / 1000);
      if (w === WORKERS[0]) oneWorker = rate;

      // Steady: follow-ups falling due at half this setup's throughput, enqueued ahead as
      // delayed jobs (as intake does); lateness p99 is the goal here.
      const pacedRate = rate / 2;
      const paced = Math.min(N, Math.round(pacedRate * PACED_SECONDS));
      const begin = Date.now() + 3_000;
      await s.reset((i) => new Date(i < paced ? begin + Math.floor((i / pacedRate) * 1000) : Date.now() + 86_400_000));
      s.redis.cli("flushall");
      await s.enqueueAll();
      const pacedIds = s.followUpIds.slice(0, paced);
      await sentEverywhere(s, paced, "the paced follow-ups", 10 * 60_000);
      const steady = await sentStats(s, pacedIds);
      const rss = workers.map((x) => x.peakRssKb() / 1024);
      await Promise.all(workers.map((x) => x.stop()));
      const verdict = await s.verify();

      const row = {
        workers: w,
        "emails/s": fmt(rate),
        [`x ${WORKERS[0]} worker`]: fmt(rate / oneWorker, 2),
        "x bare": fmt(rate / bareRate, 2),
        "backlog p99 s": fmt(backlog.lateness.p99 / 1000, 1),
        "steady /s": fmt(pacedRate),
        "steady p50 s": fmt(steady.lateness.p50 / 1000, 2),
        "steady p99 s": fmt(steady.lateness.p99 / 1000, 2),
        "RSS MB/worker": fmt(rss.reduce((a, b) => a + b, 0) / rss.length, 0),
      };
      rows.push(row);
      results.push({ workers: w, rate, backlog, steady, pacedRate, rssMb: rss, duplicatesAtStandIn: verdict.duplicates.length });
      console.log(JSON.stringify(row));
    }

    console.log(
      `\nDispatch with workers: ${N} follow-ups, WORKER_CONCURRENCY=${CONCURRENCY}, ${s.database}, Redis, ` +
        `${os.cpus().length} cores (load average ${os.loadavg()[0].toFixed(1)})\n`,
    );
    printTable(rows);
    const rate = (w: number) => (results.find((r) => r.workers === w)?.rate as number | undefined) ?? NaN;
    const scaling = rate(2) / rate(1);
    const worstSteadyP99 = Math.max(...results.map((r) => (r.steady as { lateness: { p99: number } }).lateness.p99));
    console.log(`\nScaling 1 -> 2 workers: ${fmt(scaling, 2)}x (goal >= 1.6 when the stand-in is not the bottleneck)`);
    console.log(`Scaling 1 -> 4 workers: ${fmt(rate(4) / rate(1), 2)}x`);
    console.log(`Stand-in capacity / fastest setup: ${fmt(capacity / Math.max(...results.map((r) => r.rate as number)), 2)} (above 1: the stand-in was not the bottleneck)`);
    console.log(`Steady-rate lateness p99, worst setup: ${fmt(worstSteadyP99 / 1000, 2)} s (goal < 5 s)`);
    writeResult("dispatch-workers", {
      emails: N,
      concurrency: CONCURRENCY,
      database: s.database,
      cores: os.cpus().length,
      loadAverage: os.loadavg(),
      standInCapacity: capacity,
      bare: bareRate,
      results,
      scaling1to2: scaling,
      scaling1to4: rate(4) / rate(1),
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
