// Prometheus metrics: the only module that imports prom-client. Callers record through the
// one-line functions below. Labels stay bounded: topics come from our routes, reasons are
// codes, and there is no shop label (a shop's failure rate is watched by the alert hook).
import http from "node:http";
import { randomUUID, timingSafeEqual } from "node:crypto";
import cluster from "node:cluster";
import { CLUSTER_METRICS_REQUEST, CLUSTER_METRICS_RESULT } from "./cluster-messages";
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { MailTransport } from "~/adapters/mail/transport";

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: "afterglow_process_" });

const webhooksReceived = new Counter({
  name: "afterglow_webhooks_received_total",
  help: "Webhook deliveries whose signature was valid, by topic.",
  labelNames: ["topic"] as const,
  registers: [registry],
});
const webhooksDeduplicated = new Counter({
  name: "afterglow_webhooks_deduplicated_total",
  help: "Redeliveries (an X-Shopify-Webhook-Id already seen) that changed nothing.",
  labelNames: ["topic"] as const,
  registers: [registry],
});
const webhooksRejected = new Counter({
  name: "afterglow_webhooks_rejected_total",
  help: "Webhook requests answered with an error, by topic and reason.",
  labelNames: ["topic", "reason"] as const,
  registers: [registry],
});
const followUpsScheduled = new Counter({
  name: "afterglow_follow_ups_scheduled_total",
  help: "Follow-ups scheduled, by where the order came from (webhook, reconciliation).",
  labelNames: ["source"] as const,
  registers: [registry],
});
const followUpsSent = new Counter({
  name: "afterglow_follow_ups_sent_total",
  help: "Follow-ups handed to the mail transport and accepted.",
  registers: [registry],
});
const followUpsSkipped = new Counter({
  name: "afterglow_follow_ups_skipped_total",
  help: "Follow-ups not sent (skipped or cancelled at send time), by reason code.",
  labelNames: ["reason"] as const,
  registers: [registry],
});
const followUpsFailed = new Counter({
  name: "afterglow_follow_ups_failed_total",
  help: "Follow-ups that failed for good (attempts used up or a permanent error).",
  registers: [registry],
});
const followUpsRetried = new Counter({
  name: "afterglow_follow_ups_retried_total",
  help: "Attempts that will be tried again later (a transient error, or a send window that moved it).",
  registers: [registry],
});
const sendDuration = new Histogram({
  name: "afterglow_send_duration_seconds",
  help: "Time the mail transport took to accept (or refuse) one email.",
  labelNames: ["transport", "result"] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20],
  registers: [registry],
});
const sendLateness = new Histogram({
  name: "afterglow_send_lateness_seconds",
  help: "How long after its due time a follow-up was sent.",
  buckets: [1, 5, 15, 30, 60, 120, 300, 900, 1800, 3600, 4 * 3600, 24 * 3600],
  registers: [registry],
});
const alertsRaised = new Counter({
  name: "afterglow_failure_alerts_total",
  help: "Failure-rate alerts raised for a shop.",
  registers: [registry],
});
const reconciled = new Counter({
  name: "afterglow_reconciled_orders_total",
  help: "Orders the reconciler found through the Admin API, by what it did with them.",
  labelNames: ["result"] as const,
  registers: [registry],
});

const mailFailoverActive = new Gauge({
  name: "afterglow_mail_failover_active",
  help: "1 while new follow-ups go to the second mail provider because the first has failed for MAIL_FAILOVER_AFTER_MS; 0 otherwise.",
  labelNames: ["primary", "secondary"] as const,
  registers: [registry],
  // Each process learns of an outage from its own sends: across processes, any one failing over shows.
  aggregator: "max",
});

let queueDepthSource: (() => Promise<number>) | null = null;
new Gauge({
  name: "afterglow_queue_depth",
  help: "Follow-ups due now and not yet taken by a dispatcher.",
  registers: [registry],
  // Every web process reads the same database: across processes the depth is one number, not a sum.
  aggregator: "max",
  async collect() {
    if (!queueDepthSource) return;
    try {
      this.set(await queueDepthSource());
    } catch {
      // A database that does not answer shows in /readyz; the scrape still succeeds.
    }
  },
});

export function setQueueDepthSource(source: () => Promise<number>): void {
  queueDepthSource = source;
}

