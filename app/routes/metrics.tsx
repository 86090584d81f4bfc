import type { LoaderFunctionArgs } from "@remix-run/node";
import { metricsAuthorized, metricsText } from "../platform/metrics.server";
import { getRuntime } from "../runtime/runtime.server";
import { config } from "../platform/config.server";
import { metricsAccess } from "../platform/metrics-access";

// Prometheus scrape endpoint; with METRICS_TOKEN set, only `Authorization: Bearer <token>` reads it;
// in production without it, nobody does (see metrics-access.ts).
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { nodeEnv, metricsToken } = config().server;
  if (metricsAccess({ nodeEnv, token: metricsToken }) === "refused") {
    return new Response("Forbidden: in production /metrics needs METRICS_TOKEN (Authorization: Bearer <token>).", { status: 403 });
  }
  if (!metricsAuthorized(request.headers.get("authorization"), config().server.metricsToken ?? undefined)) {
    return new Response("Unauthorized", { status: 401, headers: { "WWW-Authenticate": 'Bearer realm="metrics"' } });
  }
  getRuntime(); // the queue depth gauge reads through the runtime's queue
  const { body, contentType } = await metricsText();
  return new Response(body, { headers: { "Content-Type": contentType, "Cache-Control": "no-store" } });
};
