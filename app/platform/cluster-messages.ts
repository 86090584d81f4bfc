// Messages between the web processes and the primary of server.ts (WEB_CONCURRENCY > 1).
// Plain constants: server.ts reads them from source, the web processes from the build.
export const CLUSTER_METRICS_REQUEST = "afterglow:cluster-metrics";
export const CLUSTER_METRICS_RESULT = "afterglow:cluster-metrics-result";
