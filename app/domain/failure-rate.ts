// When a shop's sends fail too often: failures over attempts in a rolling window, raised at
// most once per cool-down so a bad hour pages someone once, not on every follow-up.

export interface FailureRatePolicy {
  threshold: number; // 0.2: alert above 20 % failures
  minAttempts: number; // too few attempts say nothing about a rate
  windowMs: number;
  cooldownMs: number;
}

export const DEFAULT_FAILURE_RATE_POLICY: FailureRatePolicy = {
  threshold: 0.2,
  minAttempts: 10,
  windowMs: 15 * 60_000,
  cooldownMs: 60 * 60_000,
};

export interface FailureAlert {
  shop: string;
  attempts: number;
  failures: number;
  rate: number;
  threshold: number;
  windowMs: number;
  at: Date;
}

interface ShopWindow {
  attempts: { at: number; failed: boolean }[];
  alertedAt: number | null;
}

export class FailureRateMonitor {
  private readonly shops = new Map<string, ShopWindow>();

  constructor(private readonly policy: FailureRatePolicy = DEFAULT_FAILURE_RATE_POLICY) {}

  // One send attempt; returns the alert to raise, if this attempt crossed the threshold.
  record({ shop, failed, at }: { shop: string; failed: boolean; at: Date }): FailureAlert | null {
    const now = at.getTime();
    let window = this.shops.get(shop);
    if (!window) this.shops.set(shop, (window = { attempts: [], alertedAt: null }));
    window.attempts.push({ at: now, failed });
    const from = now - this.policy.windowMs;
    while (window.attempts.length && window.attempts[0].at <= from) window.attempts.shift();

    const attempts = window.attempts.length;
    const failures = window.attempts.filter((a) => a.failed).length;
    const rate = attempts ? failures / attempts : 0;
    if (attempts < this.policy.minAttempts || rate <= this.policy.threshold) return null;
    if (window.alertedAt !== null && now - window.alertedAt < this.policy.cooldownMs) return null;
    window.alertedAt = now;
    return { shop, attempts, failures, rate, threshold: this.policy.threshold, windowMs: this.policy.windowMs, at };
  }
}
