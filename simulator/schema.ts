// The real Shopify Admin GraphQL schema, from the introspection files @shopify/dev-mcp ships,
// so the store simulator accepts exactly the documents Shopify would.

import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { createRequire } from "node:module";
import { buildClientSchema, type GraphQLSchema, type IntrospectionQuery } from "graphql";

const require = createRequire(import.meta.url);
const schemas = new Map<string, GraphQLSchema>();
let dataDirectory: string | undefined;

// @shopify/dev-mcp exports only its ESM entry, so require.resolve cannot name its files;
// walk the same node_modules directories require would search instead.
function adminSchemaDirectory(): string {
  if (dataDirectory) return dataDirectory;
  for (const base of require.resolve.paths("@shopify/dev-mcp") ?? []) {
    const candidate = path.join(base, "@shopify", "dev-mcp", "dist", "data");
    if (fs.existsSync(path.join(base, "@shopify", "dev-mcp", "package.json")) && fs.existsSync(candidate)) {
      dataDirectory = candidate;
      return candidate;
    }
  }
  throw new Error("The store simulator needs @shopify/dev-mcp (it ships the Admin API schema); run npm install.");
}

// Versions with a schema on disk, oldest first, "unstable" last.
export function supportedAdminVersions(): string[] {
  const versions = fs
    .readdirSync(adminSchemaDirectory())
    .map((file) => /^admin_(\d{4}-\d{2}|unstable)\.json\.gz$/.exec(file)?.[1])
    .filter((version): version is string => Boolean(version));
  return versions.sort((a, b) => (a === "unstable" ? 1 : b === "unstable" ? -1 : a.localeCompare(b)));
}

export function loadAdminSchema(version = "2025-10"): GraphQLSchema {
  const cached = schemas.get(version);
  if (cached) return cached;
  if (!supportedAdminVersions().includes(version)) {
    throw new Error(
      `No Admin API schema for version ${version}; @shopify/dev-mcp has ${supportedAdminVersions().join(", ")}.`,
    );
  }
  const file = path.join(adminSchemaDirectory(), `admin_${version}.json.gz`);
  const parsed = JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString("utf8")) as
    | { data: IntrospectionQuery }
    | IntrospectionQuery;
  const introspection = "data" in parsed ? parsed.data : parsed;
  const schema = buildClientSchema(introspection);
  schemas.set(version, schema);
  return schema;
}
