import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { assignVariant, InvalidAbTestError, trafficPoint, validateAbTest, type AbTest } from "~/domain/ab-test";

const test2: AbTest = { id: "subject-test", variants: [{ key: "a", weight: 50 }, { key: "b", weight: 50 }] };
const ids = (n: number, prefix = "fu_") => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

// Each variant's share over n ids must be within 5 standard deviations of its weight
// (binomial: sqrt(n p (1-p))). A correct hash fails this about once in 3.5 million.
function expectSplitNear(test: AbTest, n: number) {
  const counts = new Map(test.variants.map((v) => [v.key, 0]));
  for (const id of ids(n)) {
    const key = assignVariant({ test, followUpId: id });
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  for (const v of test.variants) {
    const p = v.weight / 100;
    const sd = Math.sqrt(n * p * (1 - p));
    const observed = counts.get(v.key)!;
    expect(Math.abs(observed - n * p), `variant ${v.key}: ${observed} of ${n} for weight ${v.weight}`).toBeLessThanOrEqual(5 * sd);
  }
  return counts;
}

describe("trafficPoint", () => {
  it("is the first 48 bits of SHA-256 of the length-prefixed test id and follow-up id, scaled to [0, 100)", () => {
    const digest = createHash("sha256").update("12:subject-test:fu_1").digest();
    const expected = (digest.readUIntBE(0, 6) / 2 ** 48) * 100;
    expect(trafficPoint({ testId: "subject-test", followUpId: "fu_1" })).toBe(expected);
    // Pinned, so a change of hashing (which would move live follow-ups) fails here.
    expect(trafficPoint({ testId: "subject-test", followUpId: "fu_1" })).toBeCloseTo(34.82612235489668, 12);
    expect(trafficPoint({ testId: "subject-test", followUpId: "fu_3" })).toBeCloseTo(6.821459326411627, 12);
    expect(trafficPoint({ testId: "subject-test", followUpId: "clx0abc123" })).toBeCloseTo(91.9580425895468, 12);
  });

  it("keeps test id and follow-up id apart", () => {
    expect(trafficPoint({ testId: "ab", followUpId: "c" })).not.toBe(trafficPoint({ testId: "a", followUpId: "bc" }));
  });

  it("stays in [0, 100)", () => {
    for (const id of ids(10_000)) {
      const p = trafficPoint({ testId: "t", followUpId: id });
      expect(p >= 0 && p < 100).toBe(true);
    }
  });
});

describe("assignVariant", () => {
  it("follows the weights in variant order", () => {
    // fu_3 is at 6.82, fu_2 at 21.65, fu_1 at 34.83, clx0abc123 at 91.96.
    const test: AbTest = { id: "subject-test", variants: [{ key: "a", weight: 10 }, { key: "b", weight: 25 }, { key: "c", weight: 65 }] };
    expect(assignVariant({ test, followUpId: "fu_3" })).toBe("a");
    expect(assignVariant({ test, followUpId: "fu_2" })).toBe("b");
    expect(assignVariant({ test, followUpId: "fu_1" })).toBe("b");
    expect(assignVariant({ test, followUpId: "clx0abc123" })).toBe("c");
    const edge: AbTest = { id: "subject-test", variants: [{ key: "a", weight: 34 }, { key: "b", weight: 66 }] };
    expect(assignVariant({ test: edge, followUpId: "fu_1" })).toBe("b"); // 34.83 is past 34
  });

  it("gives a follow-up the same variant every time", () => {
    const test: AbTest = { id: "t1", variants: [{ key: "a", weight: 30 }, { key: "b", weight: 30 }, { key: "c", weight: 40 }] };
    const first = ids(2_000).map((id) => assignVariant({ test, followUpId: id }));
    const again = ids(2_000).map((id) => assignVariant({ test: structuredClone(test), followUpId: id }));
    expect(again).toEqual(first);
    // Every variant actually occurs.
    expect(new Set(first)).toEqual(new Set(["a", "b", "c"]));
  });

  it("splits 100k follow-ups close to 50/50", () => {
    expectSplitNear(test2, 100_000);
  });

  it("splits 100k follow-ups close to 10/20/30/40", () => {
    expectSplitNear(
      { id: "four-way", variants: [{ key: "a", weight: 10 }, { key: "b", weight: 20 }, { key: "c", weight: 30 }, { key: "d", weight: 40 }] },
      100_000,
    );
  });

  it("gives a 1% variant about 1%", () => {
    const counts = expectSplitNear({ id: "tiny", variants: [{ key: "rare", weight: 1 }, { key: "usual", weight: 99 }] }, 100_000);
    expect(counts.get("rare")).toBeGreaterThan(0);
  });

  it("assigns independently in different tests", () => {
    // Two 50/50 tests over the same follow-ups agree about half the time, not always.
    const other: AbTest = { ...test2, id: "another-test" };
    const n = 100_000;
    let same = 0;
    for (const id of ids(n)) if (assignVariant({ test: test2, followUpId: id }) === assignVariant({ test: other, followUpId: id })) same++;
    const sd = Math.sqrt(n * 0.25);
    expect(Math.abs(same - n / 2)).toBeLessThanOrEqual(5 * sd);
  });

  it("refuses an invalid test or a missing follow-up id", () => {
    expect(() => assignVariant({ test: { id: "t", variants: [{ key: "a", weight: 100 }] }, followUpId: "x" })).toThrow(InvalidAbTestError);
    expect(() => assignVariant({ test: test2, followUpId: "" })).toThrow(/follow-up id/);
  });
});

describe("validateAbTest", () => {
  it("accepts 2 to 4 variants whose weights add up to 100", () => {
    expect(validateAbTest(test2)).toEqual([]);
    expect(
      validateAbTest({ id: "x", variants: [{ key: "a", weight: 25 }, { key: "b", weight: 25 }, { key: "c", weight: 25 }, { key: "d", weight: 25, subject: "Hi" }] }),
    ).toEqual([]);
  });

  it("names every problem with its path", () => {
    expect(validateAbTest({ id: "", variants: [{ key: "A", weight: 50 }, { key: "b", weight: 0 }, { key: "b", weight: 50.5 }] }, "/steps/0/abTest")).toEqual([
      "/steps/0/abTest/id: must be a non-empty string of at most 100 characters",
      '/steps/0/abTest/variants/0/key: must be lowercase letters, digits and dashes, e.g. "a" or "short-subject"',
      "/steps/0/abTest/variants/1/weight: must be a whole percent from 1 to 99",
      '/steps/0/abTest/variants/2/key: "b" is used by two variants',
      "/steps/0/abTest/variants/2/weight: must be a whole percent from 1 to 99",
    ]);
    expect(validateAbTest({ id: "x", variants: [{ key: "a", weight: 60 }, { key: "b", weight: 30 }] })).toEqual([
      "/variants: the weights add up to 90; they must add up to 100",
    ]);
    expect(validateAbTest({ id: "x", variants: [{ key: "a", weight: 100 }] })).toEqual([
      "/variants: must be a list of 2 to 4 variants",
      "/variants/0/weight: must be a whole percent from 1 to 99",
    ]);
    const five = Array.from({ length: 5 }, (_, i) => ({ key: `v${i}`, weight: 20 }));
    expect(validateAbTest({ id: "x", variants: five })).toEqual(["/variants: must be a list of 2 to 4 variants"]);
    expect(validateAbTest({ id: "x", variants: "a,b" })).toEqual(["/variants: must be a list of 2 to 4 variants"]);
    expect(validateAbTest({ id: "x", variants: [null, { key: "b", weight: 50 }] })).toEqual([
      "/variants/0: must be an object with a key and a weight",
    ]);
    expect(validateAbTest(null)).toEqual(["(A/B test): must be an object"]);
  });
});
