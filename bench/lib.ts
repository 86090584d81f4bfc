// Shared pieces of the benchmark scripts: services in child processes, percentiles, reports.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "../scripts/harness";

export interface ChildService {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

// Runs a simulator in its own process (as the real service would be) and reads its URL.
export async function startChildService(script: string, urlPattern: RegExp, args: string[] = []): Promise<ChildService> {
  const child = spawn(process.execPath, ["--import", "tsx", script, "--port", "0", ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`${script} did not start:\n${out}`)), 30_000);
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString("utf8");
      const m = urlPattern.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once("exit", (code) => reject(new Error(`${script} exited (${code}):\n${out}`)));
  });
  child.stdout!.resume();
  return {
    url,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function summarize(latenciesMs: number[]) {
  const s = [...latenciesMs].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN };
}

export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "-");

export function printTable(rows: Record<string, string | number>[]) {
  if (rows.length === 0) return;
  const keys = Object.keys(rows[0]);
  const width = keys.map((k) => Math.max(k.length, ...rows.map((r) => String(r[k]).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padStart(width[i])).join("  ");
  console.log(line(keys));
  for (const r of rows) console.log(line(keys.map((k) => String(r[k]))));
}

export function writeResult(name: string, result: unknown) {
  const dir = path.join(ROOT, "var/bench");
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(result, null, 2));
  console.log(`\nFull result: ${path.relative(ROOT, file)}`);
}

export function envNumber(name: string, fallback: number): number {
  const v = process.env[name];
  return v ? Number(v) : fallback;
}

// CPU time (user + system, seconds) a process has used so far, from /proc; 0 once it is gone.
export function processCpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}
const CLOCK_TICKS = 100; // USER_HZ, 100 on Linux x86_64 and arm64

// Process ids whose command name is `name` (e.g. every PostgreSQL backend).
export function pidsNamed(name: string): number[] {
  return fs
    .readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return fs.readFileSync(`/proc/${d}/comm`, "utf8").trim() === name;
      } catch {
        return false;
      }
    })
    .map(Number);
}

// Busy and total CPU time of the whole machine (all cores), seconds.
function machineCpu(): { busy: number; total: number } {
  const cpu = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((a, b) => a + b, 0);
  const idle = cpu[3] + (cpu[4] ?? 0);
  return { busy: (total - idle) / CLOCK_TICKS, total: total / CLOCK_TICKS };
}

// CPU used by groups of processes between start() and stop(): where the machine's time went.
// Groups are read again at stop() so processes started in between (PostgreSQL backends) count.
export function cpuMeter(groups: () => Record<string, number[]>) {
  // A process started after this counts from zero, which is right: all its time is in the window.
  const before = new Map<number, number>();
  for (const pids of Object.values(groups())) for (const pid of pids) before.set(pid, processCpuSeconds(pid));
  const machineBefore = machineCpu();
  const selfBefore = process.cpuUsage();
  return {
    stop(): { bySeconds: Record<string, number>; machineBusy: number; machineSeconds: number } {
      const machineAfter = machineCpu();
      const self = process.cpuUsage(selfBefore);
      const bySeconds: Record<string, number> = {};
      for (const [name, pids] of Object.entries(groups())) {
        bySeconds[name] = pids.reduce((sum, pid) => sum + Math.max(0, processCpuSeconds(pid) - (before.get(pid) ?? 0)), 0);
      }
      bySeconds["benchmark"] = (self.user + self.system) / 1e6;
      return {
        bySeconds,
        machineBusy: machineAfter.busy - machineBefore.busy,
        machineSeconds: machineAfter.total - machineBefore.total,
      };
    },
  };
}

// The same table as Markdown, to paste into docs/benchmarks.md.
export function printMarkdownTable(rows: Record<string, string | number>[]) {
  if (rows.length === 0) return;
  const keys = Object.keys(rows[0]);
  console.log(`| ${keys.join(" | ")} |`);
  console.log(`| ${keys.map(() => "---").join(" | ")} |`);
  for (const r of rows) console.log(`| ${keys.map((k) => String(r[k]).replace(/\|/g, "\\|")).join(" | ")} |`);
}

// `--database postgresql` (or BENCH_DATABASE); SQLite by default.
export function databaseKindFromArgs(): "sqlite" | "postgresql" {
  const i = process.argv.indexOf("--database");
  const kind = i >= 0 ? process.argv[i + 1] : process.env.BENCH_DATABASE || "sqlite";
  if (kind === "sqlite" || kind === "postgresql") return kind;
  throw new Error(`--database must be sqlite or postgresql; got "${kind}"`);
}
