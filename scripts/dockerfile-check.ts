// npm run docker:check — carries out the Dockerfile's steps on this machine, for where no Docker
// daemon (or no registry for the node:22-slim base image) is at hand: each stage in a directory
// of its own standing in for /app, COPY honouring .dockerignore, RUN through sh with the stage's
// ENV, then the final stage's CMD started with the image's environment. It passes when the
// pruned image answers /healthz and /readyz and stops with exit code 0 on SIGTERM, which is what
// a layer left out, or a runtime package pruned as a dev dependency, would break.
// System packages (apt-get install) are checked as present, never installed.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, ROOT } from "./harness";

interface Instruction {
  op: string;
  args: string;
  line: number;
}
interface Stage {
  name: string | null;
  dir: string;
  workdir: string; // the path inside the image, e.g. /app
  env: Record<string, string>;
  cmd: string[] | null;
  entrypoint: string[] | null;
}

export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i];
    if (/^\s*(#|$)/.test(line)) continue;
    while (/\\\s*$/.test(line) && i + 1 < lines.length) {
      line = line.replace(/\\\s*$/, " ") + lines[++i].replace(/^\s*#.*$/, "");
    }
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`Dockerfile line ${start + 1}: cannot read "${line.trim()}"`);
    out.push({ op: m[1].toUpperCase(), args: m[2].trim(), line: start + 1 });
  }
  return out;
}

// KEY=value pairs (values may be quoted), as ENV writes them.
function parseEnv(args: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("([^"]*)"|\S*)/g)) env[m[1]] = m[3] ?? m[2];
  return env;
}

