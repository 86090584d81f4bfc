// Who may read /metrics on the public port. The numbers describe every shop's sending; in
// production they are for the operator's scraper only, so without METRICS_TOKEN the public port
// refuses them (a worker's METRICS_PORT server is a separate, internal port).
export type MetricsAccess = "token" | "open" | "refused";

export function metricsAccess({ nodeEnv, token }: { nodeEnv: string | null; token: string | null }): MetricsAccess {
  if (token) return "token";
  return nodeEnv === "production" ? "refused" : "open";
}

// The start-up log's line: how /metrics is protected here.
export function metricsAccessNote(access: MetricsAccess): string {
  if (access === "token") return "/metrics on the public port requires METRICS_TOKEN as Authorization: Bearer";
  if (access === "refused") return "/metrics is refused on the public port: production without METRICS_TOKEN (set it to scrape, or scrape workers on METRICS_PORT)";
  return "/metrics is open on the public port (not production, no METRICS_TOKEN)";
}
