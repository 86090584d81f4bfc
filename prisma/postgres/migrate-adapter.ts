// The driver adapter the Prisma CLI (migrate deploy / diff / status) uses on PostgreSQL.
// @prisma/adapter-pg 6.19.3 needs three workarounds in the schema engine's hands (prisma/orm#27403);
// the app's runtime client needs none of them.
import { randomUUID } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlDriverAdapter } from "@prisma/driver-adapter-utils";

// The schema engine's catalog queries return columns of PostgreSQL's internal types (`name`,
// `"char"`, `pg_node_tree`) that the adapter cannot map; report them as text / text[].
const OID_AS_TEXT: Record<number, number> = { 18: 25, 19: 25, 194: 25, 1002: 1009, 1003: 1009 };
const patchedPrototypes = new WeakSet<object>();

function readCatalogTypesAsText(adapter: SqlDriverAdapter): SqlDriverAdapter {
  const queryable = Object.getPrototypeOf(Object.getPrototypeOf(adapter)); // PgQueryable.prototype
  if (!patchedPrototypes.has(queryable)) {
    patchedPrototypes.add(queryable);
    const performIO = queryable.performIO;
    queryable.performIO = async function (...args: unknown[]) {
      const result = await performIO.apply(this, args);
      for (const field of result?.fields ?? []) field.dataTypeID = OID_AS_TEXT[field.dataTypeID] ?? field.dataTypeID;
      return result;
    };
  }
  return adapter;
}

export function postgresMigrateAdapter(connectionString: string) {
  // Discrete fields, not { connectionString }: pg lets a connection string override `database`,
  // which would make the adapter's "shadow" database the real one.
  const u = new URL(connectionString);
  const base = {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username) || "postgres",
    password: decodeURIComponent(u.password) || undefined,
    database: decodeURIComponent(u.pathname.slice(1)),
    // pg's default 10 s idle timeout would keep the CLI alive long after it is done.
    idleTimeoutMillis: 100,
  };
  const factory = new PrismaPg(base);
  return {
    provider: "postgres" as const,
    adapterName: factory.adapterName,
    connect: async () => readCatalogTypesAsText(await factory.connect()),
    // The adapter drops the shadow database before closing its pool (it fails, and leaks it):
    // close first, then drop.
    connectToShadowDb: async () => {
      const main = await factory.connect();
      const name = `afterglow_shadow_${randomUUID().replace(/-/g, "")}`;
      await main.executeScript(`CREATE DATABASE "${name}"`);
      const shadow = readCatalogTypesAsText(await new PrismaPg({ ...base, database: name }).connect());
      const dispose = shadow.dispose.bind(shadow);
      shadow.dispose = async () => {
        await dispose();
        await main.executeScript(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await main.dispose();
      };
      return shadow;
    },
  };
}
