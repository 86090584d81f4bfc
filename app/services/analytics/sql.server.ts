// What the rollup, the dashboard and the exports share: SQL that works on SQLite and PostgreSQL,
// and the key of one flow step's variant in their maps.
import type { PrismaClient } from "@prisma/client";
import { providerOf as dialectOf } from "~/db.server";

export { dialectOf };

// Positional placeholders: ? on SQLite, $n on PostgreSQL.
export function params(prisma: PrismaClient): (n: number) => string {
  return dialectOf(prisma) === "postgresql" ? (n) => `$${n}` : () => "?";
}

export const falseSql = (prisma: PrismaClient) => (dialectOf(prisma) === "postgresql" ? "false" : "0");

export type Key = string; // flowId \u0000 stepKey \u0000 variant
export const keyOf = (flowId: string, stepKey: string, variant: string | null) => `${flowId}\u0000${stepKey}\u0000${variant ?? ""}`;
export const splitKey = (key: Key) => {
  const [flowId, stepKey, variant] = key.split("\u0000");
  return { flowId, stepKey, variant };
};
