import { describe, expect, it } from "vitest";
import {
  checkFrequencyCap,
  DEFAULT_FREQUENCY_CAP,
  InvalidFrequencyCapError,
  validateFrequencyCap,
  type FrequencyCap,
} from "~/domain/frequency-cap";

const now = new Date("2026-05-04T12:00:00Z");
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);

describe("DEFAULT_FREQUENCY_CAP", () => {
  it("is on, one marketing email per 16 hours (Klaviyo's smart sending default for email)", () => {
    expect(DEFAULT_FREQUENCY_CAP).toEqual({ enabled: true, maxSends: 1, periodHours: 16 });
    expect(validateFrequencyCap(DEFAULT_FREQUENCY_CAP)).toEqual([]);
  });
});

describe("checkFrequencyCap", () => {
  it("allows a customer with no recent marketing email", () => {
    expect(checkFrequencyCap({ recentMarketingSends: [], now, cap: DEFAULT_FREQUENCY_CAP })).toEqual({
      allowed: true,
      reason: null,
      nextAllowedAt: null,
    });
    expect(checkFrequencyCap({ recentMarketingSends: [hoursAgo(17)], now })).toMatchObject({ allowed: true });
  });

  it("uses the default cap when none is given", () => {
    expect(checkFrequencyCap({ recentMarketingSends: [hoursAgo(15)], now })).toMatchObject({ allowed: false });
  });

  it("holds back a second email inside the period, saying when the next may go", () => {
    const d = checkFrequencyCap({ recentMarketingSends: [hoursAgo(10)], now, cap: DEFAULT_FREQUENCY_CAP, timeZone: "Europe/Warsaw" });
    expect(d).toEqual({
      allowed: false,
      nextAllowedAt: new Date("2026-05-04T18:00:00Z"),
      reason:
        "Smart sending: the customer already received 1 marketing email in the last 16 hours (limit 1); the next may go out from Mon 4 May 2026 20:00.",
      detail: {
        code: "frequency_cap",
        maxSends: 1,
        periodHours: 16,
        sentInPeriod: 1,
        nextAllowedAt: new Date("2026-05-04T18:00:00Z"),
        timeZone: "Europe/Warsaw",
      },
    });
  });

  it("counts a send made this very moment, and no longer one exactly a period ago", () => {
    expect(checkFrequencyCap({ recentMarketingSends: [now], now }).allowed).toBe(false);
    expect(checkFrequencyCap({ recentMarketingSends: [hoursAgo(16)], now }).allowed).toBe(true);
    const justInside = new Date(hoursAgo(16).getTime() + 1);
    const d = checkFrequencyCap({ recentMarketingSends: [justInside], now });
    expect(d.allowed).toBe(false);
    expect(d.nextAllowedAt).toEqual(new Date(now.getTime() + 1));
  });

  it("ignores sends in the future and dates that are not dates", () => {
    const d = checkFrequencyCap({ recentMarketingSends: [new Date(now.getTime() + 60_000), new Date("nope")], now });
    expect(d.allowed).toBe(true);
  });

  it("with N per period, waits for enough of the oldest sends to age out", () => {
    const cap: FrequencyCap = { enabled: true, maxSends: 3, periodHours: 24 * 7 };
    // Unsorted on purpose.
    const sends = [hoursAgo(5), hoursAgo(100), hoursAgo(30), hoursAgo(200)];
    // Three in the last week (5, 30, 100 hours ago): the limit is reached.
    const d = checkFrequencyCap({ recentMarketingSends: sends, now, cap });
    expect(d.allowed).toBe(false);
    // Room for one more once the oldest of the three (100 hours ago) is a week old.
    expect(d.nextAllowedAt).toEqual(new Date(hoursAgo(100).getTime() + 168 * 3_600_000));
    expect(d.reason).toMatch(/already received 3 marketing emails in the last 7 days \(limit 3\)/);

    // Four in the period with a limit of 3: the two oldest must age out.
    const four = [hoursAgo(1), hoursAgo(2), hoursAgo(3), hoursAgo(4)];
    const d4 = checkFrequencyCap({ recentMarketingSends: four, now, cap });
    expect(d4.nextAllowedAt).toEqual(new Date(hoursAgo(3).getTime() + 168 * 3_600_000));

    expect(checkFrequencyCap({ recentMarketingSends: [hoursAgo(5), hoursAgo(30)], now, cap }).allowed).toBe(true);
  });

  it("never caps service emails", () => {
    const sends = [hoursAgo(0), hoursAgo(1), hoursAgo(2)];
    expect(checkFrequencyCap({ recentMarketingSends: sends, now, cap: DEFAULT_FREQUENCY_CAP, category: "service" })).toEqual({
      allowed: true,
      reason: null,
      nextAllowedAt: null,
    });
  });

  it("does nothing when the merchant turned smart sending off", () => {
    const cap = { ...DEFAULT_FREQUENCY_CAP, enabled: false };
    expect(checkFrequencyCap({ recentMarketingSends: [now, now, now], now, cap }).allowed).toBe(true);
  });

  it("refuses a cap that makes no sense", () => {
    expect(() => checkFrequencyCap({ recentMarketingSends: [], now, cap: { enabled: true, maxSends: 0, periodHours: 16 } })).toThrow(
      InvalidFrequencyCapError,
    );
  });
});

describe("validateFrequencyCap", () => {
  it("names every problem with its path", () => {
    expect(validateFrequencyCap({ enabled: "yes", maxSends: 0, periodHours: 1.5, days: 2 }, "/settings/smartSending")).toEqual([
      "/settings/smartSending/days: is not a smart sending setting (allowed: enabled, maxSends, periodHours)",
      "/settings/smartSending/enabled: must be true or false",
      "/settings/smartSending/maxSends: must be a whole number from 1 to 50",
      "/settings/smartSending/periodHours: must be a whole number from 1 to 2160",
    ]);
    expect(validateFrequencyCap({ enabled: true, maxSends: 51, periodHours: 2161 })).toEqual([
      "/maxSends: must be a whole number from 1 to 50",
      "/periodHours: must be a whole number from 1 to 2160",
    ]);
    expect(validateFrequencyCap(16)).toEqual(["(smart sending): must be an object"]);
  });
});
