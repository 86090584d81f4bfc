// How reading an order webhook scales with its line items: orderFactsFromWebhook on orders of
// 100, 1,000 and 10,000 distinct products, beside JSON.parse of the same body (the baseline every
// webhook pays anyway), in the same run. Linear reading keeps the ratio to JSON.parse flat and the
// 10,000/1,000 time near 10; a quadratic one makes it grow with the order.
import { performance } from "node:perf_hooks";
import { orderFactsFromWebhook } from "../app/domain/order-facts";
import { envNumber, fmt, printTable, writeResult } from "./lib";

const SIZES = (process.env.BENCH_LINE_ITEMS ?? "100,1000,10000").split(",").map(Number);
const ROUNDS = envNumber("BENCH_ROUNDS", 5);

function orderBody(lineItems: number): string {
  return JSON.stringify({
    id: 6300000000001,
    name: "#1001",
    email: "maya@example.com",
    created_at: "2026-12-01T10:00:00Z",
    currency: "USD",
    total_price: "10.00",
    customer: { id: 8201000000001, first_name: "Maya", email: "maya@example.com" },
    line_items: Array.from({ length: lineItems }, (_, i) => ({
      id: 1000 + i,
      product_id: 7000000 + i,
      variant_id: 9000000 + i,
      title: `Product ${i}`,
      vendor: "Juniper & Pine",
      quantity: 1,
    })),
  });
}

// Median milliseconds of `fn` over ROUNDS runs.
function time(fn: () => void): number {
  const runs: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const started = performance.now();
    fn();
    runs.push(performance.now() - started);
  }
  return runs.sort((a, b) => a - b)[Math.floor(runs.length / 2)];
}

const rows = SIZES.map((size) => {
  const body = orderBody(size);
  const parse = time(() => JSON.parse(body));
  const read = time(() => orderFactsFromWebhook(JSON.parse(body)));
  const facts = orderFactsFromWebhook(JSON.parse(body));
  if (facts.productIds.length !== size) throw new Error(`expected ${size} distinct products, got ${facts.productIds.length}`);
  return { lineItems: size, jsonParseMs: parse, readMs: read, ratio: read / parse };
});

console.log(`\nReading order webhooks by line items (median of ${ROUNDS} runs)\n`);
printTable(rows.map((r) => ({ "line items": r.lineItems, "JSON.parse ms": fmt(r.jsonParseMs, 2), "parse + orderFactsFromWebhook ms": fmt(r.readMs, 2), "ratio": fmt(r.ratio, 2) })));
const at = (n: number) => rows.find((r) => r.lineItems === n);
const big = at(10_000);
const mid = at(1_000);
if (big && mid) console.log(`\n10,000 / 1,000 line items: ${fmt(big.readMs / mid.readMs, 1)}x the time (linear: about 10x)`);
writeResult("order-facts", { rounds: ROUNDS, rows });
