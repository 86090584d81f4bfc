// Private Redis and PostgreSQL instances and dispatch worker processes, for the queue tests,
// the worker benchmark and the fault scripts: they flush and restart their own servers, never
// the machine's shared ones.
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { appEncryptionKeys, BUILT_WORKER, freePort, NO_PLAN_LIMIT_ENV, ROOT, TEST_API_KEY, TEST_API_SECRET } from "../harness";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface RedisInstance {
  url: string;
  port: number;
  // Runs a redis-cli command against this instance.
  cli(...args: string[]): string;
  // Stops the server (all data lost: it keeps nothing on disk) and starts it again on the same port.
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
  pid(): number | undefined;
}

export async function startRedis(): Promise<RedisInstance> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "afterglow-redis-"));
  let child: ChildProcess | null = null;
  const cli = (...args: string[]) =>
    execFileSync("redis-cli", ["-p", String(port), ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  async function up() {
    child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], {
      stdio: "ignore",
    });
    for (let i = 0; i < 100; i++) {
      try {
        if (cli("ping") === "PONG") return;
      } catch {
        // not up yet
      }
      await sleep(50);
    }
    throw new Error(`redis-server on port ${port} did not start`);
  }
  async function down() {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    c.kill("SIGKILL");
    await exited;
  }
  await up();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    cli,
    async restart(downMs = 1_000) {
      await down();
      await sleep(downMs);
      await up();
    },
    async stop() {
      await down();
      fs.rmSync(dir, { recursive: true, force: true });
    },
    pid: () => (child as ChildProcess | null)?.pid,
  };
}

