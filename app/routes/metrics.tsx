import type { LoaderFunctionArgs } from "@remix-run/node";
import { metricsAuthorized, metricsText } from "../platform/metrics.server";
import { getRuntime } from "../runtime/runtime.server";
import { config } from "../platform/config.server";

// Prometheus scrape endpoint; with METRICS_TOKEN set, only `Authorization: Bearer <token>` reads it.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  if (!metricsAuthorized(request.headers.get("authorization"), config().server.metricsToken ?? undefined)) {
    return new Response("Unauthorized", { status: 401, headers: { "WWW-Authenticate": 'Bearer realm="metrics"' } });
  }
  getRuntime(); // the queue depth gauge reads through the runtime's queue
  const { body, contentType } = await metricsText();
  return new Response(body, { headers: { "Content-Type": contentType, "Cache-Control": "no-store" } });
};
