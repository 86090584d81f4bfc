// The analytics page for a shop with a million follow-ups: seeds them (with orders, SendGrid
// events and attributions) into a fresh database, runs the rollup job, then times the page's
// loader (loadDashboard: rollup rows, attributions, flows, sources, health) for a 30-day and a
// 365-day range, beside a trivial indexed query measured in the same run.
// Goal: p95 under 300 ms. BENCH_FOLLOW_UPS sets the size (default 1,000,000); BENCH_REPEATS the
// timed runs per query (default 30). DATABASE_URL=postgresql://… runs it on PostgreSQL as well.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { PrismaClient } from "@prisma/client";
import { createPrismaClient } from "../app/db.server";
import { loadDashboard } from "../app/services/analytics/dashboard.server";
import { rollUpAnalytics } from "../app/services/analytics/rollup.server";
import { migrateSqliteFile } from "../test/helpers/db";
import { envNumber, fmt, printTable, summarize, writeResult } from "./lib";
import { clickAttribution, recordEngagement, Seeder, type Dialect } from "./bulk-insert";
import { seededRng } from "../app/domain/bandit";
import { dayOf } from "../app/domain/analytics";
import Database from "better-sqlite3";

const SHOP = "bench-dashboard.myshopify.com";
const FOLLOW_UPS = envNumber("BENCH_FOLLOW_UPS", 1_000_000);
const REPEATS = envNumber("BENCH_REPEATS", 30);
const DAYS = 365;
const GOAL_MS = 300;
const END = Date.parse("2026-11-27T00:00:00Z");

