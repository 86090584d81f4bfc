// npm run bench:dispatch — emails per second through Afterglow's dispatcher (claim, re-check,
// recommendations from the Admin API, React Email render, SendGrid client, record) beside a
// bare loop of render() plus one POST to the same SendGrid stand-in, in the same run.
// Goal: ours at least 0.6 of the bare loop. The stand-in and the store simulator run in their
// own processes, as the real services would.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { migrateDeploy } from "../scripts/harness";
import { createSeedStore, SIMULATOR_SHOP } from "../simulator/store";
import { connectSimulatorShopForLoad } from "../scripts/faults/scenario";
import { orderCreatedPayload } from "../simulator/orders";
import { closePrisma, createPrismaClient } from "../app/db.server";
import { receiveOrderCreated } from "../app/services/intake/intake.server";
import { createRuntime } from "../app/runtime/runtime.server";
import { loadConfig } from "../app/platform/config.server";
import { renderFollowUp } from "../app/email/render.server";
import type { RecommendedProduct } from "../app/domain/recommendations.types";
import { envNumber, fmt, printTable, startChildService, writeResult } from "./lib";

const N = envNumber("BENCH_EMAILS", 1000);
const ROUNDS = envNumber("BENCH_ROUNDS", 2);

async function main() {
  const sendgrid = await startChildService("simulator/sendgrid-main.ts", /SendGrid stand-in listening on (http:\/\/\S+)/);
  const admin = await startChildService("simulator/main.ts", /SHOPIFY_ADMIN_API_URL=(\S+)/, ["--bucket-size", "100000", "--restore-rate", "100000"]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "afterglow-bench-dispatch-"));
  const databaseUrl = `file:${path.join(dir, "bench.sqlite")}`;
  migrateDeploy(databaseUrl);
  const prisma = createPrismaClient(databaseUrl);
  const store = createSeedStore();
  await connectSimulatorShopForLoad(prisma, store);

  // Customers who agreed to email marketing: the thank-you is a marketing email.
  const customers = store.customers.filter((c) => c.defaultEmailAddress?.emailAddress && c.defaultEmailAddress.marketingState === "SUBSCRIBED");
  const products = store.products.filter((p) => p.status === "ACTIVE" && p.onlineStoreUrl);
  let n = 0;
  async function scheduleDue(count: number) {
    for (let i = 0; i < count; i++, n++) {
      const payload = orderCreatedPayload({
        store,
        customerId: customers[n % customers.length].id,
        lines: [{ productId: products[n % products.length].id, quantity: 1 }],
        record: false,
      });
      await receiveOrderCreated({ prisma, delivery: { shop: SIMULATOR_SHOP, topic: "orders/create", webhookId: randomUUID() }, payload });
    }
  }

  const runtimeEnv = {
      ...process.env,
      SENDGRID_API_KEY: "SG.bench",
      SENDGRID_API_URL: sendgrid.url,
      SHOPIFY_ADMIN_API_URL: admin.url,
      SHOPIFY_APP_URL: "https://afterglow.example.com",
      SHOPIFY_API_SECRET: process.env.SHOPIFY_API_SECRET || "bench-secret",
      LOG_LEVEL: "warn",
  };
  // The full path asks Shopify for each customer's marketing consent before sending (one
  // Admin API request per pass of up to 50 emails); the pipeline path is the same with the
  // shop's consent policy turned off.
  const runtime = createRuntime({ prisma, config: loadConfig(runtimeEnv) });
  const consentPolicy = (required: boolean) =>
    prisma.shop.update({ where: { domain: SIMULATOR_SHOP }, data: { marketingConsentRequired: required } });

  async function ours(askConsent: boolean) {
    await consentPolicy(askConsent);
    await scheduleDue(N);
    const started = performance.now();
    const summary = await runtime.dispatcher.drain({ limit: 50 });
    const seconds = (performance.now() - started) / 1000;
    if (summary.sent !== N) throw new Error(`Expected ${N} sent, got ${JSON.stringify(summary)}`);
    return N / seconds;
  }

  // The same email (four recommendations, a real shop footer) rendered and posted, nothing else.
  const recommendations: RecommendedProduct[] = products.slice(0, 4).map((p) => ({
    id: p.id,
    title: p.title,
    url: p.onlineStoreUrl!,
    imageUrl: p.image?.url ?? null,
    imageAlt: p.title,
    price: { amount: p.variants[0].price, currencyCode: store.shop.currencyCode },
    source: "complementary",
  }));
  async function bare() {
    const started = performance.now();
    for (let i = 0; i < N; i++) {
      const customer = customers[i % customers.length];
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
      const res = await fetch(`${sendgrid.url}/v3/mail/send`, {
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
          custom_args: { followUpId: randomUUID() },
        }),
      });
      if (res.status !== 202) throw new Error(`stand-in answered ${res.status}`);
      await res.arrayBuffer();
    }
    return N / ((performance.now() - started) / 1000);
  }

  const clearInbox = () => fetch(`${sendgrid.url}/__standin/messages`, { method: "DELETE" });
  try {
    // Warm-up: JIT, recommendation cache, connection pools.
    await bare();
    await ours(false);
    await ours(true);
    await clearInbox();
    const rows: { round: number; bare: number; pipeline: number; full: number }[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const b = await bare();
      const p = await ours(false);
      const f = await ours(true);
      await clearInbox();
      rows.push({ round, bare: b, pipeline: p, full: f });
    }
    const mean = (k: "bare" | "pipeline" | "full") => rows.reduce((s, r) => s + r[k], 0) / rows.length;
    const avgBare = mean("bare");
    const avgPipeline = mean("pipeline");
    const avgFull = mean("full");
    console.log(`\nDispatch benchmark: ${N} emails per run, ${os.cpus().length} cores, SQLite, SendGrid stand-in\n`);
    printTable(
      rows.map((r) => ({
        round: r.round,
        "bare render+POST /s": fmt(r.bare),
        "dispatcher /s": fmt(r.pipeline),
        ratio: fmt(r.pipeline / r.bare, 2),
        "+consent check /s": fmt(r.full),
        "ratio ": fmt(r.full / r.bare, 2),
      })),
    );
    const ratio = avgPipeline / avgBare;
    console.log(`\nMean: bare ${fmt(avgBare)} emails/s, dispatcher ${fmt(avgPipeline)} emails/s, with the consent check ${fmt(avgFull)} emails/s`);
    console.log(`Ratio dispatcher/bare: ${fmt(ratio, 2)} (goal >= 0.60)`);
    console.log(`Ratio with the Admin API consent check: ${fmt(avgFull / avgBare, 2)}`);
    writeResult("dispatch", { emailsPerRun: N, rounds: rows, avgBare, avgPipeline, avgFull, ratio, ratioWithConsent: avgFull / avgBare });
  } finally {
    await closePrisma(prisma);
    await sendgrid.stop();
    await admin.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
