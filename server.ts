// Production server: Remix's request handler on express, plus the in-process dispatcher
// (the embedded default: one process, SQLite, no other service).
import cluster from "node:cluster";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import express from "express";
import { AggregatorRegistry } from "prom-client";
import { CLUSTER_METRICS_REQUEST, CLUSTER_METRICS_RESULT } from "./app/platform/cluster-messages";
import { config, type Config } from "./app/platform/config.server";
import { metricsAccess, metricsAccessNote } from "./app/platform/metrics-access";
import { loadKeyRing } from "./app/platform/encryption.server";
import { projectRoot } from "./scripts/project-root";
import { createRequestHandler, type ServerBuild } from "@remix-run/node";
import { receiveBody, remixRequest, sendRemixResponse } from "./app/runtime/inbound-requests.server";

const root = projectRoot(import.meta.url);
const buildPath = path.join(root, "build/server/index.js");

export async function startServer({ settings = config(), port = settings.server.port, host = settings.server.host }: { settings?: Config; port?: number; host?: string } = {}) {
  const build = (await import(buildPath)) as ServerBuild & {
    entry: {
      module: {
        startBackgroundWork?: () => Promise<void>;
        stopBackgroundWork?: () => Promise<void>;
        closeDatabase?: () => Promise<"closed" | "timed out">;
        receiveWebhookDirect?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean;
      };
    };
  };
  const app = express();
  app.disable("x-powered-by");
  app.use("/assets", express.static(path.join(root, "build/client/assets"), { immutable: true, maxAge: "1y" }));
  app.use(express.static(path.join(root, "build/client"), { maxAge: "1h" }));
  // Bodies read (and bounded) before Express runs; Remix gets them from here.
  const bodies = new WeakMap<http.IncomingMessage, Buffer>();
  const handleRemix = createRequestHandler(build, settings.server.nodeEnv ?? undefined);
  app.all("*", async (req, res, next) => {
    // Loaders and actions stop when the client goes away before the answer is written.
    const aborted = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) aborted.abort();
    });
    try {
      await sendRemixResponse(res, await handleRemix(remixRequest(req, bodies.get(req), aborted.signal)));
    } catch (err) {
      next(err);
    }
  });

  // Shopify's webhooks skip Express and Remix (app/webhooks/direct.server.ts); everything else,
  // and every webhook when AFTERGLOW_DIRECT_WEBHOOKS=off, goes through the routes, once its body
  // is read within its route's limit (app/runtime/inbound-requests.server.ts).
  const direct = settings.server.directWebhooks === "off" ? undefined : build.entry.module.receiveWebhookDirect;
  const { requests } = settings;
  const headersTimeout = Math.min(requests.headersTimeoutMs, requests.timeoutMs);
  const server = http.createServer(
    {
      requestTimeout: requests.timeoutMs,
      headersTimeout,
      // Node checks both timeouts on this beat (30 s by default), so it sets their precision.
      connectionsCheckingInterval: Math.min(1_000, Math.ceil(headersTimeout / 4)),
    },
    (req, res) => {
      if (direct?.(req, res)) return;
      receiveBody(req, res, settings).then(
        (received) => {
          if (received.kind === "answered") return;
          if (received.kind === "body") bodies.set(req, received.bytes);
          app(req, res);
        },
        (err: unknown) => {
          log("error", "reading a request body failed", { err: String(err) });
          res.destroy();
        },
      );
    },
  );
  server.keepAliveTimeout = requests.keepAliveTimeoutMs;
  server.maxConnections = requests.maxConnections;
  await new Promise<void>((resolve) => server.listen(port, host, () => resolve()));
  const address = server.address();
  const actualPort = typeof address === "object" && address ? address.port : port;
  await build.entry.module.startBackgroundWork?.();

  let stopping = false;
  async function stop() {
    if (stopping) return;
    stopping = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections(); // keep-alive sockets would hold close() open
    await closed;
    // In-flight sends finish (or their lease lets another process retry them) before exit.
    await build.entry.module.stopBackgroundWork?.();
    if ((await build.entry.module.closeDatabase?.()) === "timed out") log("warn", "database connections did not close within 5 s");
  }
  return { port: actualPort, server, stop };
}

