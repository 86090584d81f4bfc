// The ingest benchmark's baseline, started by bench/ingest.ts: Express and Remix's request handler
// as the app's server has them, one route that runs only authenticate.webhook (the app's own
// Shopify configuration and session storage, on the benchmark's database), nothing stored.
// WEB_CONCURRENCY processes share the port, as in the app. The app itself never serves this route.
import cluster from "node:cluster";
import http from "node:http";
import express from "express";
import { createRequestHandler } from "@remix-run/express";
import type { ActionFunctionArgs, ServerBuild } from "@remix-run/node";
import { authenticate } from "../app/shopify.server";

export const BARE_WEBHOOK_PATH = "/webhooks/bench/bare";

async function action({ request }: ActionFunctionArgs) {
  try {
    await authenticate.webhook(request);
  } catch (err) {
    if (err instanceof Response) return err;
    throw err;
  }
  return new Response();
}

// Resource routes export no component, which the build's type does not allow for.
type RouteModule = ServerBuild["routes"][string]["module"];

// A Remix build with the one resource route, so a request pays the same routing the app's does.
const build: ServerBuild = {
  mode: "production",
  entry: { module: { default: () => new Response("Not found", { status: 404 }) } },
  routes: {
    root: { id: "root", path: "", module: {} as RouteModule },
    "routes/bare": { id: "routes/bare", parentId: "root", path: BARE_WEBHOOK_PATH.slice(1), module: { action } as unknown as RouteModule },
  },
  assets: { entry: { imports: [], module: "" }, routes: {}, url: "", version: "bench" },
  publicPath: "/",
  assetsBuildDirectory: "",
  future: { v3_fetcherPersist: true, v3_relativeSplatPath: true, v3_throwAbortReason: true, v3_lazyRouteDiscovery: true, v3_singleFetch: false },
  isSpaMode: false,
};

function serve(port: number) {
  const app = express();
  app.disable("x-powered-by");
  app.all("*", createRequestHandler({ build, mode: "production" }));
  http.createServer(app).listen(port, "127.0.0.1", () => console.log(`bare webhook server listening on ${port}`));
}

const port = Number(process.env.PORT);
const processes = Number(process.env.WEB_CONCURRENCY || 1);
if (cluster.isPrimary && processes > 1) {
  for (let i = 0; i < processes; i++) cluster.fork();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
      process.exit(0);
    });
  }
} else {
  serve(port);
}
