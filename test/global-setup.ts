import { execSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ensureBuilt } from "../scripts/harness";
import { dropAbandonedTestDatabases, testDatabaseKind } from "../scripts/databases";

// Both generated Prisma clients must match their schema files before any test imports them,
// and the end-to-end tests run the built server.
export default async function setup() {
  const root = path.resolve(__dirname, "..");
  for (const [kind, client, schema] of [
    ["sqlite", "node_modules/.prisma/client/index.js", "prisma/schema.prisma"],
    ["postgresql", "node_modules/.prisma/postgres-client/index.js", "prisma/postgres/schema.prisma"],
  ]) {
    const clientFile = path.join(root, client);
    if (!fs.existsSync(clientFile) || fs.statSync(clientFile).mtimeMs < fs.statSync(path.join(root, schema)).mtimeMs) {
      execSync(`node scripts/generate-prisma-clients.cjs ${kind}`, { cwd: root, stdio: "inherit" });
    }
  }
  if (testDatabaseKind() === "postgresql") await dropAbandonedTestDatabases();
  ensureBuilt();
}