// .dockerignore patterns of the forms this project uses: names, globs with *, and paths.
function ignoredBy(patterns: string[]): (rel: string) => boolean {
  const res = patterns.map((p) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*")}(/.*)?$`));
  return (rel) => res.some((re) => re.test(rel) || re.test(path.basename(rel)));
}

function copyInto(src: string, dest: string, ignored: (rel: string) => boolean, rel = "") {
  const stat = fs.lstatSync(src);
  // COPY keeps symbolic links as links (node_modules/.bin is made of them).
  if (stat.isSymbolicLink()) {
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.symlinkSync(fs.readlinkSync(src), dest);
  } else if (stat.isDirectory()) {
    fs.mkdirSync(dest, { recursive: true });
    for (const entry of fs.readdirSync(src)) {
      const r = rel ? `${rel}/${entry}` : entry;
      if (ignored(r)) continue;
      copyInto(path.join(src, entry), path.join(dest, entry), ignored, r);
    }
  } else {
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(src, dest);
  }
}

const sh = (command: string, cwd: string, env: Record<string, string>) => {
  console.log(`  $ ${command}`);
  const r = spawnSync("sh", ["-c", command], { cwd, env: { ...process.env, ...env }, stdio: "inherit" });
  if (r.status !== 0) throw new Error(`RUN failed (exit ${r.status}): ${command}`);
};

function checkSystemPackages(command: string) {
  const install = /apt-get install([^&;]*)/.exec(command);
  if (!install) return;
  const packages = install[1].split(/\s+/).filter((p) => p && !p.startsWith("-"));
  const missing = packages.filter((p) => spawnSync("dpkg", ["-s", p], { stdio: "ignore" }).status !== 0);
  console.log(`  system packages ${packages.join(", ")}: ${missing.length ? `not on this machine: ${missing.join(", ")}` : "present"}`);
}

async function main() {
  const text = fs.readFileSync(path.join(ROOT, "Dockerfile"), "utf8");
  const ignorePatterns = fs.existsSync(path.join(ROOT, ".dockerignore"))
    ? fs.readFileSync(path.join(ROOT, ".dockerignore"), "utf8").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"))
    : [];
  const ignored = ignoredBy(ignorePatterns);
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "afterglow-dockerfile-"));
  const stages: Stage[] = [];
  let stage: Stage | null = null;
  const inStage = (s: Stage, p: string) => path.join(s.dir, path.posix.resolve(s.workdir, p).replace(/^\/app\/?/, ""));

  for (const ins of parseDockerfile(text)) {
    console.log(`${ins.line}: ${ins.op} ${ins.args.slice(0, 110)}`);
    if (ins.op === "FROM") {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args)!;
      // This machine's Node stands in for the image's, so both must be the same major version.
      const major = /^node:(\d+)\b/.exec(m[1])?.[1];
      if (major !== process.versions.node.split(".")[0]) throw new Error(`FROM ${m[1]}: this check runs on Node ${process.version}, so it stands in for node:${process.versions.node.split(".")[0]} images only`);
      stage = { name: m[2] ?? null, dir: path.join(base, `stage-${stages.length}`), workdir: "/", env: {}, cmd: null, entrypoint: null };
      fs.mkdirSync(stage.dir);
      stages.push(stage);
      continue;
    }
    if (!stage) throw new Error(`line ${ins.line}: ${ins.op} before FROM`);
    switch (ins.op) {
      case "WORKDIR":
        if (ins.args !== "/app") throw new Error(`WORKDIR ${ins.args}: only /app is mapped`);
        stage.workdir = ins.args;
        break;
      case "ENV":
        Object.assign(stage.env, parseEnv(ins.args));
        break;
      case "COPY": {
        const parts = ins.args.split(/\s+/);
        const from = parts.find((p) => p.startsWith("--from="))?.slice("--from=".length);
        const paths = parts.filter((p) => !p.startsWith("--"));
        const dest = paths.pop()!;
        for (const src of paths) {
          if (from) {
            const source = stages.find((s) => s.name === from);
            if (!source) throw new Error(`COPY --from=${from}: no such stage`);
            copyInto(inStage(source, src), inStage(stage, dest), () => false);
          } else {
            const target = dest.endsWith("/") || paths.length > 1 || src === "." ? path.join(inStage(stage, dest), src === "." ? "" : path.basename(src)) : inStage(stage, dest);
            copyInto(path.join(ROOT, src), target, src === "." ? ignored : (rel) => ignored(`${src}/${rel}`));
          }
        }
        break;
      }
      case "RUN":
        for (const command of ins.args.split(/\s*&&\s*/)) {
          if (/^(apt-get|rm -rf \/var\/lib\/apt)/.test(command)) checkSystemPackages(command);
          else if (/^(mkdir -p \/data|chown )/.test(command)) console.log(`  (outside /app, stood in for: ${command})`);
          // This machine's npm cache is shared; emptying it would only slow the next install here.
          else if (/^npm cache clean/.test(command)) console.log(`  (skipped here: ${command})`);
          else sh(command, stage.workdir === "/app" ? stage.dir : base, stage.env);
        }
        break;
      case "CMD":
        stage.cmd = JSON.parse(ins.args);
        break;
      case "ENTRYPOINT":
        stage.entrypoint = JSON.parse(ins.args);
        break;
      case "USER":
      case "EXPOSE":
      case "VOLUME":
      case "ARG":
      case "LABEL":
        break;
      default:
        throw new Error(`line ${ins.line}: ${ins.op} is not handled by this check`);
    }
  }

  const image = stages[stages.length - 1];
  if (!image.cmd) throw new Error("the final stage has no CMD");
  for (const dir of ["test", "bench"]) if (fs.existsSync(path.join(image.dir, dir))) throw new Error(`${dir}/ is in the image`);
  const devOnly = ["vitest", "playwright-core", "@shopify/dev-mcp"].filter((p) => fs.existsSync(path.join(image.dir, "node_modules", p)));
  if (devOnly.length) throw new Error(`dev dependencies left in the image: ${devOnly.join(", ")}`);
  // Production runs the compiled build/node/: neither the command nor the npm scripts it calls may
  // use tsx (vite, a dependency, still brings it along as an optional peer).
  const scripts: Record<string, string> = JSON.parse(fs.readFileSync(path.join(image.dir, "package.json"), "utf8")).scripts;
  const runs = image.cmd.join(" ").replace(/npm run ([\w:-]+)/g, (_, name: string) => scripts[name] ?? name);
  if (/\btsx\b/.test(runs)) throw new Error(`the image's command runs tsx: ${runs}`);

  // The image's environment, with /data (its volume) under the scratch directory.
  const data = path.join(base, "data");
  fs.mkdirSync(data);
  const port = await freePort();
  const env: Record<string, string> = {
    PATH: process.env.PATH!,
    HOME: os.homedir(),
    ...Object.fromEntries(Object.entries(image.env).map(([k, v]) => [k, v.replace(/\/data\//g, `${data}/`)])),
    PORT: String(port),
    HOST: "127.0.0.1",
    SHOPIFY_API_KEY: "docker-check",
    SHOPIFY_API_SECRET: "docker-check-secret",
    // Production does not start without it: access tokens are stored encrypted.
    AFTERGLOW_ENCRYPTION_KEYS: `docker-check:${randomBytes(32).toString("base64")}`,
    SHOPIFY_APP_URL: `http://127.0.0.1:${port}`,
    SCOPES: "read_orders,read_products,read_customers,write_customers",
  };
  const [command, ...args] = image.cmd;
  console.log(`\nStarting the image's CMD: ${image.cmd.join(" ")} (ENTRYPOINT ${image.entrypoint?.join(" ") ?? "none"}; tini only forwards signals)`);
  const child = spawn(command, args, { cwd: image.dir, env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"], detached: true });
  // The CMD's process must be the server (or stay its parent): anything else left behind would be
  // killed with the container instead of shutting down.
  let output = "";
  child.stdout.on("data", (c) => (output += c));
  child.stderr.on("data", (c) => (output += c));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  const url = `http://127.0.0.1:${port}`;
  try {
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the image's CMD exited (${child.exitCode}):\n${output}`);
      const res = await fetch(`${url}/healthz`).catch(() => null);
      if (res?.ok) break;
      if (Date.now() > deadline) throw new Error(`no answer on /healthz within 90 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const ready = await fetch(`${url}/readyz`);
    const readyBody = await ready.text();
    if (ready.status !== 200) throw new Error(`/readyz answered ${ready.status}: ${readyBody}`);
    console.log(`/healthz 200, /readyz 200 ${readyBody}`);
    if (!fs.existsSync(path.join(data, "afterglow.sqlite"))) throw new Error("the migrations did not create the database on the volume");
    // What tini does when the container is stopped: SIGTERM to its child, the CMD's process.
    process.kill(child.pid!, "SIGTERM");
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r("still running 30 s after SIGTERM"), 30_000))]);
    if (code !== 0) throw new Error(`after SIGTERM: ${code}\n${output}`);
    // Child processes the server started may end a moment after it: a moment's grace.
    let leftover = "";
    for (let i = 0; i < 20; i++) {
      leftover = spawnSync("pgrep", ["-a", "-g", String(child.pid)], { encoding: "utf8" }).stdout.trim();
      if (!leftover) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    if (leftover) throw new Error(`processes still running 5 s after the CMD exited:\n${leftover}`);
    console.log("Stopped with exit code 0 after SIGTERM.\n\nPASS: the Dockerfile's steps build an app that starts, answers and stops cleanly.");
  } finally {
    if (child.exitCode === null) process.kill(-child.pid!, "SIGKILL");
    fs.rmSync(base, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(ROOT, "scripts/dockerfile-check.ts")) {
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(`\nFAIL: ${err instanceof Error ? err.message : err}`);
      process.exit(1);
    },
  );
}
