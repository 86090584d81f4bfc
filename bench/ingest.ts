// npm run bench:ingest — signed orders/create webhooks against the built server on SQLite
// (`npm run bench:ingest:pg` or `--database postgresql`: on a fresh PostgreSQL database), at
// rising rates, beside a bare server that only runs authenticate.webhook behind Express and Remix
// (bench/bare-webhook-server.ts: same number of processes, same database). Reports ack latency and throughput, and our route as a ratio of the
// bare one, first with one web process, then with two sharing the port (BENCH_WEB_PROCESSES,
// default "1,2"; WEB_CONCURRENCY in production). Our webhooks take the server's direct path;
// one more setup (BENCH_ROUTES_SETUP=1, the default) sends them through the Remix routes
// instead (AFTERGLOW_DIRECT_WEBHOOKS=off), to show what the direct path saves. Goals: p95 ack
// under 50 ms at 500 requests per second; throughput at least 0.7 of the bare route.
import os from "node:os";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { Pool } from "undici";
import { appEncryptionKeys, createAppDatabase, freePort, ROOT, startApp, TEST_API_KEY, TEST_API_SECRET, ensureBuilt } from "../scripts/harness";
import { createSeedStore, SIMULATOR_SHOP } from "../simulator/store";
import { orderCreatedPayload } from "../simulator/orders";
import { webhookRequest } from "../simulator/webhooks";
import { closePrisma, createPrismaClient } from "../app/db.server";
import { connectShop, storeOfflineToken } from "../app/services/shop/shops.server";
import { setFlowActive } from "../app/services/flows/flow-editor.server";
import { DEFAULT_FLOW_KEY } from "../app/domain/flows";
import { databaseKindFromArgs, envNumber, fmt, printTable, summarize, writeResult } from "./lib";

const RATES = (process.env.BENCH_RATES ?? "50,100,200,400,500").split(",").map(Number);
const SECONDS = envNumber("BENCH_SECONDS", 4);
const SATURATION_SECONDS = envNumber("BENCH_SATURATION_SECONDS", 5);
const CONCURRENCY = envNumber("BENCH_CONCURRENCY", 16);
const DATABASE = databaseKindFromArgs();
// Web processes sharing the port (WEB_CONCURRENCY), one setup after another in the same run.
const WEB_PROCESSES = (process.env.BENCH_WEB_PROCESSES ?? "1,2").split(",").map(Number);
type Intake = "direct path" | "Remix routes";
const SETUPS: { processes: number; intake: Intake }[] = [
  ...WEB_PROCESSES.map((processes) => ({ processes, intake: "direct path" as const })),
  ...(process.env.BENCH_ROUTES_SETUP === "0" ? [] : [{ processes: 1, intake: "Remix routes" as const }]),
];

type Route = "bare" | "orders/create";

// The share of one core this process (the load generator) used: near 100 %, it is what limits
// the rate, not the server.
function generatorCpu(before: NodeJS.CpuUsage, seconds: number): number {
  const used = process.cpuUsage(before);
  return (100 * (used.user + used.system)) / 1e6 / seconds;
}
// The bare path is BARE_WEBHOOK_PATH of bench/bare-webhook-server.ts (not imported: it configures Shopify on import).
const PATHS: Record<Route, string> = { bare: "/webhooks/bench/bare", "orders/create": "/webhooks/orders/create" };

// The baseline server, with the app's Shopify credentials and the same database for its sessions.
async function startBareServer({ databaseUrl, processes }: { databaseUrl: string; processes: number }) {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "bench/bare-webhook-server.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: "production",
      ...appEncryptionKeys(),
      DATABASE_URL: databaseUrl,
      SHOPIFY_API_KEY: TEST_API_KEY,
      SHOPIFY_API_SECRET: TEST_API_SECRET,
      SHOPIFY_APP_URL: `http://127.0.0.1:${port}`,
      SCOPES: "read_orders,read_products,read_customers,write_customers",
      LOG_LEVEL: "warn",
      PORT: String(port),
      WEB_CONCURRENCY: String(processes),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The bare webhook server did not start within 30 s:\n${output}`)), 30_000);
    const collect = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      if ((output.match(/listening/g) ?? []).length >= processes) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`The bare webhook server exited (${code}):\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null || child.signalCode) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

