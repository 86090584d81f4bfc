// When to try a failed send again: capped exponential backoff with full jitter.

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 30_000,
  maxDelayMs: 60 * 60_000,
};

export function backoffDelayMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  // Full jitter spreads retries of many follow-ups that failed together (e.g. one SendGrid outage).
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export interface RetryDecision {
  retry: boolean;
  at: Date | null;
}

// `attempt` is the number of attempts made so far, including the one that just failed.
export function nextAttempt({
  attempt,
  now,
  policy,
  notBefore,
  random,
}: {
  attempt: number;
  now: Date;
  policy: RetryPolicy;
  notBefore?: Date | null; // e.g. SendGrid's X-RateLimit-Reset
  random?: () => number;
}): RetryDecision {
  if (attempt >= policy.maxAttempts) return { retry: false, at: null };
  let at = now.getTime() + backoffDelayMs(attempt, policy, random);
  if (notBefore && notBefore.getTime() > at) at = notBefore.getTime();
  return { retry: true, at: new Date(at) };
}
