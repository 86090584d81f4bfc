import { execSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ensureBuilt } from "../scripts/harness";

// The generated Prisma client must match prisma/schema.prisma before any test imports it,
// and the end-to-end tests run the built server.
export default function setup() {
  const root = path.resolve(__dirname, "..");
  const client = path.join(root, "node_modules/.prisma/client/index.js");
  const schema = path.join(root, "prisma/schema.prisma");
  if (!fs.existsSync(client) || fs.statSync(client).mtimeMs < fs.statSync(schema).mtimeMs) {
    execSync("npx prisma generate", {
      cwd: root,
      stdio: "inherit",
      env: { ...process.env, NODE_OPTIONS: "--require=./scripts/unref-long-timers.cjs" },
    });
  }
  ensureBuilt();
}
