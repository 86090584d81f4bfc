// Smart sending: at most `maxSends` marketing follow-ups per customer in `periodHours`, across
// all of a shop's flows. Service follow-ups (order updates, receipts) are never capped.
import { describeSkipReason, type SkipReason } from "./skip-reasons";
import { settingObject } from "./validation";

export interface FrequencyCap {
  enabled: boolean;
  maxSends: number;
  periodHours: number;
}

// Klaviyo's smart sending default for email: one message per 16 hours.
export const DEFAULT_FREQUENCY_CAP: FrequencyCap = { enabled: true, maxSends: 1, periodHours: 16 };

export const FREQUENCY_CAP_LIMITS = { maxSends: 50, periodHours: 24 * 90 } as const;

export type FrequencyCapDecision =
  | { allowed: true; reason: null; nextAllowedAt: null }
  | { allowed: false; reason: string; nextAllowedAt: Date; detail: SkipReason };

export class InvalidFrequencyCapError extends Error {
  constructor(readonly problems: string[]) {
    super(`The smart sending setting is not valid: ${problems.join("; ")}`);
    this.name = "InvalidFrequencyCapError";
  }
}

export function validateFrequencyCap(input: unknown, path = ""): string[] {
  const { where, fields: cap, problems } = settingObject(input, {
    path,
    name: "smart sending",
    allowedKeys: ["enabled", "maxSends", "periodHours"],
  });
  if (!cap) return problems;
  if (typeof cap.enabled !== "boolean") problems.push(`${where("/enabled")}: must be true or false`);
  const whole = (key: "maxSends" | "periodHours", max: number) => {
    const v = cap[key];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > max)
      problems.push(`${where(`/${key}`)}: must be a whole number from 1 to ${max}`);
  };
  whole("maxSends", FREQUENCY_CAP_LIMITS.maxSends);
  whole("periodHours", FREQUENCY_CAP_LIMITS.periodHours);
  return problems;
}

const ALLOWED = { allowed: true, reason: null, nextAllowedAt: null } as const;

// `recentMarketingSends`: when this customer's marketing follow-ups went out (any flow of the
// shop); sends after `now` are ignored. A send exactly `periodHours` ago no longer counts.
export function checkFrequencyCap({
  recentMarketingSends,
  now,
  cap = DEFAULT_FREQUENCY_CAP,
  category = "marketing",
  timeZone,
}: {
  recentMarketingSends: readonly Date[];
  now: Date;
  cap?: FrequencyCap;
  category?: "marketing" | "service";
  timeZone?: string | null; // for the time in the reason; the shop's zone
}): FrequencyCapDecision {
  const problems = validateFrequencyCap(cap);
  if (problems.length) throw new InvalidFrequencyCapError(problems);
  if (category === "service" || !cap.enabled) return ALLOWED;

  const period = cap.periodHours * 3_600_000;
  const inPeriod = recentMarketingSends
    .map((d) => d.getTime())
    .filter((t) => !Number.isNaN(t) && t > now.getTime() - period && t <= now.getTime())
    .sort((a, b) => a - b);
  if (inPeriod.length < cap.maxSends) return ALLOWED;

  // Enough of the oldest sends must age out to leave room for one more.
  const nextAllowedAt = new Date(inPeriod[inPeriod.length - cap.maxSends] + period);
  const detail: SkipReason = {
    code: "frequency_cap",
    maxSends: cap.maxSends,
    periodHours: cap.periodHours,
    sentInPeriod: inPeriod.length,
    nextAllowedAt,
    timeZone,
  };
  return { allowed: false, reason: describeSkipReason(detail), nextAllowedAt, detail };
}