async function seed(prisma: PrismaClient, dialect: Dialect, exec: (statements: string[]) => Promise<void>) {
  const rng = seededRng(42);
  await prisma.shop.create({ data: { domain: SHOP, name: "Bench", currencyCode: "USD", ianaTimezone: "America/New_York" } });
  const flows = [];
  for (const [key, name, steps] of [
    ["thank-you", "Thank you", ["thanks", "later"]],
    ["review", "Review request", ["review", "reminder"]],
  ] as const) {
    flows.push(
      await prisma.flow.create({
        data: {
          shop: SHOP,
          key,
          name,
          trigger: "order_created",
          steps: {
            create: steps.map((s, i) => ({
              key: s,
              position: i,
              delayAmount: i + 1,
              delayUnit: "days",
              template: "thank-you",
              subject: s,
              ...(s === "thanks" ? { variants: JSON.stringify({ id: "t", variants: [{ key: "a", weight: 50 }, { key: "b", weight: 50 }] }) } : {}),
            })),
          },
        },
        include: { steps: true },
      }),
    );
  }
  const seeder = new Seeder(exec, dialect, ["Order", "FollowUp", "MessageEvent", "Attribution"]);
  // Written an hour ago: the rollup's second run should find nothing new.
  const now = new Date(Date.now() - 3600_000);
  let events = 0;
  let attributions = 0;
  const started = Date.now();
  for (let i = 0; i < FOLLOW_UPS; i += 2) {
    const orderRef = `o${i}`;
    const orderedAt = new Date(END - Math.floor(rng() * DAYS * 24 * 3600_000));
    const email = `c${Math.floor(rng() * 200_000)}@${["gmail.com", "outlook.com", "yahoo.com", "shop.example"][i % 4]}`;
    await seeder.add("Order", {
      id: orderRef,
      shop: SHOP,
      orderId: `gid://shopify/Order/${i}`,
      name: `#${i}`,
      email,
      currency: "USD",
      totalPrice: "42.00",
      totalPriceShop: "42.00",
      shopCurrency: "USD",
      productIds: "[]",
      orderedAt,
      createdAt: now,
      updatedAt: now,
    });
    for (let k = 0; k < 2 && i + k < FOLLOW_UPS; k++) {
      const flow = flows[(i / 2) % 2];
      const step = flow.steps[k];
      const id = `f${i + k}`;
      const dueAt = new Date(orderedAt.getTime() + (k + 1) * 24 * 3600_000);
      const roll = rng();
      const status = roll < 0.85 ? "sent" : roll < 0.95 ? "skipped" : roll < 0.98 ? "failed" : "scheduled";
      const variant = step.key === "thanks" ? (rng() < 0.5 ? "a" : "b") : null;
      await seeder.add("FollowUp", {
        id,
        shop: SHOP,
        orderRef,
        orderId: `gid://shopify/Order/${i}`,
        flowId: flow.id,
        stepId: step.id,
        stepKey: step.key,
        template: "thank-you",
        category: "marketing",
        variant,
        isTest: false,
        recipient: email,
        status,
        skipReason: status === "skipped" ? "Smart sending: the customer already received 1 marketing email in the last 16 hours (limit 1)." : null,
        dueAt,
        attempts: 1,
        nextAttemptAt: dueAt,
        sentAt: status === "sent" ? dueAt : null,
        createdAt: now,
        updatedAt: now,
      });
      if (status !== "sent") continue;
      await recordEngagement({
        rng,
        bounceRate: 0.03,
        openAfterMinutes: 30,
        event: async (event, minutes, extra = {}) => {
          events += 1;
          await seeder.add("MessageEvent", {
            id: `e${events}`,
            dedupeKey: `e${events}`,
            shop: SHOP,
            followUpId: id,
            event,
            email,
            detail: event === "click" ? JSON.stringify({ url: "https://bench.example/p?ag_src=related" }) : null,
            machineOpen: extra.machineOpen ?? false,
            occurredAt: new Date(dueAt.getTime() + minutes * 60_000),
            receivedAt: now,
          });
        },
        attribute: async () => {
          attributions += 1;
          const orderedAt = new Date(dueAt.getTime() + 3600_000);
          await seeder.add(
            "Attribution",
            clickAttribution({
              id: `a${attributions}`,
              shop: SHOP,
              orderRef: `x${attributions}`,
              orderId: `gid://shopify/Order/x${attributions}`,
              followUp: { id, flowId: flow.id, stepKey: step.key, variant },
              currency: "USD",
              touchedAt: dueAt,
              orderedAt,
              day: dayOf(orderedAt, "America/New_York"),
              createdAt: now,
            }),
          );
        },
      });
    }
    if (i % 100_000 === 0 && i > 0) console.log(`  seeded ${i.toLocaleString()} follow-ups, ${events.toLocaleString()} events (${Math.round((Date.now() - started) / 1000)} s)`);
  }
  await seeder.flush();
  return { followUps: FOLLOW_UPS, orders: Math.ceil(FOLLOW_UPS / 2), events, attributions, seedSeconds: (Date.now() - started) / 1000 };
}

async function time(repeats: number, fn: () => Promise<unknown>) {
  const ms: number[] = [];
  await fn(); // warm
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  return summarize(ms);
}

async function runOn(label: string, prisma: PrismaClient, dialect: Dialect, exec: (statements: string[]) => Promise<void>) {
  console.log(`[${label}] seeding ${FOLLOW_UPS.toLocaleString()} follow-ups…`);
  const seeded = await seed(prisma, dialect, exec);
  console.log(`[${label}] seeded in ${fmt(seeded.seedSeconds)} s: ${seeded.events.toLocaleString()} events, ${seeded.attributions.toLocaleString()} attributions`);
  const rollupStart = performance.now();
  const rollup = await rollUpAnalytics({ prisma });
  const rollupSeconds = (performance.now() - rollupStart) / 1000;
  console.log(`[${label}] first rollup: ${rollup.days} days in ${fmt(rollupSeconds)} s`);
  const again = performance.now();
  await rollUpAnalytics({ prisma });
  const incrementalSeconds = (performance.now() - again) / 1000;

  const now = new Date(END);
  const baseline = await time(REPEATS, () => prisma.shop.findUnique({ where: { domain: SHOP } }));
  const days30 = await time(REPEATS, () => loadDashboard({ prisma, shop: SHOP, now, range: { from: "2026-10-28", to: "2026-11-26" } }));
  const days365 = await time(REPEATS, () => loadDashboard({ prisma, shop: SHOP, now, range: { from: "2025-11-27", to: "2026-11-26" } }));
  // What the page would cost without the rollup: one aggregate over the raw rows for 30 days.
  const raw = await time(2, () =>
    prisma.followUp.groupBy({ by: ["flowId", "stepKey", "variant", "status"], where: { shop: SHOP, dueAt: { gte: new Date("2026-10-28T00:00:00Z"), lt: new Date(END) } }, _count: true }),
  );
  const check = await loadDashboard({ prisma, shop: SHOP, now, range: { from: "2025-11-27", to: "2026-11-26" } });
  return { label, seeded, rollup: { days: rollup.days, seconds: rollupSeconds, incrementalSeconds }, baseline, days30, days365, raw30Groups: raw, sentInYear: check.totals.counters.sent };
}

