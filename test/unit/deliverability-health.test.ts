import { describe, expect, it } from "vitest";
import { healthVerdict, MIN_MAIL_TO_JUDGE } from "~/domain/deliverability-health";

describe("healthVerdict", () => {
  it("gives no verdict on too little mail, even beside a high bounce rate", () => {
    // 23 sent, 2 bounced: 8.7%, which would read as a problem on real volume.
    const v = healthVerdict({ window: { sent: 23, delivered: 21, bounces: 2, spamReports: 0 } });
    expect(v).toEqual({ kind: "too_little_mail", title: `Not enough mail yet to judge (23 of ${MIN_MAIL_TO_JUDGE})`, lines: [] });
    expect(healthVerdict({ window: { sent: 0, delivered: 0, bounces: 0, spamReports: 0 } }).title).toBe("Not enough mail yet to judge (0 of 200)");
  });

  it("judges from the minimum on, with each rate beside its limits in plain words", () => {
    const v = healthVerdict({ window: { sent: 400, delivered: 396, bounces: 4, spamReports: 0 } });
    expect(v.kind).toBe("healthy");
    expect(v.title).toBe("Healthy");
    expect(v.lines).toEqual([
      "1% of sent emails bounced. Fine below 5%; sending pauses at 10%.",
      "0% of delivered emails were reported as spam. Fine below 0.10%; Gmail and Yahoo draw the line at 0.30%, where sending pauses.",
    ]);
  });

  it("says at risk above a warning line and paused above a pause line", () => {
    expect(healthVerdict({ window: { sent: 200, delivered: 186, bounces: 14, spamReports: 0 } })).toMatchObject({
      kind: "at_risk",
      lines: [expect.stringMatching(/^7% of sent emails bounced/), expect.any(String)],
    });
    expect(healthVerdict({ window: { sent: 300, delivered: 250, bounces: 50, spamReports: 0 } }).kind).toBe("paused");
  });

  it("keeps a pause an earlier check made, whatever the volume now", () => {
    expect(healthVerdict({ window: { sent: 10, delivered: 10, bounces: 0, spamReports: 0 }, level: "paused" }).kind).toBe("paused");
  });
});
