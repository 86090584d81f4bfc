// A/B tests of a step: 2 to 4 variants sharing the traffic by whole-percent weights. A follow-up
// always gets the same variant (a hash of test id and follow-up id), so a retried or reclaimed
// send never switches variant. Changing the weights moves some follow-ups to another variant.
import { createHash } from "node:crypto";
import { settingObject } from "./validation";

export interface AbVariant {
  key: string;
  weight: number; // whole percent; a test's weights sum to 100
}

export interface AbTest {
  id: string;
  variants: AbVariant[];
}

export class InvalidAbTestError extends Error {
  constructor(readonly problems: string[]) {
    super(`The A/B test is not valid: ${problems.join("; ")}`);
    this.name = "InvalidAbTestError";
  }
}

const KEY = /^[a-z0-9][a-z0-9-]{0,62}$/;

// Variants may carry more settings (subject, content); only id, key and weight are checked here.
export function validateAbTest(input: unknown, path = ""): string[] {
  const { where, fields: test, problems } = settingObject(input, { path, name: "A/B test" });
  if (!test) return problems;
  if (typeof test.id !== "string" || test.id.trim() === "" || test.id.length > 100)
    problems.push(`${where("/id")}: must be a non-empty string of at most 100 characters`);
  const variants = test.variants;
  if (!Array.isArray(variants) || variants.length < 2 || variants.length > 4) {
    problems.push(`${where("/variants")}: must be a list of 2 to 4 variants`);
    if (!Array.isArray(variants)) return problems;
  }
  const keys = new Set<string>();
  let total = 0;
  let weightsValid = true;
  variants.forEach((variant: unknown, i: number) => {
    const p = `${where(`/variants/${i}`)}`;
    if (typeof variant !== "object" || variant === null || Array.isArray(variant)) {
      problems.push(`${p}: must be an object with a key and a weight`);
      weightsValid = false;
      return;
    }
    const v = variant as Record<string, unknown>;
    if (typeof v.key !== "string" || !KEY.test(v.key))
      problems.push(`${p}/key: must be lowercase letters, digits and dashes, e.g. "a" or "short-subject"`);
    else if (keys.has(v.key)) problems.push(`${p}/key: "${v.key}" is used by two variants`);
    else keys.add(v.key);
    if (typeof v.weight !== "number" || !Number.isInteger(v.weight) || v.weight < 1 || v.weight > 99) {
      problems.push(`${p}/weight: must be a whole percent from 1 to 99`);
      weightsValid = false;
    } else total += v.weight;
  });
  if (weightsValid && total !== 100) problems.push(`${where("/variants")}: the weights add up to ${total}; they must add up to 100`);
  return problems;
}

// Where a follow-up falls in [0, 100). The length prefix keeps ("ab", "c") and ("a", "bc") apart.
export function trafficPoint({ testId, followUpId }: { testId: string; followUpId: string }): number {
  const digest = createHash("sha256").update(`${testId.length}:${testId}:${followUpId}`).digest();
  // 48 bits divide by 2^48 exactly in a double, so the point is the same on every machine.
  return (digest.readUIntBE(0, 6) / 2 ** 48) * 100;
}

export function assignVariant({ test, followUpId }: { test: AbTest; followUpId: string }): string {
  const problems = validateAbTest(test);
  if (problems.length) throw new InvalidAbTestError(problems);
  if (!followUpId) throw new Error(`A/B test "${test.id}": a follow-up id is needed to pick a variant.`);
  const point = trafficPoint({ testId: test.id, followUpId });
  let upTo = 0;
  for (const variant of test.variants) {
    upTo += variant.weight;
    if (point < upTo) return variant.key;
  }
  return test.variants[test.variants.length - 1].key;
}
