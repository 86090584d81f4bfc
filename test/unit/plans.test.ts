// The plans' arithmetic: which plan a shop's subscriptions give, the month an email counts in,
// whether one more may be counted, and what a held follow-up and the banner say.
import { describe, expect, it } from "vitest";
import {
  billingMonth,
  heldBanner,
  heldUntil,
  isNewerStatus,
  mayCount,
  monthlyAllowance,
  monthUsage,
  nextMonthStart,
  planAbove,
  planOfSubscriptionName,
  planOfSubscriptions,
} from "~/domain/plans";
import { describeSkipReason, SKIP_REASON_STATUS } from "~/domain/skip-reasons";
import { PLAN_LIMIT_EVENT, planLimitGate } from "~/services/dispatch/gates";

describe("the plan a shop is on", () => {
  it("is free without an ACTIVE subscription of ours, whatever else Shopify holds", () => {
    expect(planOfSubscriptions([])).toBe("free");
    for (const status of ["PENDING", "DECLINED", "CANCELLED", "EXPIRED", "FROZEN"]) {
      expect(planOfSubscriptions([{ plan: "growth", status }]), status).toBe("free");
    }
    expect(planOfSubscriptions([{ plan: "gold", status: "ACTIVE" }])).toBe("free");
  });

  it("is the larger of two active ones (a replacement between Shopify's two webhooks)", () => {
    expect(planOfSubscriptions([{ plan: "growth", status: "ACTIVE" }])).toBe("growth");
    expect(planOfSubscriptions([{ plan: "scale", status: "ACTIVE" }, { plan: "growth", status: "ACTIVE" }])).toBe("scale");
    expect(planOfSubscriptions([{ plan: "growth", status: "ACTIVE" }, { plan: "scale", status: "CANCELLED" }])).toBe("growth");
  });

  it("knows its subscriptions by their Shopify name only", () => {
    expect(planOfSubscriptionName("Afterglow Growth")?.key).toBe("growth");
    expect(planOfSubscriptionName("afterglow growth")).toBeNull();
    expect(planAbove("free")?.key).toBe("growth");
    expect(planAbove("growth")?.key).toBe("scale");
    expect(planAbove("scale")).toBeNull();
  });

  it("never lets an older status replace a newer one", () => {
    const t = new Date("2026-05-01T10:00:00Z");
    expect(isNewerStatus({ held: t, incoming: new Date(t.getTime() - 1) })).toBe(false);
    expect(isNewerStatus({ held: t, incoming: t })).toBe(true);
    expect(isNewerStatus({ held: null, incoming: t })).toBe(true);
  });
});

describe("the monthly allowance", () => {
  it("is the free limit on free, the tier's on a paid plan, none on Scale", () => {
    expect(monthlyAllowance({ plan: "free", freeEmailsPerMonth: 500 })).toBe(500);
    expect(monthlyAllowance({ plan: "growth", freeEmailsPerMonth: 500 })).toBe(10_000);
    expect(monthlyAllowance({ plan: "scale", freeEmailsPerMonth: 500 })).toBeNull();
  });

  it("counts marketing emails up to the limit, the 501st of 500 never", () => {
    expect(mayCount({ category: "marketing", sent: 499, allowance: 500 })).toBe(true);
    expect(mayCount({ category: "marketing", sent: 500, allowance: 500 })).toBe(false);
    expect(mayCount({ category: "marketing", sent: 0, allowance: 0 })).toBe(false);
    expect(mayCount({ category: "marketing", sent: 10 ** 9, allowance: null })).toBe(true);
  });

  it("always counts service emails, past the limit too", () => {
    expect(mayCount({ category: "service", sent: 500, allowance: 500 })).toBe(true);
    expect(mayCount({ category: "service", sent: 9_000, allowance: 500 })).toBe(true);
  });

  it("reports what is left, and reached at the limit or past it (service emails)", () => {
    expect(monthUsage({ sent: 120, allowance: 500 })).toEqual({ sent: 120, allowance: 500, remaining: 380, reached: false, percent: 24 });
    expect(monthUsage({ sent: 500, allowance: 500 })).toMatchObject({ remaining: 0, reached: true, percent: 100 });
    expect(monthUsage({ sent: 530, allowance: 500 })).toMatchObject({ remaining: 0, reached: true, percent: 100 });
    expect(monthUsage({ sent: 0, allowance: 0 })).toMatchObject({ reached: true, percent: 100 });
    expect(monthUsage({ sent: 42, allowance: null })).toEqual({ sent: 42, allowance: null, remaining: null, reached: false, percent: null });
  });
});

