import { Prisma } from "@prisma/client";

// A unique key said no: Prisma reports P2002 from its query builder, and P2010 carrying the
// driver's code from hand-written SQL.
export function isUniqueViolation(e: unknown): boolean {
  return (
    e instanceof Prisma.PrismaClientKnownRequestError &&
    (e.code === "P2002" ||
      (e.code === "P2010" && /UNIQUE constraint failed|SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)|unique constraint|23505/i.test(e.message)))
  );
}