const log = (level: string, msg: string, extra: Record<string, unknown> = {}) =>
  (level === "info" ? console.log : console.error)(JSON.stringify({ level, msg, ...extra }));

const shutdownGraceMs = (settings: Config) => settings.server.shutdownTimeoutMs + 15_000;

async function runServer(settings: Config) {
  const { port, stop } = await startServer({ settings });
  log("info", "Afterglow listening", { port, pid: process.pid });
  log("info", metricsAccessNote(metricsAccess({ nodeEnv: settings.server.nodeEnv, token: settings.server.metricsToken })));
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      // Whatever hangs in shutdown (a query after a database restart) cannot keep the process
      // up; unfinished claims come back after their lease.
      setTimeout(() => {
        log("error", "shutdown did not finish in time; exiting", { signal });
        process.exit(1);
      }, shutdownGraceMs(settings)).unref();
      stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}

function runPrimary(count: number, settings: Config) {
  let stopping = false;
  // A web process asked to serve /metrics gets every process's numbers, summed, from here.
  const metrics = new AggregatorRegistry();
  cluster.on("message", (worker, message: { type?: string; id?: string }) => {
    if (message?.type !== CLUSTER_METRICS_REQUEST) return;
    metrics.clusterMetrics().then(
      (body) => worker.send({ type: CLUSTER_METRICS_RESULT, id: message.id, body }),
      (err: Error) => worker.send({ type: CLUSTER_METRICS_RESULT, id: message.id, error: err.message }),
    );
  });
  const restarts: number[] = [];
  const fork = (index: number) => {
    const worker = cluster.fork({ AFTERGLOW_WEB_PROCESS: String(index), ...(index > 0 ? { AFTERGLOW_WORKER: "off" } : {}) });
    worker.once("exit", (code, signal) => {
      if (stopping) return;
      // A crashed web process comes back; one that keeps crashing takes the whole app down
      // so the orchestrator sees it.
      const now = Date.now();
      restarts.push(now);
      while (restarts.length && restarts[0] < now - 60_000) restarts.shift();
      log("error", "web process exited; starting another", { index, code, signal, restartsInLastMinute: restarts.length });
      if (restarts.length > 5) {
        log("error", "web processes keep exiting; stopping");
        process.exit(1);
      }
      fork(index);
    });
  };
  for (let i = 0; i < count; i++) fork(i);
  log("info", "Afterglow web processes starting", { processes: count, pid: process.pid });
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      setTimeout(() => {
        log("error", "web processes did not stop in time; exiting", { signal });
        process.exit(1);
      }, shutdownGraceMs(settings) + 5_000).unref();
      const workers = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
      let failed = false;
      Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((resolve) => {
              w.once("exit", (code) => {
                if (code !== 0) failed = true;
                resolve();
              });
              w.process.kill(signal);
            }),
        ),
      ).then(() => process.exit(failed ? 1 : 0));
    });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // Read and checked before anything starts: a bad value stops the start, naming the variable.
  // WEB_CONCURRENCY web processes share the port (node:cluster); only the first runs the
  // in-process dispatcher and housekeeping, so a single-process setup's work is not multiplied.
  const settings = config();
  // Access tokens are stored encrypted: a missing or malformed AFTERGLOW_ENCRYPTION_KEYS stops the
  // start (in production; elsewhere the local key in var/ stands in for a missing one).
  loadKeyRing({ encryptionKeys: settings.mail.encryptionKeys, production: settings.server.nodeEnv === "production" });
  const processes = settings.server.webProcesses;
  if (processes > 1 && cluster.isPrimary) runPrimary(processes, settings);
  else await runServer(settings);
}
