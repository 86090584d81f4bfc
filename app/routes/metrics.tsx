import type { LoaderFunctionArgs } from "@remix-run/node";
import { timingSafeEqual } from "node:crypto";
import { metricsText } from "../metrics.server";
import { getRuntime } from "../services/runtime.server";

// Prometheus scrape endpoint; with METRICS_TOKEN set, only `Authorization: Bearer <token>` reads it.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const token = process.env.METRICS_TOKEN;
  if (token && !sameSecret(request.headers.get("authorization") ?? "", `Bearer ${token}`)) {
    return new Response("Unauthorized", { status: 401, headers: { "WWW-Authenticate": 'Bearer realm="metrics"' } });
  }
  getRuntime(); // the queue depth gauge reads through the runtime's queue
  const { body, contentType } = await metricsText();
  return new Response(body, { headers: { "Content-Type": contentType, "Cache-Control": "no-store" } });
};

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