// The topic as our route names it ("orders/create"): a fixed set, unlike the header a caller sends.
export function topicOfRequest(request: Request): string {
  const path = new URL(request.url).pathname.replace(/^\/webhooks\//, "").replace(/\/+$/, "");
  return /^[a-z_]+(\/[a-z_]+)*$/.test(path) ? path : "unknown";
}

export function webhookReceived(topic: string): void {
  webhooksReceived.inc({ topic });
}

export function webhookRejected(topic: string, reason: string): void {
  webhooksRejected.inc({ topic, reason });
}

// What intake did with a delivery, read from its outcome.
export function webhookHandled(topic: string, outcome: unknown): void {
  const o = outcome as { kind?: string; followUps?: unknown[] } | undefined;
  if (o?.kind === "duplicate") webhooksDeduplicated.inc({ topic });
  if (o?.kind === "scheduled" && Array.isArray(o.followUps)) followUpsScheduled.inc({ source: "webhook" }, o.followUps.length);
}

export function followUpsScheduledBy(source: "webhook" | "reconciliation", count: number): void {
  if (count > 0) followUpsScheduled.inc({ source }, count);
}

// `code`: a SkipReasonCode (app/domain/skip-reasons.ts), a fixed set.
export function followUpSkipped(code: string): void {
  followUpsSkipped.inc({ reason: code });
}

// returned: handed back by a worker shutting down, before it reached SendGrid.
export type DispatchOutcome = "sent" | "retried" | "failed" | "skipped" | "lost" | "returned";

export interface DispatchObservation {
  shop: string;
  outcome: DispatchOutcome;
  dueAt: Date;
  at: Date;
}

const dispatchListeners = new Set<(o: DispatchObservation) => void>();

export function onDispatch(listener: (o: DispatchObservation) => void): () => void {
  dispatchListeners.add(listener);
  return () => dispatchListeners.delete(listener);
}

export function dispatchObserved(o: DispatchObservation): void {
  if (o.outcome === "sent") {
    followUpsSent.inc();
    sendLateness.observe(Math.max(0, (o.at.getTime() - o.dueAt.getTime()) / 1000));
  } else if (o.outcome === "failed") followUpsFailed.inc();
  else if (o.outcome === "retried") followUpsRetried.inc();
  for (const listener of dispatchListeners) listener(o);
}

// The same transport, with each send timed.
export function timedTransport(transport: MailTransport): MailTransport {
  return {
    name: transport.name,
    async send(email) {
      const started = performance.now();
      try {
        const result = await transport.send(email);
        sendDuration.observe({ transport: transport.name, result: "accepted" }, (performance.now() - started) / 1000);
        return result;
      } catch (err) {
        sendDuration.observe({ transport: transport.name, result: "error" }, (performance.now() - started) / 1000);
        throw err;
      }
    },
  };
}

// Where the failover sends new follow-ups (app/adapters/mail/failover.server.ts); set as it starts and at each change.
export function mailFailoverObserved({ primary, secondary, active }: { primary: string; secondary: string; active: boolean }): void {
  mailFailoverActive.set({ primary, secondary }, active ? 1 : 0);
}

export function failureAlertRaised(): void {
  alertsRaised.inc();
}

export function ordersReconciled(result: "restored" | "complete" | "cancelled" | "skipped", count: number): void {
  if (count > 0) reconciled.inc({ result }, count);
}

export async function metricsText(): Promise<{ body: string; contentType: string }> {
  const body = cluster.isWorker ? await clusterMetrics() : await registry.metrics();
  return { body, contentType: registry.contentType };
}

// With WEB_CONCURRENCY above 1 a scrape reaches one web process of several: it asks the primary
// (server.ts), which collects every process's registry and sums them, so Prometheus sees the app.
if (cluster.isWorker) {
  AggregatorRegistry.setRegistries([registry]);
  new AggregatorRegistry(); // answers the primary's requests for this process's metrics
}

function clusterMetrics(): Promise<string> {
  const id = randomUUID();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      process.off("message", onMessage);
      reject(new Error("the primary process did not answer for the other web processes' metrics within 5 s"));
    }, 5_000);
    function onMessage(message: unknown) {
      const m = message as { type?: string; id?: string; body?: string; error?: string };
      if (m?.type !== CLUSTER_METRICS_RESULT || m.id !== id) return;
      clearTimeout(timer);
      process.off("message", onMessage);
      if (m.error !== undefined) reject(new Error(`collecting the web processes' metrics failed: ${m.error}`));
      else resolve(m.body ?? "");
    }
    process.on("message", onMessage);
    process.send!({ type: CLUSTER_METRICS_REQUEST, id });
  });
}

// METRICS_TOKEN, when set, must come as `Authorization: Bearer <token>`.
export function metricsAuthorized(authorization: string | null, token: string | undefined): boolean {
  if (!token) return true;
  const given = Buffer.from(authorization ?? "");
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

// A worker (`afterglow dispatch`) serves no web pages; with METRICS_PORT set it serves its own
// /metrics (and /healthz) so each worker can be scraped.
export async function startMetricsServer({
  port,
  host = "0.0.0.0",
  token,
}: {
  port: number;
  host?: string;
  token?: string;
}): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/healthz") {
      res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ ok: true }));
      return;
    }
    if (path !== "/metrics") {
      res.writeHead(404).end("Not found");
      return;
    }
    if (!metricsAuthorized(req.headers.authorization ?? null, token)) {
      res.writeHead(401, { "WWW-Authenticate": 'Bearer realm="metrics"' }).end("Unauthorized");
      return;
    }
    metricsText().then(
      ({ body, contentType }) => res.writeHead(200, { "Content-Type": contentType }).end(body),
      () => res.writeHead(500).end("metrics unavailable"),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  server.unref();
  const address = server.address();
  return {
    port: typeof address === "object" && address ? address.port : port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
