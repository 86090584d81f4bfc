// Starts Afterglow's built server as a child process against a given database and the
// simulators, the way the demo, the end-to-end tests and the benchmarks need it.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { projectRoot } from "./project-root";
import { createFreshDatabase, type DatabaseKind, type FreshDatabase } from "./databases";
import { DEFAULT_LOCAL_KEY_FILE, localKeySource } from "../app/platform/encryption.server";

export const ROOT = projectRoot(import.meta.url);
export const TEST_API_KEY = "afterglow-local-api-key";
export const TEST_API_SECRET = "afterglow-local-api-secret";

// The built app runs as in production, which needs AFTERGLOW_ENCRYPTION_KEYS. Without it in the
// environment it gets the key a development process keeps (var/encryption-key), so the CLI and a
// test's own code read the tokens it stores and it reads theirs.
export function appEncryptionKeys(): { AFTERGLOW_ENCRYPTION_KEYS: string } {
  return { AFTERGLOW_ENCRYPTION_KEYS: process.env.AFTERGLOW_ENCRYPTION_KEYS?.trim() || localKeySource(path.join(ROOT, DEFAULT_LOCAL_KEY_FILE)) };
}

// The harness's runs (benchmarks, fault scripts, most end-to-end tests) send thousands of emails
// for one shop; the free plan's monthly allowance would hold most of them. A test of the plans
// sets its own AFTERGLOW_FREE_EMAILS_PER_MONTH in `env`, which comes after this.
export const NO_PLAN_LIMIT_ENV = { AFTERGLOW_FREE_EMAILS_PER_MONTH: "10000000" } as const;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

// What `npm run build` writes and production runs: the Remix app, and the server and the worker
// compiled to JavaScript (vite.node.config.ts).
export const BUILT_SERVER = "build/node/server.js";
export const BUILT_WORKER = "build/node/scripts/worker.js";
export const BUILT_CLI = "build/node/cli/afterglow.js";

export function buildIsCurrent(): boolean {
  const outputs = ["build/server/index.js", BUILT_SERVER, BUILT_WORKER].map((p) => path.join(ROOT, p));
  if (!outputs.every((p) => fs.existsSync(p))) return false;
  const builtAt = Math.min(...outputs.map((p) => fs.statSync(p).mtimeMs));
  const files = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  // build/node/ mirrors the source tree, so each compiled file names the source it came from.
  const compiledFrom = files(path.join(ROOT, "build/node")).flatMap((built) => {
    const source = path.join(ROOT, path.relative(path.join(ROOT, "build/node"), built).replace(/\.js$/, ""));
    return [source, `${source}.ts`, `${source}.tsx`].filter((p) => fs.existsSync(p));
  });
  const sources = [...files(path.join(ROOT, "app")), ...files(path.join(ROOT, "emails")), ...compiledFrom];
  return Math.max(...sources.map((p) => fs.statSync(p).mtimeMs)) <= builtAt;
}

export function ensureBuilt(): void {
  if (buildIsCurrent()) return;
  // As production builds it: under the test runner NODE_ENV is "test", and Vite would bundle
  // React's development build (its warnings are console errors to the browser tests).
  const r = spawnSync("npm", ["run", "build"], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NODE_ENV: "production" } });
  if (r.status !== 0) throw new Error(`The app did not build (npm run build):\n${r.stdout}\n${r.stderr}`);
}

// `prisma migrate deploy`, as `npm run setup` does: prisma.config.ts picks the schema and the
// migrations (SQLite or PostgreSQL) from the URL.
export function migrateDeploy(databaseUrl: string): void {
  const r = spawnSync("npx", ["prisma", "migrate", "deploy"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, NODE_OPTIONS: "--require=./scripts/unref-long-timers.cjs" },
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`prisma migrate deploy failed:\n${r.stdout}\n${r.stderr}`);
}

// A new database for a started app, migrated by `prisma migrate deploy`: SQLite, or PostgreSQL
// when TEST_DATABASE=postgresql (or `kind` says so). drop() removes it.
export function createAppDatabase({ name, kind }: { name: string; kind?: DatabaseKind }): FreshDatabase {
  const database = createFreshDatabase({ name, kind, migrate: false });
  try {
    migrateDeploy(database.url);
  } catch (err) {
    void database.drop();
    throw err;
  }
  return database;
}

export interface RunningApp {
  url: string;
  port: number;
  child: ChildProcess;
  logs: string[];
  stop(): Promise<void>;
}

export async function startApp({
  env,
  port,
  quiet = true,
  nodeArgs = [],
}: {
  env: Record<string, string>;
  port?: number;
  quiet?: boolean;
  nodeArgs?: string[]; // e.g. --cpu-prof when profiling
}): Promise<RunningApp> {
  const p = port ?? (await freePort());
  const logs: string[] = [];
  const child = spawn(process.execPath, [...nodeArgs, BUILT_SERVER], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: "production",
      ...appEncryptionKeys(),
      SHOPIFY_API_KEY: TEST_API_KEY,
      SHOPIFY_API_SECRET: TEST_API_SECRET,
      SHOPIFY_APP_URL: `http://127.0.0.1:${p}`,
      SCOPES: "read_orders,read_products,read_customers,write_customers",
      ...NO_PLAN_LIMIT_ENV,
      ...env,
      PORT: String(p),
      HOST: "127.0.0.1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (!line) continue;
      logs.push(line);
      if (!quiet) process.stderr.write(`[app] ${line}\n`);
    }
  };
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const url = `http://127.0.0.1:${p}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The app exited (${child.exitCode}):\n${logs.join("\n")}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`The app did not start within 30 s:\n${logs.join("\n")}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port: p,
    child,
    logs,
    async stop() {
      if (child.exitCode !== null || child.signalCode) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

// Runs the operator CLI the way an operator would (`npm run afterglow`, the build). Asynchronous, so simulators running in
// this process keep answering while the CLI talks to them.
export function runCli(
  args: string[],
  env: Record<string, string>,
  { input }: { input?: string } = {},
): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BUILT_CLI, ...args], {
      cwd: ROOT,
      // The CLI runs with the app's configuration, as it would beside the deployed app.
      env: { ...process.env, SHOPIFY_API_KEY: TEST_API_KEY, SHOPIFY_API_SECRET: TEST_API_SECRET, ...NO_PLAN_LIMIT_ENV, ...env },
      stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    if (input !== undefined) child.stdin!.end(input);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}
