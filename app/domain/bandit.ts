// Which recommendation sources a shop's emails lead with: Thompson sampling over each source's
// click rate (Beta(clicks + 1, impressions - clicks + 1)), with a floor so every source keeps
// being shown now and then and can prove itself again. Deterministic under a seeded RNG.
export const KNOWN_RECOMMENDATION_SOURCES = ["complementary", "related", "best_seller"] as const;
export const EXPLORATION_FLOOR = 0.1; // share of the weight spread evenly over all sources
export const PREFERENCE_DRAWS = 2000;

export type Rng = () => number;

// mulberry32: small, fast and the same on every machine.
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(rng: Rng): number {
  const u = Math.max(rng(), Number.MIN_VALUE);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

// Marsaglia & Tsang's gamma sampler (shape ≥ 1; Beta's parameters here are always ≥ 1).
function gamma(shape: number, rng: Rng): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

export function sampleBeta(alpha: number, beta: number, rng: Rng): number {
  const x = gamma(alpha, rng);
  const y = gamma(beta, rng);
  return x / (x + y);
}

export interface SourceStats {
  source: string;
  impressions: number;
  clicks: number;
}

export interface SourcePreference {
  source: string;
  impressions: number;
  clicks: number;
  clickRate: number | null;
  // Probability this source has the best click rate, from the posterior draws.
  probabilityBest: number;
  // What the engine uses: probabilityBest mixed with the exploration floor; sums to 1.
  weight: number;
}

export function sourcePreferences({
  stats,
  rng,
  floor = EXPLORATION_FLOOR,
  draws = PREFERENCE_DRAWS,
}: {
  stats: readonly SourceStats[];
  rng: Rng;
  floor?: number;
  draws?: number;
}): SourcePreference[] {
  const bySource = new Map<string, SourceStats>();
  for (const s of KNOWN_RECOMMENDATION_SOURCES) bySource.set(s, { source: s, impressions: 0, clicks: 0 });
  // Clicks are counted from events, impressions at send time: a click on an email sent before
  // impressions were counted still means at least one impression.
  for (const s of stats) bySource.set(s.source, { ...s, impressions: Math.max(s.impressions, s.clicks) });
  const arms = [...bySource.values()];
  const wins = new Array<number>(arms.length).fill(0);
  for (let i = 0; i < draws; i++) {
    let best = 0;
    let bestDraw = -1;
    arms.forEach((arm, j) => {
      const draw = sampleBeta(arm.clicks + 1, arm.impressions - arm.clicks + 1, rng);
      if (draw > bestDraw) {
        bestDraw = draw;
        best = j;
      }
    });
    wins[best] += 1;
  }
  const k = arms.length;
  const f = Math.min(1, Math.max(0, floor));
  return arms.map((arm, j) => ({
    source: arm.source,
    impressions: arm.impressions,
    clicks: arm.clicks,
    clickRate: arm.impressions > 0 ? arm.clicks / arm.impressions : null,
    probabilityBest: wins[j] / draws,
    weight: f / k + (1 - f) * (wins[j] / draws),
  }));
}

// The order one email tries the sources in: drawn by weight, without replacement.
export function orderSources({ preferences, rng }: { preferences: readonly { source: string; weight: number }[]; rng: Rng }): string[] {
  const left = preferences.map((p) => ({ ...p }));
  const order: string[] = [];
  while (left.length) {
    const total = left.reduce((s, p) => s + Math.max(0, p.weight), 0);
    let point = rng() * total;
    let i = 0;
    if (total > 0) {
      for (; i < left.length - 1; i++) {
        point -= Math.max(0, left[i].weight);
        if (point < 0) break;
      }
    }
    order.push(left[i].source);
    left.splice(i, 1);
  }
  return order;
}
