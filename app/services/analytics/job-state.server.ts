// Where each analytics job keeps its watermarks between runs (a JobState row, JSON).
import type { PrismaClient } from "@prisma/client";

export async function readState<T>(prisma: PrismaClient, name: string): Promise<Partial<T>> {
  const row = await prisma.jobState.findUnique({ where: { name } });
  if (!row) return {};
  try {
    return JSON.parse(row.state) as Partial<T>;
  } catch {
    return {};
  }
}

export async function writeState(prisma: PrismaClient, name: string, state: object): Promise<void> {
  const text = JSON.stringify(state);
  await prisma.jobState.upsert({ where: { name }, create: { name, state: text }, update: { state: text } });
}
