// A/B results of a step. A winner is declared only when a two-sided two-proportion z-test (pooled
// standard error) between the best variant and every other one is significant at 95% (|z| ≥ 1.96),
// and every variant has at least the minimum sample of sends.
export const AB_TEST_NAME = "two-sided two-proportion z-test (pooled), 95% confidence";
export const AB_MIN_SAMPLE = 100;
export const AB_Z_95 = 1.959964;

export type AbMetric = "click_rate" | "open_rate";

export interface VariantCounts {
  key: string;
  trials: number; // sends (delivered, for the open and click rates)
  successes: number; // follow-ups opened / clicked
}

export interface ZTest {
  z: number;
  pValue: number;
}

// Abramowitz & Stegun 7.1.26: |error| < 1.5e-7, plenty for a p-value shown to 3 decimals.
function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return sign * y;
}

export function normalCdf(z: number): number {
  return 0.5 * (1 + erf(z / Math.SQRT2));
}

export function twoProportionZTest(a: VariantCounts, b: VariantCounts): ZTest {
  if (a.trials <= 0 || b.trials <= 0) return { z: 0, pValue: 1 };
  const p1 = a.successes / a.trials;
  const p2 = b.successes / b.trials;
  const pooled = (a.successes + b.successes) / (a.trials + b.trials);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / a.trials + 1 / b.trials));
  if (se === 0) return { z: 0, pValue: 1 };
  const z = (p1 - p2) / se;
  return { z, pValue: 2 * (1 - normalCdf(Math.abs(z))) };
}

export type AbStatus = "collecting" | "no_difference_yet" | "winner";

export interface AbResult {
  metric: AbMetric;
  test: string;
  minSample: number;
  status: AbStatus;
  winner: string | null;
  leader: string | null;
  // The weakest comparison of the leader against another variant.
  z: number | null;
  pValue: number | null;
  variants: (VariantCounts & { rate: number | null })[];
  explanation: string;
}

export function abResults({
  variants,
  metric = "click_rate",
  minSample = AB_MIN_SAMPLE,
}: {
  variants: VariantCounts[];
  metric?: AbMetric;
  minSample?: number;
}): AbResult {
  const rows = variants.map((v) => ({ ...v, rate: v.trials > 0 ? v.successes / v.trials : null }));
  const base = { metric, test: AB_TEST_NAME, minSample, variants: rows };
  const metricName = metric === "click_rate" ? "click rate" : "open rate";
  if (rows.length < 2) {
    return { ...base, status: "collecting", winner: null, leader: rows[0]?.key ?? null, z: null, pValue: null, explanation: "A test needs at least two variants." };
  }
  const leader = [...rows].sort((a, b) => (b.rate ?? -1) - (a.rate ?? -1) || a.key.localeCompare(b.key))[0];
  const short = rows.filter((r) => r.trials < minSample);
  if (short.length) {
    return {
      ...base,
      status: "collecting",
      winner: null,
      leader: leader.key,
      z: null,
      pValue: null,
      explanation: `Collecting: every variant needs at least ${minSample} delivered emails (${short.map((r) => `${r.key}: ${r.trials}`).join(", ")}).`,
    };
  }
  let weakest: ZTest | null = null;
  for (const other of rows) {
    if (other.key === leader.key) continue;
    const t = twoProportionZTest(leader, other);
    if (!weakest || t.z < weakest.z) weakest = t;
  }
  const z = weakest!.z;
  const pValue = weakest!.pValue;
  if (z >= AB_Z_95) {
    return {
      ...base,
      status: "winner",
      winner: leader.key,
      leader: leader.key,
      z,
      pValue,
      explanation: `Variant ${leader.key} has the best ${metricName}, significant at 95% against every other variant (z = ${z.toFixed(2)}, p = ${pValue.toFixed(3)}).`,
    };
  }
  return {
    ...base,
    status: "no_difference_yet",
    winner: null,
    leader: leader.key,
    z,
    pValue,
    explanation: `No significant difference yet: variant ${leader.key} leads on ${metricName}, but z = ${z.toFixed(2)} (p = ${pValue.toFixed(3)}) is short of 1.96.`,
  };
}
