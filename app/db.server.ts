import { PrismaClient } from "@prisma/client";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

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
  const adapter = new PrismaBetterSQLite3({ url, timeout: 10_000 });
  return new PrismaClient({ adapter });
}

// Remix dev reloads modules; keep one client per process.
const prisma = global.prismaGlobal ?? createPrismaClient();
if (process.env.NODE_ENV !== "production") global.prismaGlobal = prisma;

export default prisma;
