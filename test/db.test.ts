import { afterAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "./helpers/db";

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