export interface PostgresInstance {
  url: string;
  port: number;
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const PG_BIN = "/usr/lib/postgresql/15/bin";

// A throwaway PostgreSQL cluster of our own (initdb + pg_ctl on a free port), so it can be
// restarted without touching anyone else's database. Runs as the current user, or as
// `postgres` when we are root (PostgreSQL refuses to run as root).
export async function startPostgres(): Promise<PostgresInstance> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "afterglow-pg-"));
  const data = path.join(dir, "data");
  const asRoot = process.getuid?.() === 0;
  if (asRoot) execFileSync("chown", ["-R", "postgres", dir]);
  const run = (bin: string, args: string[]) => {
    const cmd = asRoot ? "runuser" : path.join(PG_BIN, bin);
    const full = asRoot ? ["-u", "postgres", "--", path.join(PG_BIN, bin), ...args] : args;
    const r = spawnSync(cmd, full, { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${bin} ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
  };
  run("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=200`;
  const up = () => run("pg_ctl", ["-D", data, "-o", opts, "-l", path.join(dir, "log"), "-w", "start"]);
  const down = () => run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
  up();
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    async restart(downMs = 1_000) {
      down();
      await sleep(downMs);
      up();
    },
    async stop() {
      try {
        down();
      } catch {
        // already down
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  logs: string[];
  // Lines that say a follow-up went out from this worker.
  sentCount(): number;
  // Peak resident memory (kB) while it ran, from /proc.
  peakRssKb(): number;
  // Resident memory (kB) now, from /proc.
  rssKb(): number;
  // SIGTERM, then waits for the exit code.
  stop(): Promise<number | null>;
  kill(): Promise<void>;
  exited: Promise<number | null>;
}

// The built worker (`npm run worker`), or with `fromSource` the TypeScript through tsx, as it ran
// before production was compiled (scripts/measure-worker-rss.ts compares the two).
// A worker with `cpus` set runs in a CPU cgroup of that many cores, as a container with a CPU
// limit would: then how workers scale can be measured apart from the machine's own cores.
export async function startWorker(
  env: Record<string, string>,
  { quiet = true, cpus, fromSource = false }: { quiet?: boolean; cpus?: number; fromSource?: boolean } = {},
): Promise<WorkerProcess> {
  const child = spawn(process.execPath, fromSource ? ["--import", "tsx", "scripts/worker.ts"] : [BUILT_WORKER], {
    cwd: ROOT,
    // The worker runs with the app's configuration, as it would beside the deployed app.
    // NODE_ENV as `npm run worker` sets it: React's production build renders the emails.
    env: { ...process.env, NODE_ENV: "production", ...appEncryptionKeys(), SHOPIFY_API_KEY: TEST_API_KEY, SHOPIFY_API_SECRET: TEST_API_SECRET, LOG_LEVEL: "info", ...NO_PLAN_LIMIT_ENV, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (cpus) {
    const release = limitCpu(child.pid!, cpus);
    child.once("exit", release);
  }
  const logs: string[] = [];
  let sent = 0;
  let peak = 0;
  let buffered = "";
  const collect = (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) {
      if (line.includes('"follow-up sent"')) sent += 1;
      else logs.push(line);
      if (!quiet) process.stderr.write(`[worker ${child.pid}] ${line}\n`);
    }
  };
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const sampler = setInterval(() => {
    try {
      const status = fs.readFileSync(`/proc/${child.pid}/status`, "utf8");
      peak = Math.max(peak, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
    } catch {
      // exited
    }
  }, 250);
  sampler.unref();
  void exited.then(() => clearInterval(sampler));
  const deadline = Date.now() + 60_000;
  while (!logs.some((l) => l.startsWith("Afterglow worker ready"))) {
    if (child.exitCode !== null) throw new Error(`The worker exited (${child.exitCode}):\n${logs.join("\n")}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`The worker did not start within 60 s:\n${logs.join("\n")}`);
    }
    await sleep(50);
  }
  return {
    child,
    pid: child.pid!,
    logs,
    exited,
    sentCount: () => sent,
    peakRssKb: () => peak,
    rssKb: () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1] ?? 0),
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill("SIGTERM");
      return exited;
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode) return;
      child.kill("SIGKILL");
      await exited;
    },
  };
}

const CGROUP_V1_CPU = "/sys/fs/cgroup/cpu";
const CGROUP_V2 = "/sys/fs/cgroup";

// Whether this machine lets us put a process under a CPU limit (root, a writable cgroup).
export function cpuLimitAvailable(): boolean {
  try {
    limitCpu(process.pid, 0, { dryRun: true })();
    return true;
  } catch {
    return false;
  }
}

// Puts a process in a cgroup of its own limited to `cpus` cores (CFS quota per 100 ms period).
// Returns what removes the cgroup once the process has exited.
function limitCpu(pid: number, cpus: number, { dryRun = false } = {}): () => void {
  const period = 100_000;
  const quota = Math.max(1_000, Math.round(cpus * period));
  const v1 = fs.existsSync(path.join(CGROUP_V1_CPU, "cpu.cfs_quota_us"));
  const v2 = !v1 && fs.existsSync(path.join(CGROUP_V2, "cgroup.controllers")) && fs.readFileSync(path.join(CGROUP_V2, "cgroup.subtree_control"), "utf8").includes("cpu");
  if (!v1 && !v2) throw new Error("no writable CPU cgroup (v1 cpu controller or v2 with cpu enabled)");
  const dir = path.join(v1 ? CGROUP_V1_CPU : CGROUP_V2, `afterglow-${dryRun ? "probe" : "worker"}-${pid}-${Date.now()}`);
  fs.mkdirSync(dir);
  try {
    if (v1) {
      fs.writeFileSync(path.join(dir, "cpu.cfs_period_us"), String(period));
      fs.writeFileSync(path.join(dir, "cpu.cfs_quota_us"), String(quota));
    } else {
      fs.writeFileSync(path.join(dir, "cpu.max"), `${quota} ${period}`);
    }
    if (!dryRun) fs.writeFileSync(path.join(dir, "cgroup.procs"), String(pid));
  } catch (err) {
    fs.rmdirSync(dir);
    throw err;
  }
  return () => {
    try {
      fs.rmdirSync(dir);
    } catch {
      // still has a process in it; the machine's next reboot clears it
    }
  };
}