async function main() {
  ensureBuilt();
  const database = createAppDatabase({ name: "bench-ingest", kind: DATABASE });
  const databaseUrl = database.url;
  const prisma = createPrismaClient(databaseUrl);
  await storeOfflineToken({ prisma, shop: SIMULATOR_SHOP, accessToken: "shpat_bench" });
  const store = createSeedStore();
  // As the CLI's connect stores it: the orders' order_status_url is on this domain, so intake
  // needs no Admin API read to know they are the shop's.
  await connectShop({ prisma, shop: SIMULATOR_SHOP, profile: { name: "Bench", ianaTimezone: "Europe/Warsaw", storefrontUrl: store.shop.primaryDomain.url } });
  // The default flow is installed off; on, every order schedules its follow-up as in a live shop.
  const flow = await prisma.flow.findUniqueOrThrow({ where: { shop_key: { shop: SIMULATOR_SHOP, key: DEFAULT_FLOW_KEY } }, select: { id: true } });
  await setFlowActive({ prisma, shop: SIMULATOR_SHOP, id: flow.id, active: true, actor: "bench" });
  const customers = store.customers.filter((c) => c.defaultEmailAddress?.emailAddress);
  const products = store.products.filter((p) => p.status === "ACTIVE");
  let n = 0;
  const nextRequest = () => {
    n++;
    const payload = orderCreatedPayload({
      store,
      customerId: customers[n % customers.length].id,
      lines: [{ productId: products[n % products.length].id, quantity: 1 }, { productId: products[(n + 3) % products.length].id, quantity: 2 }],
      record: false,
    });
    return webhookRequest({ topic: "orders/create", shop: SIMULATOR_SHOP, payload, secret: TEST_API_SECRET, webhookId: randomUUID() });
  };

  let pools: Record<Route, Pool>;
  async function post(route: Route, req: { headers: Record<string, string>; body: string }) {
    const start = performance.now();
    const res = await pools[route].request({ path: PATHS[route], method: "POST", headers: req.headers, body: req.body });
    await res.body.dump();
    return { ms: performance.now() - start, status: res.statusCode };
  }

  // Open loop: requests leave on schedule whether or not earlier ones came back.
  async function atRate(route: Route, rate: number) {
    const total = Math.round(rate * SECONDS);
    const reqs = Array.from({ length: total }, nextRequest); // signing is not what we measure
    const latencies: number[] = [];
    let errors = 0;
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const inflight: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      inflight.push(
        post(route, reqs[i]).then(
          (r) => {
            if (r.status === 200) latencies.push(r.ms);
            else errors++;
          },
          () => void errors++,
        ),
      );
    }
    await Promise.all(inflight);
    const seconds = (performance.now() - started) / 1000;
    return { route, rate, ...summarize(latencies), errors, throughput: latencies.length / seconds, generatorCpu: generatorCpu(cpuBefore, seconds) };
  }

  // Closed loop: as many as the server takes with CONCURRENCY requests outstanding. Requests are
  // signed beforehand so the load generator's own work does not share the measurement.
  async function saturate(route: Route) {
    const latencies: number[] = [];
    let errors = 0;
    const prepared = Array.from({ length: Math.round(SATURATION_SECONDS * 1200) }, nextRequest);
    let next = 0;
    const cpuBefore = process.cpuUsage();
    const stopAt = performance.now() + SATURATION_SECONDS * 1000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < stopAt && next < prepared.length) {
          const r = await post(route, prepared[next++]).catch(() => null);
          if (r?.status === 200) latencies.push(r.ms);
          else errors++;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    return { route, ...summarize(latencies), errors, throughput: latencies.length / seconds, generatorCpu: generatorCpu(cpuBefore, seconds) };
  }

  const setups: Record<string, unknown>[] = [];
  try {
    for (const { processes, intake } of SETUPS) {
      const app = await startApp({
        env: {
          DATABASE_URL: databaseUrl,
          AFTERGLOW_WORKER: "off",
          LOG_LEVEL: "warn",
          WEB_CONCURRENCY: String(processes),
          AFTERGLOW_DIRECT_WEBHOOKS: intake === "direct path" ? "on" : "off",
        },
      });
      const bare = await startBareServer({ databaseUrl, processes }).catch(async (err) => {
        await app.stop();
        throw err;
      });
      pools = {
        bare: new Pool(bare.url, { connections: 64, pipelining: 1 }),
        "orders/create": new Pool(app.url, { connections: 64, pipelining: 1 }),
      };
      try {
        setups.push(await measureSetup(processes, intake));
      } finally {
        await Promise.all(Object.values(pools).map((p) => p.close()));
        await bare.stop();
        await app.stop();
      }
    }
    const stored = {
      deliveries: await prisma.webhookDelivery.count(),
      followUps: await prisma.followUp.count(),
    };
    console.log(`\nStored: ${stored.deliveries} deliveries, ${stored.followUps} follow-ups (one per order)`);
    writeResult(DATABASE === "postgresql" ? "ingest-postgresql" : "ingest", { database: DATABASE, setups, stored });
  } finally {
    await closePrisma(prisma);
    await database.drop();
  }

  async function measureSetup(processes: number, intake: Intake) {
    // Warm up both routes (JIT, page cache, connection pools of every process).
    for (const route of ["bare", "orders/create"] as Route[]) await atRate(route, 50);

    const rateRows = [];
    for (const rate of RATES) {
      // Alternate the two routes at each rate so machine noise hits both alike.
      const bare = await atRate("bare", rate);
      const ours = await atRate("orders/create", rate);
      rateRows.push({ bare, ours });
    }
    const satBare1 = await saturate("bare");
    const satOurs1 = await saturate("orders/create");
    const satBare2 = await saturate("bare");
    const satOurs2 = await saturate("orders/create");
    const satBare = (satBare1.throughput + satBare2.throughput) / 2;
    const satOurs = (satOurs1.throughput + satOurs2.throughput) / 2;

    const label = DATABASE === "postgresql" ? "PostgreSQL" : "SQLite";
    console.log(`\nIngest benchmark: ${processes} web process(es), our webhooks through the ${intake}, ${SECONDS} s per rate, ${os.cpus().length} cores, ${label}\n`);
    printTable(
      rateRows.map(({ bare, ours }) => ({
        "rate/s": bare.rate,
        "bare p50": fmt(bare.p50),
        "bare p95": fmt(bare.p95),
        "ours p50": fmt(ours.p50),
        "ours p95": fmt(ours.p95),
        "ours p99": fmt(ours.p99),
        "p95 ours/bare": fmt(ours.p95 / bare.p95, 2),
        "ours req/s": fmt(ours.throughput),
        "generator CPU %": fmt(ours.generatorCpu, 0),
        errors: ours.errors + bare.errors,
      })),
    );
    console.log(`\nSaturation (${CONCURRENCY} outstanding, ${SATURATION_SECONDS} s x 2 each):`);
    printTable([
      { route: "bare authenticate.webhook", "req/s": fmt(satBare), p95: fmt(Math.max(satBare1.p95, satBare2.p95)), "generator CPU %": fmt(Math.max(satBare1.generatorCpu, satBare2.generatorCpu), 0) },
      { route: "orders/create (ours)", "req/s": fmt(satOurs), p95: fmt(Math.max(satOurs1.p95, satOurs2.p95)), "generator CPU %": fmt(Math.max(satOurs1.generatorCpu, satOurs2.generatorCpu), 0) },
    ]);
    const ratio = satOurs / satBare;
    const worstP95 = Math.max(...rateRows.map((r) => r.ours.p95));
    const within = rateRows.filter((r) => r.ours.p95 < 50 && r.ours.errors === 0).map((r) => r.ours.rate);
    const highestWithin = within.length ? Math.max(...within) : 0;
    console.log(`\nThroughput ratio ours/bare: ${fmt(ratio, 2)} (goal >= 0.70)`);
    console.log(`p95 ack under 50 ms up to ${highestWithin} requests/s (goal: p95 < 50 ms); worst p95 over all rates ${fmt(worstP95)} ms`);
    const top = rateRows[rateRows.length - 1];
    console.log(
      `p95 at ${top.ours.rate} requests/s: ${fmt(top.ours.p95)} ms (bare route ${fmt(top.bare.p95)} ms, ratio ${fmt(top.ours.p95 / top.bare.p95, 2)}), ` +
        `${top.ours.errors} errors`,
    );
    return { processes, intake, rates: rateRows, saturation: { bare: [satBare1, satBare2], ours: [satOurs1, satOurs2] }, ratio, worstP95, highestRateWithP95Under50ms: highestWithin };
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
