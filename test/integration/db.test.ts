import { afterAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@prisma/client";
import { closePrisma } from "~/db.server";
import { createTestDatabase } from "../helpers/db";

describe("test database", () => {
  const db = createTestDatabase();
  afterAll(() => db.cleanup());

  it("applies the migrations and round-trips a shop", async () => {
    await db.prisma.shop.create({ data: { domain: "a.myshopify.com", name: "A" } });
    const shop = await db.prisma.shop.findUniqueOrThrow({ where: { domain: "a.myshopify.com" } });
    expect(shop.name).toBe("A");
    expect(shop.sendingEnabled).toBe(true);
  });
});

describe("closePrisma", () => {
  it("closes a client's connections", async () => {
    const db = createTestDatabase("close");
    await db.prisma.shop.count();
    expect(await closePrisma(db.prisma)).toBe("closed");
    await db.cleanup();
  });

  it("gives up on a disconnect that never ends, so shutdown goes on", async () => {
    // What the pg pool does after the server dropped its connection.
    const hanging = { $disconnect: () => new Promise<void>(() => {}) } as unknown as PrismaClient;
    const started = Date.now();
    expect(await closePrisma(hanging, 200)).toBe("timed out");
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