async function main() {
  const results = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "afterglow-bench-dashboard-"));
  const file = path.join(dir, "bench.sqlite");
  migrateSqliteFile(file);
  const sqlite = createPrismaClient(`file:${file}`);
  // Seeding goes straight through better-sqlite3: the same SQL, without a round trip per statement.
  const raw = new Database(file);
  raw.pragma("journal_mode = WAL");
  raw.pragma("synchronous = NORMAL");
  // A large page cache keeps the indexes being filled in memory.
  raw.pragma("cache_size = -400000");
  const execSqlite = async (statements: string[]) => {
    raw.exec("BEGIN");
    for (const sql of statements) raw.exec(sql);
    raw.exec("COMMIT");
  };
  try {
    results.push(await runOn("sqlite", sqlite, "sqlite", execSqlite));
  } finally {
    raw.close();
    await sqlite.$disconnect();
    fs.rmSync(dir, { recursive: true, force: true });
  }

  const url = process.env.DATABASE_URL ?? "";
  let postgres: string | null = null;
  if (/^postgres(ql)?:\/\//.test(url)) {
    let pg: PrismaClient | null = null;
    try {
      pg = createPrismaClient(url);
    } catch (err) {
      postgres = `not run: ${(err as Error).message}`;
    }
    if (pg) {
      try {
        // The database must be empty and migrated (npm run setup with the same DATABASE_URL).
        const client = pg;
        const execPg = async (statements: string[]) => {
          await client.$transaction(statements.map((sql) => client.$executeRawUnsafe(sql)));
        };
        results.push(await runOn("postgresql", pg, "postgresql", execPg));
        postgres = "run";
      } finally {
        await pg.$disconnect();
      }
    }
  }

  printTable(
    results.map((r) => ({
      database: r.label,
      "follow-ups": r.seeded.followUps,
      events: r.seeded.events,
      "seed s": fmt(r.seeded.seedSeconds),
      "rollup s": fmt(r.rollup.seconds),
      "rerun s": fmt(r.rollup.incrementalSeconds, 2),
      "baseline p50 ms": fmt(r.baseline.p50, 2),
      "30d p50 ms": fmt(r.days30.p50),
      "30d p95 ms": fmt(r.days30.p95),
      "365d p50 ms": fmt(r.days365.p50),
      "365d p95 ms": fmt(r.days365.p95),
      "365d p95 / baseline p95": fmt(r.days365.p95 / r.baseline.p95),
      "raw 30d aggregate ms": fmt(r.raw30Groups.p50),
      goal: r.days365.p95 < GOAL_MS && r.days30.p95 < GOAL_MS ? `met (<${GOAL_MS} ms)` : `MISSED (${GOAL_MS} ms)`,
    })),
  );
  if (postgres && postgres !== "run") console.log(`PostgreSQL: ${postgres}`);
  else if (!postgres) console.log("PostgreSQL: not run (set DATABASE_URL=postgresql://… to run it there too).");
  writeResult("dashboard", { goalMs: GOAL_MS, repeats: REPEATS, postgres, results });
  const missed = results.some((r) => r.days365.p95 >= GOAL_MS || r.days30.p95 >= GOAL_MS);
  process.exitCode = missed ? 1 : 0;
}

await main();