describe("the billing month", () => {
  const lateOnTheLast = new Date("2026-05-31T23:30:00Z");

  it("is the shop's calendar month in its own time zone", () => {
    expect(billingMonth(lateOnTheLast, "UTC")).toBe("2026-05");
    expect(billingMonth(lateOnTheLast, "Europe/Warsaw")).toBe("2026-06"); // 01:30 on 1 June there
    expect(billingMonth(lateOnTheLast, "America/Los_Angeles")).toBe("2026-05");
    expect(billingMonth(lateOnTheLast, "Not/AZone")).toBe("2026-05"); // UTC
  });

  it("renews at the shop's midnight on the first of the next month", () => {
    expect(nextMonthStart(lateOnTheLast, "UTC").toISOString()).toBe("2026-06-01T00:00:00.000Z");
    expect(nextMonthStart(lateOnTheLast, "Europe/Warsaw").toISOString()).toBe("2026-06-30T22:00:00.000Z");
    expect(nextMonthStart(new Date("2026-12-15T12:00:00Z"), "UTC").toISOString()).toBe("2027-01-01T00:00:00.000Z");
  });

  it("keeps a held follow-up until the renewal, looked at again at most every recheck", () => {
    const now = new Date("2026-05-10T12:00:00Z");
    expect(heldUntil({ now, timeZone: "UTC", recheckMs: 6 * 3_600_000 }).toISOString()).toBe("2026-05-10T18:00:00.000Z");
    expect(heldUntil({ now: lateOnTheLast, timeZone: "UTC", recheckMs: 6 * 3_600_000 }).toISOString()).toBe("2026-06-01T00:00:00.000Z");
  });
});

describe("the plan-limit gate", () => {
  const now = new Date("2026-05-10T12:00:00Z");
  const base = { planName: "Free", now, timeZone: "UTC", alreadyHeld: false } as const;

  it("lets marketing through under the allowance and service always", () => {
    expect(planLimitGate({ ...base, category: "marketing", sent: 499, allowance: 500 }).kind).toBe("continue");
    expect(planLimitGate({ ...base, category: "service", sent: 900, allowance: 500 }).kind).toBe("continue");
    expect(planLimitGate({ ...base, category: "service", sent: null, allowance: 500 }).kind).toBe("continue");
    expect(planLimitGate({ ...base, category: "marketing", sent: 10 ** 6, allowance: null }).kind).toBe("continue");
  });

  it("holds marketing at the allowance with the reason a merchant reads, never skipping it", () => {
    const result = planLimitGate({ ...base, category: "marketing", sent: 500, allowance: 500 });
    expect(result.kind).toBe("hold");
    if (result.kind !== "hold") return;
    expect(result.event).toBe(PLAN_LIMIT_EVENT);
    expect(result.skip?.code).toBe("plan_limit");
    expect(SKIP_REASON_STATUS.plan_limit).toBe("scheduled");
    expect(result.reason).toBe(describeSkipReason(result.skip!));
    expect(result.reason).toMatch(/^Held: the Free plan includes 500 emails a month and this month's are used up\. It goes out as soon as you choose a larger plan on the Plans page, or from Mon 1 Jun 2026 0:00 UTC/);
    expect(result.until.toISOString()).toBe("2026-05-10T18:00:00.000Z");
  });

  it("holds when the count itself refused one more (another dispatcher took the last)", () => {
    expect(planLimitGate({ ...base, category: "marketing", sent: null, allowance: 500 }).kind).toBe("hold");
  });

  it("writes one timeline entry per hold, not one per look", () => {
    const again = planLimitGate({ ...base, alreadyHeld: true, category: "marketing", sent: 500, allowance: 500 });
    expect(again.kind === "hold" && again.event).toBeNull();
  });
});

describe("the held banner", () => {
  it("says how many are held and how to let them go", () => {
    expect(heldBanner({ held: 0, plan: "free", allowance: 500 })).toBeNull();
    const one = heldBanner({ held: 1, plan: "free", allowance: 500 })!;
    expect(one.title).toBe("1 marketing follow-up is held: this month's emails on Free (500 emails a month) are used up");
    expect(one.body).toMatch(/^Choose Afterglow Growth or a larger plan on the Plans page/);
    const many = heldBanner({ held: 1234, plan: "growth", allowance: 10_000 })!;
    expect(many.title).toMatch(/^1,234 marketing follow-ups are held: .* Afterglow Growth \(10,000 emails a month\)/);
    expect(many.body).toMatch(/^Choose Afterglow Scale/);
  });
});
