// The alert hook: a shop whose sends fail too often is logged at error level and, when
// ALERT_WEBHOOK_URL is set, POSTed there as JSON (Slack-style incoming webhooks, PagerDuty
// Events via a relay, or any receiver of one's own).
import { FailureRateMonitor, failureRatePolicyFromEnv, type FailureAlert } from "~/domain/failure-rate";
import { logger as rootLogger, type Logger } from "~/logger.server";
import { failureAlertRaised, type DispatchObservation } from "~/metrics.server";

export interface FailureAlerts {
  // Feeds one dispatch outcome; resolves when any alert it raised has been delivered (or given up).
  observe(o: DispatchObservation): Promise<void>;
}

export function createFailureAlerts({
  env = process.env,
  logger = rootLogger,
  fetchImpl = fetch,
}: {
  env?: Record<string, string | undefined>;
  logger?: Logger;
  fetchImpl?: typeof fetch;
} = {}): FailureAlerts {
  const monitor = new FailureRateMonitor(failureRatePolicyFromEnv(env));
  const url = env.ALERT_WEBHOOK_URL || null;
  const log = logger.child({ component: "alerts" });

  async function deliver(alert: FailureAlert) {
    failureAlertRaised();
    const percent = Math.round(alert.rate * 1000) / 10;
    const text =
      `Afterglow: ${alert.failures} of ${alert.attempts} send attempts for ${alert.shop} failed in the last ` +
      `${Math.round(alert.windowMs / 60_000)} minutes (${percent} %, threshold ${alert.threshold * 100} %).`;
    log.error("failure rate above threshold", { shop: alert.shop, attempts: alert.attempts, failures: alert.failures, rate: alert.rate });
    if (!url) return;
    try {
      const res = await fetchImpl(url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ type: "afterglow.failure_rate", text, ...alert, at: alert.at.toISOString() }),
        signal: AbortSignal.timeout(5_000),
      });
      if (!res.ok) log.warn("alert webhook refused the alert", { shop: alert.shop, status: res.status });
    } catch (err) {
      log.warn("alert webhook unreachable", { shop: alert.shop, err });
    }
  }

  return {
    async observe(o) {
      // Skips are decisions, not failures; a lost claim is another dispatcher's business.
      if (o.outcome === "skipped" || o.outcome === "lost") return;
      const alert = monitor.record({ shop: o.shop, failed: o.outcome !== "sent", at: o.at });
      if (alert) await deliver(alert);
    },
  };
}
