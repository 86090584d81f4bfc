import { PrismaClient } from "@prisma/client";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import type { SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";

declare global {
  // eslint-disable-next-line no-var
  var prismaGlobal: PrismaClient | undefined;
}

export const DEFAULT_DATABASE_URL = "file:./prisma/dev.sqlite";

export function databaseUrl(): string {
  return process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
}

export function createPrismaClient(url = databaseUrl()): PrismaClient {
  if (/^postgres(ql)?:\/\//.test(url)) {
    throw new Error(
      `DATABASE_URL names PostgreSQL (${url.replace(/\/\/[^@]*@/, "//***@")}), but this build of Afterglow ` +
        "runs on SQLite only. Use a file: URL such as file:./prisma/dev.sqlite.",
    );
  }
  // busy timeout: several processes (web + CLI dispatcher) may share one SQLite file.
  const factory = new PrismaBetterSQLite3({ url, timeout: 10_000 });
  // WAL lets readers and the writer work at once; synchronous=NORMAL is durable in WAL mode
  // and saves an fsync per commit, which is what bounds webhook ingest on SQLite.
  const adapter: SqlDriverAdapterFactory = {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => {
      const connection = await factory.connect();
      await connection.executeScript("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
      return connection;
    },
  };
  const client = new PrismaClient({ adapter });
  providers.set(client, "sqlite");
  return client;
}

const providers = new WeakMap<object, "sqlite" | "postgresql">();

// Which SQL dialect a client speaks, for the few statements written by hand.
export function providerOf(prisma: object): "sqlite" | "postgresql" {
  return providers.get(prisma) ?? "sqlite";
}

// Remix dev reloads modules; keep one client per process.
const prisma = global.prismaGlobal ?? createPrismaClient();
if (process.env.NODE_ENV !== "production") global.prismaGlobal = prisma;

export default prisma;
