// The worker's periodic chores run on their own: old email bodies are pruned without anyone asking.
import { afterAll, describe, expect, it, vi } from "vitest";
import { createTestDatabase } from "../helpers/db";
import { startHousekeeping, stopBackgroundWork } from "~/runtime/runtime.server";
import { logger } from "~/platform/logger.server";
import { closePrisma } from "~/db.server";

const db = createTestDatabase("housekeeping");
afterAll(async () => {
  // Real timers first: nothing that stops or disconnects may wait on a faked one.
  vi.useRealTimers();
  await stopBackgroundWork();
  await db.cleanup();
});

describe("housekeeping", () => {
  it("prunes emails older than the retention on its interval", async () => {
    const day = 86_400_000;
    const message = (id: string, ageDays: number) => ({
      messageId: id,
      shop: "chores.myshopify.com",
      toAddress: "a@example.com",
      fromAddress: "shop@example.com",
      subject: "Thanks",
      headers: "{}",
      html: "<p>hi</p>",
      text: "hi",
      createdAt: new Date(Date.now() - ageDays * day),
    });
    await db.prisma.outboxMessage.createMany({ data: [message("old", 120), message("recent", 3)] });

    const failures = vi.spyOn(logger, "error");
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    process.env.RETENTION_INTERVAL_MS = "60000";
    startHousekeeping(db.prisma);
    expect(await db.prisma.outboxMessage.count()).toBe(2); // nothing before the first tick
    vi.advanceTimersByTime(60_000);
    await vi.waitFor(async () => {
      expect((await db.prisma.outboxMessage.findMany()).map((m) => m.messageId)).toEqual(["recent"]);
    });
    // Stopping waits for the chores still running (the rest of the retention pass, the rollup
    // that ticked with it), so nothing is cut off when the database closes.
    await stopBackgroundWork();
    await closePrisma(db.prisma);
    await new Promise((r) => setTimeout(r, 300));
    expect(failures.mock.calls).toEqual([]);
  });
});
