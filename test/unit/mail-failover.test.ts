import { describe, expect, it } from "vitest";
import { afterPrimary, chooseRoute, decideProvider, HEALTHY, isMailProviderChoice, type FailoverState } from "../../app/domain/mail-failover";

const policy = { afterMs: 60_000, probeEveryMs: 30_000 };

// Runs a sequence of primary outcomes at the given times, as the adapter would.
function replay(events: [number, "answered" | "failed"][], start: FailoverState = HEALTHY): FailoverState {
  return events.reduce((state, [at, outcome]) => afterPrimary(state, outcome, at, policy), start);
}

describe("the failover between SendGrid and Postmark", () => {
  it("stays on the primary while failures have lasted less than afterMs", () => {
    const state = replay([
      [0, "failed"],
      [30_000, "failed"],
      [59_999, "failed"],
    ]);
    expect(state).toEqual({ mode: "primary", failingSince: 0 });
    expect(chooseRoute(state, 59_999, policy).route).toEqual({ to: "primary", probe: false });
  });

  it("moves to the secondary once the primary has failed continuously for afterMs", () => {
    const state = replay([
      [0, "failed"],
      [60_000, "failed"],
    ]);
    expect(state).toEqual({ mode: "secondary", since: 60_000, probeAt: 90_000 });
    expect(chooseRoute(state, 60_001, policy).route).toEqual({ to: "secondary" });
  });

  it("starts counting again after any answer: failures must be continuous", () => {
    const state = replay([
      [0, "failed"],
      [50_000, "answered"],
      [55_000, "failed"],
      [100_000, "failed"],
    ]);
    expect(state).toEqual({ mode: "primary", failingSince: 55_000 });
    expect(replay([[115_000, "failed"]], state).mode).toBe("secondary");
  });

  it("probes the primary with one send per probe interval, not with every send due at that moment", () => {
    const onSecondary: FailoverState = { mode: "secondary", since: 0, probeAt: 30_000 };
    expect(chooseRoute(onSecondary, 29_999, policy).route).toEqual({ to: "secondary" });
    const probe = chooseRoute(onSecondary, 30_000, policy);
    expect(probe.route).toEqual({ to: "primary", probe: true });
    expect(probe.state).toEqual({ mode: "secondary", since: 0, probeAt: 60_000 });
    expect(chooseRoute(probe.state, 30_001, policy).route).toEqual({ to: "secondary" });
  });

  it("stays on the secondary when a probe fails, and comes back with the first answer", () => {
    const onSecondary: FailoverState = { mode: "secondary", since: 0, probeAt: 60_000 };
    expect(afterPrimary(onSecondary, "failed", 30_000, policy)).toBe(onSecondary);
    expect(afterPrimary(onSecondary, "answered", 30_000, policy)).toEqual(HEALTHY);
  });
});

describe("which provider one follow-up goes to", () => {
  const available = ["sendgrid", "postmark"];

  it("a pinned follow-up goes where it is pinned, whatever the shop chose and whether or not that provider is here", () => {
    expect(decideProvider({ pinnedTo: "sendgrid", preferred: "postmark", available })).toEqual({ kind: "pinned", provider: "sendgrid" });
    expect(decideProvider({ pinnedTo: "postmark", preferred: "auto", available: ["sendgrid"] })).toEqual({ kind: "pinned", provider: "postmark" });
  });

  it("the shop's choice holds when this process can honour it; auto and unknown choices leave it to the failover", () => {
    expect(decideProvider({ pinnedTo: null, preferred: "postmark", available })).toEqual({ kind: "chosen", provider: "postmark" });
    expect(decideProvider({ pinnedTo: null, preferred: "sendgrid", available })).toEqual({ kind: "chosen", provider: "sendgrid" });
    expect(decideProvider({ pinnedTo: null, preferred: "postmark", available: ["sendgrid"] })).toEqual({ kind: "failover" });
    expect(decideProvider({ pinnedTo: null, preferred: "auto", available })).toEqual({ kind: "failover" });
    expect(decideProvider({ pinnedTo: null, preferred: null, available })).toEqual({ kind: "failover" });
  });

  it("knows the shop's three choices", () => {
    expect(["auto", "sendgrid", "postmark"].every(isMailProviderChoice)).toBe(true);
    expect(isMailProviderChoice("ses")).toBe(false);
  });
});
