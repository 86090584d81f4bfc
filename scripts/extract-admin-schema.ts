// Writes app/types/admin-<version>.schema.json from the Admin schema shipped in @shopify/dev-mcp.
// Shopify's codegen preset reads that file when it exists instead of downloading the schema,
// so codegen works without network access.
//
//   tsx scripts/extract-admin-schema.ts [--version 2025-10] [--force]

import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildClientSchema, type IntrospectionQuery } from "graphql";

export const ADMIN_API_VERSION = "2025-10";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const DEV_MCP_DATA = path.join(ROOT, "node_modules/@shopify/dev-mcp/dist/data");

export function adminSchemaGzPath(version: string): string {
  return path.join(DEV_MCP_DATA, `admin_${version}.json.gz`);
}

// Stable versions shipped in @shopify/dev-mcp, oldest first ("unstable" is left out).
export function shippedAdminVersions(): string[] {
  return fs
    .readdirSync(DEV_MCP_DATA)
    .map((file) => /^admin_(\d{4}-\d{2})\.json\.gz$/.exec(file)?.[1])
    .filter((v): v is string => Boolean(v))
    .sort();
}

export function readAdminIntrospection(version: string): IntrospectionQuery {
  const file = adminSchemaGzPath(version);
  if (!fs.existsSync(file)) {
    throw new Error(
      `No Admin schema for API version ${version} in @shopify/dev-mcp (looked for ${file}). ` +
        `Shipped versions: ${shippedAdminVersions().join(", ") || "none; run npm ci"}.`,
    );
  }
  const parsed = JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString("utf8"));
  // dev-mcp stores the raw HTTP answer ({ data: { __schema } }).
  const introspection = (parsed.data ?? parsed) as IntrospectionQuery;
  if (!introspection.__schema) throw new Error(`${file} is not a GraphQL introspection result.`);
  return introspection;
}

export function adminSchemaJsonPath(version = ADMIN_API_VERSION, outputDir = path.join(ROOT, "app/types")): string {
  return path.join(outputDir, `admin-${version}.schema.json`);
}

// Same shape the preset writes when it downloads the schema itself: minified { "__schema": ... }.
export function ensureAdminSchema({
  version = ADMIN_API_VERSION,
  outputDir = path.join(ROOT, "app/types"),
  force = false,
}: { version?: string; outputDir?: string; force?: boolean } = {}): { file: string; written: boolean } {
  const file = adminSchemaJsonPath(version, outputDir);
  if (!force && fs.existsSync(file)) return { file, written: false };
  const introspection = readAdminIntrospection(version);
  buildClientSchema(introspection); // fail here, not inside codegen, if the data is broken
  fs.mkdirSync(outputDir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ __schema: introspection.__schema }));
  fs.renameSync(tmp, file);
  return { file, written: true };
}

function main(argv: string[]): void {
  const versionAt = argv.indexOf("--version");
  const version = versionAt >= 0 ? argv[versionAt + 1] : ADMIN_API_VERSION;
  if (!version) throw new Error("--version needs a value such as 2025-10");
  const { file, written } = ensureAdminSchema({ version, force: argv.includes("--force") });
  const size = (fs.statSync(file).size / 1024 / 1024).toFixed(1);
  console.log(`${written ? "Wrote" : "Kept existing"} ${path.relative(ROOT, file)} (${size} MB)`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2));
}
