// Generates both Prisma clients: @prisma/client's from prisma/schema.prisma (SQLite) and
// .prisma/postgres-client from prisma/postgres/schema.prisma (PostgreSQL).
// A client generated to its own folder gets its own copy of Prisma's runtime, and with it its own
// error classes, so `instanceof Prisma.PrismaClientKnownRequestError` (ours, and the Shopify
// session storage's P2002 retry) would miss PostgreSQL's errors. Pointing the PostgreSQL client
// at @prisma/client's runtime (the same version) gives both clients one set of classes.
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const only = process.argv[2]; // "sqlite" | "postgresql" | undefined (both)
const env = { ...process.env, NODE_OPTIONS: "--require=./scripts/unref-long-timers.cjs" };
const prisma = (args) => execFileSync("npx", ["prisma", ...args], { cwd: root, env, stdio: ["ignore", "ignore", "inherit"] });

if (only !== "postgresql") prisma(["generate"]);
if (only !== "sqlite") {
  prisma(["generate", "--schema", "prisma/postgres/schema.prisma"]);
  const dir = path.join(root, "node_modules/.prisma/postgres-client");
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".js"))) {
    const p = path.join(dir, file);
    const text = fs.readFileSync(p, "utf8");
    const shared = text.replace(/require\('\.\/runtime\//g, "require('@prisma/client/runtime/");
    if (shared !== text) fs.writeFileSync(p, shared);
  }
  fs.rmSync(path.join(dir, "runtime"), { recursive: true, force: true });
}
console.log(`generated the Prisma client${only ? ` (${only})` : "s (SQLite and PostgreSQL)"}`);
