// Recommendation impressions are counted in memory and written in one increment per shop and
// source, so a send costs no write for them; nothing counted is lost when a write fails.
import { afterAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../helpers/db";
import { createImpressionCounter } from "~/services/analytics/attribution.server";

const db = createTestDatabase("impressions");
const prisma = db.prisma;
afterAll(() => db.cleanup());

const stats = async (shop: string) =>
  Object.fromEntries((await prisma.recommendationSourceStat.findMany({ where: { shop } })).map((r) => [r.source, r.impressions]));

describe("impression counter", () => {
  it("writes nothing per email, then one increment per shop and source", async () => {
    const counter = createImpressionCounter({ prisma, flushMs: 60_000 });
    for (let i = 0; i < 30; i++) counter.count("a.myshopify.com", ["complementary", "complementary", i % 3 ? "related" : "best_seller"]);
    counter.count("b.myshopify.com", ["related"]);
    expect(await prisma.recommendationSourceStat.count()).toBe(0);
    await counter.flush();
    // An email showing two products of one source is one impression of it.
    expect(await stats("a.myshopify.com")).toEqual({ complementary: 30, related: 20, best_seller: 10 });
    expect(await stats("b.myshopify.com")).toEqual({ related: 1 });
    counter.count("a.myshopify.com", ["related"]);
    await counter.flush();
    await counter.flush(); // nothing left: no double count
    expect((await stats("a.myshopify.com")).related).toBe(21);
  });

  it("flushes by itself after flushMs", async () => {
    const counter = createImpressionCounter({ prisma, flushMs: 50 });
    counter.count("timer.myshopify.com", ["related"]);
    for (let i = 0; i < 100 && !(await stats("timer.myshopify.com")).related; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await stats("timer.myshopify.com")).toEqual({ related: 1 });
  });

  it("keeps what it could not write for the next flush", async () => {
    let fail = true;
    const errors: string[] = [];
    const flaky = new Proxy(prisma, {
      get(target, prop) {
        if (prop !== "recommendationSourceStat") return Reflect.get(target, prop);
        return {
          upsert: (args: Parameters<typeof prisma.recommendationSourceStat.upsert>[0]) => {
            if (fail) return Promise.reject(new Error("database unavailable"));
            return target.recommendationSourceStat.upsert(args);
          },
        };
      },
    });
    const counter = createImpressionCounter({ prisma: flaky, flushMs: 60_000, onError: (_err, shop) => errors.push(shop) });
    counter.count("flaky.myshopify.com", ["related"]);
    counter.count("flaky.myshopify.com", ["related"]);
    await counter.flush();
    expect(errors).toEqual(["flaky.myshopify.com"]);
    counter.count("flaky.myshopify.com", ["related"]);
    fail = false;
    await counter.flush();
    expect(await stats("flaky.myshopify.com")).toEqual({ related: 3 });
  });
});
