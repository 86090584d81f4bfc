import { createRequire } from "node:module";
import { PrismaClient } from "@prisma/client";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { config } from "./platform/config.server";

declare global {
  // eslint-disable-next-line no-var
  var prismaGlobal: PrismaClient | undefined;
  // eslint-disable-next-line no-var
  var prismaProviders: WeakMap<object, DatabaseProvider> | undefined;
}


export type DatabaseProvider = "sqlite" | "postgresql";

export function databaseUrl(): string {
  return config().database.url;
}

export function providerOfUrl(url: string): DatabaseProvider {
  if (/^postgres(ql)?:\/\//.test(url)) return "postgresql";
  if (url.startsWith("file:")) return "sqlite";
  throw new Error(
    `DATABASE_URL must be a SQLite file URL (file:./prisma/dev.sqlite) or a PostgreSQL URL ` +
      `(postgresql://user:password@host:5432/afterglow); got ${redact(url)}`,
  );
}

export function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//***@");
}

export function createPrismaClient(url = databaseUrl()): PrismaClient {
  const provider = providerOfUrl(url);
  const client = provider === "postgresql" ? createPostgresClient(url) : createSqliteClient(url);
  providers.set(client, provider);
  return client;
}

function createSqliteClient(url: string): PrismaClient {
  // busy timeout: several processes (web + CLI dispatcher) may share one SQLite file.
  const factory = new PrismaBetterSQLite3({ url, timeout: 10_000 });
  // WAL lets readers and the writer work at once; synchronous=NORMAL is durable in WAL mode
  // and saves an fsync per commit, which is what bounds webhook ingest on SQLite.
  // secure_delete overwrites what a delete or update frees with zeros: without it an erased
  // customer's address stays readable in free pages of the file until they are reused.
  const adapter: SqlDriverAdapterFactory = {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => {
      const connection = await factory.connect();
      await connection.executeScript("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA secure_delete = ON;");
      return connection;
    },
  };
  return new PrismaClient({ adapter });
}

// The PostgreSQL client is generated from prisma/postgres/schema.prisma (the same models), so
// the SQLite client's types describe it; it is loaded only when a postgresql:// URL asks for it.
function createPostgresClient(url: string): PrismaClient {
  let PostgresClient: typeof PrismaClient;
  try {
    PostgresClient = createRequire(import.meta.url)(".prisma/postgres-client").PrismaClient;
  } catch (err) {
    throw new Error(
      "DATABASE_URL names PostgreSQL but its Prisma client is not generated. Run `npm install` " +
        "(postinstall generates it) or `npx prisma generate --schema prisma/postgres/schema.prisma`. " +
        `(${(err as Error).message.split("\n")[0]})`,
    );
  }
  const schema = new URL(url).searchParams.get("schema") ?? undefined;
  const pool = config().database;
  const adapter = new PrismaPg(
    {
      connectionString: url,
      max: pool.poolMax,
      idleTimeoutMillis: pool.poolIdleMs,
      connectionTimeoutMillis: pool.connectTimeoutMs,
    },
    schema ? { schema } : undefined,
  );
  return new PostgresClient({ adapter });
}

// Process-wide, like prismaGlobal: a reloaded copy of this module (Remix dev, or the built
// server beside the sources in tests) gets the client the first copy made, and must know its dialect.
const providers = (global.prismaProviders ??= new WeakMap<object, DatabaseProvider>());

// Which SQL dialect a client speaks, for the few statements written by hand.
export function providerOf(prisma: object): DatabaseProvider {
  return providers.get(prisma) ?? "sqlite";
}

// Closes a client's connections, waiting at most `limitMs`: after a PostgreSQL restart the pg
// pool can wait forever to close a connection the server dropped, and whoever calls this is
// shutting down anyway.
export async function closePrisma(client: PrismaClient, limitMs = 5_000): Promise<"closed" | "timed out"> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timed out">((resolve) => {
    timer = setTimeout(() => resolve("timed out"), limitMs);
    timer.unref();
  });
  try {
    return await Promise.race([client.$disconnect().then(() => "closed" as const), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

// Remix dev reloads modules; keep one client per process. Made when this module first loads,
// so tests set DATABASE_URL before importing it.
const prisma = global.prismaGlobal ?? createPrismaClient();
if (config().server.nodeEnv !== "production") global.prismaGlobal = prisma;

export default prisma;
