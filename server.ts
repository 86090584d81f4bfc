// Production server: Remix's request handler on express, plus the in-process dispatcher
// (the embedded default: one process, SQLite, no other service).
import path from "node:path";
import { fileURLToPath } from "node:url";
import express from "express";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";

const root = path.dirname(fileURLToPath(import.meta.url));
const buildPath = path.join(root, "build/server/index.js");

export async function startServer({ port = Number(process.env.PORT || 3000), host = process.env.HOST || "0.0.0.0" } = {}) {
  const build = (await import(buildPath)) as ServerBuild & {
    entry: {
      module: {
        startBackgroundWork?: () => Promise<void>;
        stopBackgroundWork?: () => Promise<void>;
        closeDatabase?: () => Promise<"closed" | "timed out">;
      };
    };
  };
  const app = express();
  app.disable("x-powered-by");
  app.use("/assets", express.static(path.join(root, "build/client/assets"), { immutable: true, maxAge: "1y" }));
  app.use(express.static(path.join(root, "build/client"), { maxAge: "1h" }));
  app.all("*", createRequestHandler({ build, mode: process.env.NODE_ENV }));

  const server = await new Promise<import("node:http").Server>((resolve) => {
    const s = app.listen(port, host, () => resolve(s));
  });
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
    if ((await build.entry.module.closeDatabase?.()) === "timed out") {
      console.error(JSON.stringify({ level: "warn", msg: "database connections did not close within 5 s" }));
    }
  }
  return { port: actualPort, server, stop };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { port, stop } = await startServer();
  console.log(JSON.stringify({ level: "info", msg: "Afterglow listening", port }));
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      // Whatever hangs in shutdown (a query after a database restart) cannot keep the process
      // up; unfinished claims come back after their lease.
      setTimeout(() => {
        console.error(JSON.stringify({ level: "error", msg: "shutdown did not finish in time; exiting", signal }));
        process.exit(1);
      }, Number(process.env.SHUTDOWN_TIMEOUT_MS || 10_000) + 15_000).unref();
      stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}
