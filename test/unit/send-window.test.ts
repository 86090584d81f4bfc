import { describe, expect, it } from "vitest";
import { DateTime } from "luxon";
import {
  describeSendWindow,
  InvalidSendWindowError,
  isWithinSendWindow,
  nextAllowedTime,
  validateSendWindow,
  type SendWindow,
} from "~/domain/send-window";
import {
  dueAt,
  InvalidStepDelayError,
  InvalidTimeZoneError,
  localTimeToInstant,
  offsetChangesBetween,
  stepDueTimes,
  stepTimeZone,
  validateStepDelay,
} from "~/domain/step-timing";

// The 2026 daylight-saving days used throughout:
// Europe/Warsaw: Sun 29 Mar 02:00 CET -> 03:00 CEST (01:00Z); Sun 25 Oct 03:00 CEST -> 02:00 CET (01:00Z).
// America/New_York: Sun 8 Mar 02:00 EST -> 03:00 EDT (07:00Z); Sun 1 Nov 02:00 EDT -> 01:00 EST (06:00Z).
const WAW = "Europe/Warsaw";
const NY = "America/New_York";
const utc = (iso: string) => new Date(iso);
const local = (iso: string, zone: string) => DateTime.fromISO(iso, { zone }).toJSDate();

describe("the 2026 DST days these tests rely on", () => {
  it("are where the tests say they are", () => {
    const changes = (zone: string) =>
      offsetChangesBetween({ from: utc("2026-01-01T00:00:00Z"), to: utc("2027-01-01T00:00:00Z"), timeZone: zone }).map((d) =>
        d.toISOString(),
      );
    expect(changes(WAW)).toEqual(["2026-03-29T01:00:00.000Z", "2026-10-25T01:00:00.000Z"]);
    expect(changes(NY)).toEqual(["2026-03-08T07:00:00.000Z", "2026-11-01T06:00:00.000Z"]);
    expect(changes("UTC")).toEqual([]);
  });
});

describe("localTimeToInstant", () => {
  const at = (zone: string, y: number, m: number, d: number, hh: number, mm: number) =>
    localTimeToInstant({ date: { year: y, month: m, day: d }, minuteOfDay: hh * 60 + mm, timeZone: zone }).toISOString();

  it("agrees with luxon on ordinary times", () => {
    for (const [zone, iso] of [
      [WAW, "2026-06-15T09:30"],
      [NY, "2026-01-15T23:59"],
      ["Asia/Kolkata", "2026-05-01T00:00"],
      ["Australia/Sydney", "2026-04-05T01:00"],
    ] as const) {
      const [date, time] = iso.split("T");
      const [y, m, d] = date.split("-").map(Number);
      const [hh, mm] = time.split(":").map(Number);
      expect(at(zone, y, m, d, hh, mm)).toBe(DateTime.fromISO(iso, { zone }).toUTC().toISO());
    }
  });

  it("moves a time that does not exist to the moment the clocks jump", () => {
    expect(at(WAW, 2026, 3, 29, 2, 30)).toBe("2026-03-29T01:00:00.000Z"); // 03:00 CEST
    expect(at(WAW, 2026, 3, 29, 2, 0)).toBe("2026-03-29T01:00:00.000Z");
    expect(at(NY, 2026, 3, 8, 2, 30)).toBe("2026-03-08T07:00:00.000Z"); // 03:00 EDT
    expect(at(NY, 2026, 3, 8, 2, 59)).toBe("2026-03-08T07:00:00.000Z");
    // The edges of the gap are real times.
    expect(at(NY, 2026, 3, 8, 1, 59)).toBe("2026-03-08T06:59:00.000Z");
    expect(at(NY, 2026, 3, 8, 3, 0)).toBe("2026-03-08T07:00:00.000Z");
    // A half-hour shift (Lord Howe Island, 02:00 -> 02:30 on 4 Oct 2026).
    expect(at("Australia/Lord_Howe", 2026, 10, 4, 2, 15)).toBe("2026-10-03T15:30:00.000Z");
  });

  it("takes the first of a time that happens twice", () => {
    expect(at(WAW, 2026, 10, 25, 2, 30)).toBe("2026-10-25T00:30:00.000Z"); // 02:30 CEST, not CET
    expect(at(NY, 2026, 11, 1, 1, 30)).toBe("2026-11-01T05:30:00.000Z"); // 01:30 EDT, not EST
    expect(at(NY, 2026, 11, 1, 1, 0)).toBe("2026-11-01T05:00:00.000Z");
    expect(at(NY, 2026, 11, 1, 2, 0)).toBe("2026-11-01T07:00:00.000Z"); // only once: EST
  });

  it("rejects an unknown zone, naming it", () => {
    expect(() => at("Mars/Olympus", 2026, 1, 1, 0, 0)).toThrow(InvalidTimeZoneError);
    expect(() => at("Mars/Olympus", 2026, 1, 1, 0, 0)).toThrow(/Mars\/Olympus/);
  });
});

describe("dueAt", () => {
  it("counts minutes and hours as elapsed time, even across a DST change", () => {
    // 01:30 EST + 1 hour is 03:30 EDT: one real hour.
    expect(dueAt({ from: utc("2026-03-08T06:30:00Z"), delay: { unit: "hours", amount: 1 }, timeZone: NY })).toEqual(
      utc("2026-03-08T07:30:00Z"),
    );
    expect(dueAt({ from: utc("2026-03-08T06:30:00Z"), delay: { unit: "minutes", amount: 60 }, timeZone: NY })).toEqual(
      utc("2026-03-08T07:30:00Z"),
    );
    // 02:30 CEST + 1 hour is 02:30 CET.
    expect(dueAt({ from: utc("2026-10-25T00:30:00Z"), delay: { unit: "hours", amount: 1 }, timeZone: WAW })).toEqual(
      utc("2026-10-25T01:30:00Z"),
    );
    expect(dueAt({ from: utc("2026-10-25T00:30:00Z"), delay: { unit: "minutes", amount: 0 }, timeZone: WAW })).toEqual(
      utc("2026-10-25T00:30:00Z"),
    );
  });

  it("counts days as calendar days that keep the local time of day", () => {
    // Warsaw: 10:00 CET Saturday -> 10:00 CEST Sunday is 23 real hours.
    expect(dueAt({ from: local("2026-03-28T10:00", WAW), delay: { unit: "days", amount: 1 }, timeZone: WAW })).toEqual(
      utc("2026-03-29T08:00:00Z"),
    );
    // Warsaw: 10:00 CEST -> 10:00 CET is 25 real hours.
    expect(dueAt({ from: local("2026-10-24T10:00", WAW), delay: { unit: "days", amount: 1 }, timeZone: WAW })).toEqual(
      utc("2026-10-25T09:00:00Z"),
    );
    expect(dueAt({ from: local("2026-03-07T10:00", NY), delay: { unit: "days", amount: 1 }, timeZone: NY })).toEqual(
      utc("2026-03-08T14:00:00Z"),
    );
    expect(dueAt({ from: local("2026-10-31T10:00", NY), delay: { unit: "days", amount: 1 }, timeZone: NY })).toEqual(
      utc("2026-11-01T15:00:00Z"),
    );
    // Seconds are kept too.
    expect(dueAt({ from: utc("2026-06-01T10:00:42.500Z"), delay: { unit: "days", amount: 14 }, timeZone: "UTC" })).toEqual(
      utc("2026-06-15T10:00:42.500Z"),
    );
  });

  it("lands a day delay that falls into the spring-forward gap on the jump, not an hour later", () => {
    // Saturday 02:30 EST + 1 day: Sunday 02:30 does not exist in New York.
    expect(dueAt({ from: local("2026-03-07T02:30", NY), delay: { unit: "days", amount: 1 }, timeZone: NY })).toEqual(
      utc("2026-03-08T07:00:00Z"),
    );
    expect(dueAt({ from: local("2026-03-28T02:30", WAW), delay: { unit: "days", amount: 1 }, timeZone: WAW })).toEqual(
      utc("2026-03-29T01:00:00Z"),
    );
  });

  it("leaves a 0-day delay where it is, even in the second pass of a repeated hour", () => {
    const secondOneThirty = utc("2026-11-01T06:30:00Z"); // 01:30 EST
    expect(dueAt({ from: secondOneThirty, delay: { unit: "days", amount: 0 }, timeZone: NY })).toEqual(secondOneThirty);
  });

  it("lands a day delay on a repeated hour at its first occurrence", () => {
    expect(dueAt({ from: local("2026-10-31T01:30", NY), delay: { unit: "days", amount: 1 }, timeZone: NY })).toEqual(
      utc("2026-11-01T05:30:00Z"),
    );
    expect(dueAt({ from: local("2026-10-24T02:30", WAW), delay: { unit: "days", amount: 1 }, timeZone: WAW })).toEqual(
      utc("2026-10-25T00:30:00Z"),
    );
  });

  describe("N days later at HH:MM", () => {
    it("is the local time on the Nth calendar day", () => {
      // Saturday afternoon in New York, "1 day later at 09:00" is Sunday 09:00 EDT.
      expect(dueAt({ from: utc("2026-03-07T20:00:00Z"), delay: { unit: "days_at", days: 1, at: "09:00" }, timeZone: NY })).toEqual(
        utc("2026-03-08T13:00:00Z"),
      );
      expect(dueAt({ from: utc("2026-10-23T12:00:00Z"), delay: { unit: "days_at", days: 3, at: "18:45" }, timeZone: WAW })).toEqual(
        utc("2026-10-26T17:45:00Z"),
      );
      // The day is the local day: 23:30 UTC on 28 Mar is already 29 Mar in Warsaw.
      expect(dueAt({ from: utc("2026-03-28T23:30:00Z"), delay: { unit: "days_at", days: 1, at: "10:00" }, timeZone: WAW })).toEqual(
        utc("2026-03-30T08:00:00Z"),
      );
      // Just before midnight, the next day's small hours are still later.
      expect(dueAt({ from: local("2026-05-01T23:50", WAW), delay: { unit: "days_at", days: 1, at: "00:15" }, timeZone: WAW })).toEqual(
        local("2026-05-02T00:15", WAW),
      );
    });

    it("02:30 on spring-forward day becomes 03:00, the next valid time", () => {
      expect(dueAt({ from: local("2026-03-07T12:00", NY), delay: { unit: "days_at", days: 1, at: "02:30" }, timeZone: NY })).toEqual(
        utc("2026-03-08T07:00:00Z"),
      );
      expect(dueAt({ from: local("2026-03-27T12:00", WAW), delay: { unit: "days_at", days: 2, at: "02:30" }, timeZone: WAW })).toEqual(
        utc("2026-03-29T01:00:00Z"),
      );
    });

    it("01:30 on fall-back day in New York is the first 01:30 (EDT)", () => {
      expect(dueAt({ from: local("2026-10-31T12:00", NY), delay: { unit: "days_at", days: 1, at: "01:30" }, timeZone: NY })).toEqual(
        utc("2026-11-01T05:30:00Z"),
      );
      expect(dueAt({ from: local("2026-10-24T12:00", WAW), delay: { unit: "days_at", days: 1, at: "02:30" }, timeZone: WAW })).toEqual(
        utc("2026-10-25T00:30:00Z"),
      );
    });

    it("with 0 days means the next HH:MM", () => {
      const delay = { unit: "days_at" as const, days: 0, at: "09:00" };
      expect(dueAt({ from: local("2026-06-01T07:00", WAW), delay, timeZone: WAW })).toEqual(local("2026-06-01T09:00", WAW));
      expect(dueAt({ from: local("2026-06-01T10:00", WAW), delay, timeZone: WAW })).toEqual(local("2026-06-02T09:00", WAW));
      // Exactly at 09:00 the moment has come, so the next 09:00 is tomorrow's.
      expect(dueAt({ from: local("2026-06-01T09:00", WAW), delay, timeZone: WAW })).toEqual(local("2026-06-02T09:00", WAW));
      // Across spring-forward: Saturday 10:00 -> Sunday 09:00 CEST.
      expect(dueAt({ from: local("2026-03-28T10:00", WAW), delay, timeZone: WAW })).toEqual(utc("2026-03-29T07:00:00Z"));
    });
  });

  it("rejects bad delays and zones with what to fix", () => {
    const from = utc("2026-01-01T00:00:00Z");
    expect(() => dueAt({ from, delay: { unit: "hours", amount: -1 }, timeZone: WAW })).toThrow(InvalidStepDelayError);
    expect(() => dueAt({ from, delay: { unit: "days", amount: 1.5 }, timeZone: WAW })).toThrow(/whole number/);
    expect(() => dueAt({ from, delay: { unit: "days_at", days: 1, at: "24:00" }, timeZone: WAW })).toThrow(/HH:MM/);
    expect(() => dueAt({ from, delay: { unit: "hours", amount: 1 }, timeZone: "Europe/Nowhere" })).toThrow(InvalidTimeZoneError);
    expect(() => dueAt({ from: new Date("nope"), delay: { unit: "hours", amount: 1 }, timeZone: WAW })).toThrow(/not a valid date/);
  });
});

describe("validateStepDelay", () => {
  it("accepts each kind of delay", () => {
    expect(validateStepDelay({ unit: "minutes", amount: 0 })).toEqual([]);
    expect(validateStepDelay({ unit: "hours", amount: 8760 })).toEqual([]);
    expect(validateStepDelay({ unit: "days", amount: 365 })).toEqual([]);
    expect(validateStepDelay({ unit: "days_at", days: 0, at: "23:59" })).toEqual([]);
  });

  it("names every problem with its path", () => {
    expect(validateStepDelay({ unit: "days", amount: 366 }, "/steps/0/delay")).toEqual([
      "/steps/0/delay/amount: must be a whole number from 0 to 365",
    ]);
    expect(validateStepDelay({ unit: "days_at", days: -1, at: "9:00", amount: 3 }, "/d")).toEqual([
      "/d/amount: is not a delay setting (allowed: unit, days, at)",
      "/d/days: must be a whole number from 0 to 365",
      "/d/at: must be a time of day in HH:MM, e.g. 09:00",
    ]);
    expect(validateStepDelay({ unit: "weeks", amount: 1 })).toEqual(["/unit: must be one of minutes, hours, days, days_at"]);
    expect(validateStepDelay(null)).toEqual(["(delay): must be an object"]);
    expect(validateStepDelay({ unit: "minutes", amount: "5" })).toEqual(["/amount: must be a whole number from 0 to 525600"]);
  });
});

describe("stepDueTimes", () => {
  it("counts each step from the trigger or from the previous step's due time", () => {
    const triggeredAt = local("2026-03-06T15:00", NY); // Friday 15:00 EST
    const times = stepDueTimes({
      triggeredAt,
      timeZone: NY,
      steps: [
        { from: "trigger", delay: { unit: "hours", amount: 1 } }, // Fri 16:00 EST
        { from: "previous_step", delay: { unit: "days", amount: 2 } }, // Sun 16:00 EDT
        { from: "trigger", delay: { unit: "days_at", days: 3, at: "10:00" } }, // Mon 10:00 EDT
        { from: "previous_step", delay: { unit: "minutes", amount: 30 } }, // Mon 10:30 EDT
      ],
    });
    expect(times.map((t) => t.toISOString())).toEqual([
      "2026-03-06T21:00:00.000Z",
      "2026-03-08T20:00:00.000Z",
      "2026-03-09T14:00:00.000Z",
      "2026-03-09T14:30:00.000Z",
    ]);
  });

  it("starts a first step counted from a previous step at the trigger", () => {
    const triggeredAt = utc("2026-06-01T00:00:00Z");
    expect(stepDueTimes({ triggeredAt, timeZone: "UTC", steps: [{ from: "previous_step", delay: { unit: "hours", amount: 2 } }] })).toEqual([
      utc("2026-06-01T02:00:00Z"),
    ]);
  });
});

describe("stepTimeZone", () => {
  it("prefers the customer's zone, then the shop's, then UTC", () => {
    expect(stepTimeZone({ customerTimeZone: NY, shopTimeZone: WAW })).toBe(NY);
    expect(stepTimeZone({ customerTimeZone: null, shopTimeZone: WAW })).toBe(WAW);
    expect(stepTimeZone({ customerTimeZone: "Not/AZone", shopTimeZone: WAW })).toBe(WAW);
    expect(stepTimeZone({ customerTimeZone: "", shopTimeZone: "bad" })).toBe("UTC");
    expect(stepTimeZone({})).toBe("UTC");
  });
});

// ---------------------------------------------------------------------------------------------

const WEEKDAYS_9_TO_6: SendWindow = { days: ["mon", "tue", "wed", "thu", "fri"], start: "09:00", end: "18:00" };
const EVENINGS: SendWindow = { days: ["mon", "tue", "wed", "thu", "fri"], start: "20:00", end: "02:00" };

describe("validateSendWindow", () => {
  it("accepts ordinary, overnight and all-day windows", () => {
    expect(validateSendWindow(WEEKDAYS_9_TO_6)).toEqual([]);
    expect(validateSendWindow(EVENINGS)).toEqual([]);
    expect(validateSendWindow({ days: ["sun"], start: "00:00", end: "00:00" })).toEqual([]);
  });

  it("explains what is wrong, with paths", () => {
    expect(validateSendWindow({ days: [], start: "09:00", end: "18:00" }, "/flows/0/sendWindow")).toEqual([
      "/flows/0/sendWindow/days: pick at least one weekday, or no follow-up could ever be sent",
    ]);
    expect(validateSendWindow({ days: ["mon", "Tue", "mon"], start: "9:00", end: "24:00", tz: "x" })).toEqual([
      "/tz: is not a send window setting (allowed: days, start, end)",
      '/days/1: "Tue" is not a weekday (mon, tue, wed, thu, fri, sat, sun)',
      '/days/2: "mon" is listed twice',
      "/start: must be a time of day in HH:MM from 00:00 to 23:59, e.g. 09:00",
      "/end: must be a time of day in HH:MM from 00:00 to 23:59, e.g. 09:00",
    ]);
    expect(validateSendWindow({ days: "mon-fri", start: "09:00", end: "18:00" })).toEqual([
      "/days: must be a list of weekdays (mon, tue, wed, thu, fri, sat, sun)",
    ]);
    expect(validateSendWindow("9-5")).toEqual(["(send window): must be an object"]);
  });

  it("is enforced by the functions that use a window", () => {
    const bad = { days: [], start: "09:00", end: "18:00" } as SendWindow;
    expect(() => nextAllowedTime({ at: new Date(), window: bad, timeZone: WAW })).toThrow(InvalidSendWindowError);
    expect(() => isWithinSendWindow({ at: new Date(), window: bad, timeZone: WAW })).toThrow(/at least one weekday/);
    expect(() => nextAllowedTime({ at: new Date(), window: WEEKDAYS_9_TO_6, timeZone: "Warsaw" })).toThrow(InvalidTimeZoneError);
  });
});

describe("describeSendWindow", () => {
  it("reads like a merchant would write it", () => {
    expect(describeSendWindow(WEEKDAYS_9_TO_6)).toBe("Mon–Fri 9:00–18:00");
    expect(describeSendWindow(EVENINGS)).toBe("Mon–Fri 20:00–2:00");
    expect(describeSendWindow({ days: ["sat", "sun"], start: "10:00", end: "10:00" })).toBe("Sat, Sun all day");
    expect(describeSendWindow({ days: ["fri", "mon", "sat", "sun"], start: "08:30", end: "17:05" })).toBe("Fri–Mon 8:30–17:05");
    expect(describeSendWindow({ days: ["mon", "wed", "fri"], start: "09:00", end: "12:00" })).toBe("Mon, Wed, Fri 9:00–12:00");
    expect(describeSendWindow({ days: ["mon", "tue", "wed", "fri"], start: "09:00", end: "12:00" })).toBe("Mon–Wed, Fri 9:00–12:00");
    expect(
      describeSendWindow({ days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], start: "00:00", end: "00:00" }),
    ).toBe("Every day all day");
  });
});

describe("isWithinSendWindow", () => {
  it("includes the start minute and excludes the end minute", () => {
    const w = { window: WEEKDAYS_9_TO_6, timeZone: WAW };
    expect(isWithinSendWindow({ ...w, at: local("2026-06-01T08:59:59", WAW) })).toBe(false); // Monday
    expect(isWithinSendWindow({ ...w, at: local("2026-06-01T09:00", WAW) })).toBe(true);
    expect(isWithinSendWindow({ ...w, at: local("2026-06-01T17:59:59", WAW) })).toBe(true);
    expect(isWithinSendWindow({ ...w, at: local("2026-06-01T18:00", WAW) })).toBe(false);
    expect(isWithinSendWindow({ ...w, at: local("2026-06-06T12:00", WAW) })).toBe(false); // Saturday
  });

  it("judges by the local weekday and hour, not UTC's", () => {
    // Monday 08:30 UTC is 10:30 in Warsaw (inside) and 04:30 in New York (outside).
    const at = utc("2026-06-01T08:30:00Z");
    expect(isWithinSendWindow({ at, window: WEEKDAYS_9_TO_6, timeZone: WAW })).toBe(true);
    expect(isWithinSendWindow({ at, window: WEEKDAYS_9_TO_6, timeZone: NY })).toBe(false);
    // Saturday 02:00 UTC is still Friday 22:00 in New York.
    expect(isWithinSendWindow({ at: utc("2026-06-06T02:00:00Z"), window: { ...WEEKDAYS_9_TO_6, end: "23:00" }, timeZone: NY })).toBe(true);
  });

  it("gives an overnight window's small hours to the day it opened", () => {
    const w = { window: EVENINGS, timeZone: WAW };
    expect(isWithinSendWindow({ ...w, at: local("2026-06-05T21:00", WAW) })).toBe(true); // Friday evening
    expect(isWithinSendWindow({ ...w, at: local("2026-06-06T01:59", WAW) })).toBe(true); // Saturday, from Friday
    expect(isWithinSendWindow({ ...w, at: local("2026-06-06T02:00", WAW) })).toBe(false);
    expect(isWithinSendWindow({ ...w, at: local("2026-06-06T21:00", WAW) })).toBe(false); // Saturday evening
    expect(isWithinSendWindow({ ...w, at: local("2026-06-08T01:00", WAW) })).toBe(false); // Monday, from Sunday
    expect(isWithinSendWindow({ ...w, at: local("2026-06-09T01:00", WAW) })).toBe(true); // Tuesday, from Monday
    expect(isWithinSendWindow({ ...w, at: local("2026-06-08T19:59", WAW) })).toBe(false);
  });

  it("treats start == end as the whole day", () => {
    const window: SendWindow = { days: ["sat", "sun"], start: "07:00", end: "07:00" };
    expect(isWithinSendWindow({ at: local("2026-06-06T00:00", WAW), window, timeZone: WAW })).toBe(true);
    expect(isWithinSendWindow({ at: local("2026-06-07T23:59", WAW), window, timeZone: WAW })).toBe(true);
    expect(isWithinSendWindow({ at: local("2026-06-08T07:00", WAW), window, timeZone: WAW })).toBe(false);
  });
});

describe("nextAllowedTime", () => {
  it("keeps an allowed time as it is", () => {
    const at = local("2026-06-02T10:15:30", WAW);
    expect(nextAllowedTime({ at, window: WEEKDAYS_9_TO_6, timeZone: WAW })).toEqual({ at, moved: false, reason: null });
    expect(nextAllowedTime({ at, window: null, timeZone: WAW })).toEqual({ at, moved: false, reason: null });
  });

  it("moves to the next opening with a reason the merchant can read", () => {
    const evening = nextAllowedTime({ at: local("2026-06-01T18:30", WAW), window: WEEKDAYS_9_TO_6, timeZone: WAW });
    expect(evening.moved).toBe(true);
    expect(evening.at).toEqual(local("2026-06-02T09:00", WAW));
    expect(evening.reason).toBe("Outside the send window (Mon–Fri 9:00–18:00 Europe/Warsaw); moved to Tue 9:00.");
    if (!evening.moved) throw new Error("expected a move");
    expect(evening.detail).toMatchObject({ code: "outside_send_window", window: "Mon–Fri 9:00–18:00", timeZone: WAW });

    const early = nextAllowedTime({ at: local("2026-06-02T06:00", WAW), window: WEEKDAYS_9_TO_6, timeZone: WAW });
    expect(early.at).toEqual(local("2026-06-02T09:00", WAW));
    expect(early.reason).toMatch(/moved to Tue 9:00\.$/);

    const weekend = nextAllowedTime({ at: local("2026-06-05T19:00", WAW), window: WEEKDAYS_9_TO_6, timeZone: WAW });
    expect(weekend.at).toEqual(local("2026-06-08T09:00", WAW));
    expect(weekend.reason).toMatch(/moved to Mon 9:00\.$/);
  });

  it("names the date when the move is a week away", () => {
    const window: SendWindow = { days: ["mon"], start: "09:00", end: "10:00" };
    const moved = nextAllowedTime({ at: local("2026-06-01T10:30", WAW), window, timeZone: WAW });
    expect(moved.at).toEqual(local("2026-06-08T09:00", WAW));
    expect(moved.reason).toBe("Outside the send window (Mon 9:00–10:00 Europe/Warsaw); moved to Mon 8 Jun 9:00.");
  });

  it("moves into an overnight window correctly", () => {
    const sat3am = nextAllowedTime({ at: local("2026-06-06T03:00", WAW), window: EVENINGS, timeZone: WAW });
    expect(sat3am.at).toEqual(local("2026-06-08T20:00", WAW));
    const mon1am = nextAllowedTime({ at: local("2026-06-08T01:00", WAW), window: EVENINGS, timeZone: WAW });
    expect(mon1am.at).toEqual(local("2026-06-08T20:00", WAW));
    expect(mon1am.reason).toBe("Outside the send window (Mon–Fri 20:00–2:00 Europe/Warsaw); moved to Mon 20:00.");
    expect(nextAllowedTime({ at: local("2026-06-06T01:30", WAW), window: EVENINGS, timeZone: WAW }).moved).toBe(false);
  });

  it("opens an all-day window at local midnight", () => {
    const window: SendWindow = { days: ["sat", "sun"], start: "12:00", end: "12:00" };
    expect(nextAllowedTime({ at: local("2026-06-05T23:59", WAW), window, timeZone: WAW }).at).toEqual(local("2026-06-06T00:00", WAW));
  });

  describe("across daylight-saving changes", () => {
    it("Warsaw spring-forward weekend: Friday night to Monday 09:00 CEST", () => {
      const r = nextAllowedTime({ at: local("2026-03-27T20:00", WAW), window: WEEKDAYS_9_TO_6, timeZone: WAW });
      expect(r.at).toEqual(utc("2026-03-30T07:00:00Z"));
    });

    it("Warsaw fall-back weekend: Friday night to Monday 09:00 CET", () => {
      const r = nextAllowedTime({ at: local("2026-10-23T20:00", WAW), window: WEEKDAYS_9_TO_6, timeZone: WAW });
      expect(r.at).toEqual(utc("2026-10-26T08:00:00Z"));
    });

    it("New York spring-forward and fall-back weekends", () => {
      expect(nextAllowedTime({ at: local("2026-03-06T19:00", NY), window: WEEKDAYS_9_TO_6, timeZone: NY }).at).toEqual(
        utc("2026-03-09T13:00:00Z"),
      );
      expect(nextAllowedTime({ at: local("2026-10-30T19:00", NY), window: WEEKDAYS_9_TO_6, timeZone: NY }).at).toEqual(
        utc("2026-11-02T14:00:00Z"),
      );
    });

    it("an opening at 02:30 on spring-forward day is 03:00, the next valid time", () => {
      const window: SendWindow = { days: ["sun"], start: "02:30", end: "05:00" };
      const waw = nextAllowedTime({ at: local("2026-03-29T00:30", WAW), window, timeZone: WAW });
      expect(waw.at).toEqual(utc("2026-03-29T01:00:00Z"));
      expect(waw.reason).toBe("Outside the send window (Sun 2:30–5:00 Europe/Warsaw); moved to Sun 3:00.");
      const ny = nextAllowedTime({ at: local("2026-03-08T00:30", NY), window, timeZone: NY });
      expect(ny.at).toEqual(utc("2026-03-08T07:00:00Z"));
    });

    it("a window wholly inside the skipped hour has no time that day", () => {
      const window: SendWindow = { days: ["sun"], start: "02:10", end: "02:40" };
      const r = nextAllowedTime({ at: local("2026-03-08T00:00", NY), window, timeZone: NY });
      expect(r.at).toEqual(local("2026-03-15T02:10", NY));
      expect(r.reason).toMatch(/moved to Sun 15 Mar 2:10\.$/);
    });

    it("an opening at 01:30 on fall-back day is the first 01:30", () => {
      const window: SendWindow = { days: ["sun"], start: "01:30", end: "04:00" };
      expect(nextAllowedTime({ at: utc("2026-11-01T04:00:00Z"), window, timeZone: NY }).at).toEqual(utc("2026-11-01T05:30:00Z"));
      const waw: SendWindow = { days: ["sun"], start: "02:30", end: "04:00" };
      expect(nextAllowedTime({ at: utc("2026-10-24T22:00:00Z"), window: waw, timeZone: WAW }).at).toEqual(utc("2026-10-25T00:30:00Z"));
    });

    it("re-enters a window when the clocks go back into it", () => {
      // 01:45 EDT is past 01:00–01:30, but at 02:00 EDT the clocks go back to 01:00 EST.
      const window: SendWindow = { days: ["sun"], start: "01:00", end: "01:30" };
      const r = nextAllowedTime({ at: utc("2026-11-01T05:45:00Z"), window, timeZone: NY });
      expect(r.at).toEqual(utc("2026-11-01T06:00:00Z"));
      // Warsaw: 02:45 CEST, back to 02:00 CET at 03:00 CEST.
      const waw = nextAllowedTime({ at: utc("2026-10-25T00:45:00Z"), window: { days: ["sun"], start: "02:00", end: "02:30" }, timeZone: WAW });
      expect(waw.at).toEqual(utc("2026-10-25T01:00:00Z"));
    });

    it("an overnight window on spring-forward night ends at its local end time", () => {
      const window: SendWindow = { days: ["sat"], start: "20:00", end: "02:00" };
      expect(isWithinSendWindow({ at: utc("2026-03-29T00:59:00Z"), window, timeZone: WAW })).toBe(true); // 01:59 CET
      const r = nextAllowedTime({ at: utc("2026-03-29T01:00:00Z"), window, timeZone: WAW }); // 03:00 CEST
      expect(r.at).toEqual(local("2026-04-04T20:00", WAW));
    });

    it("agrees with a minute-by-minute search around every DST change", () => {
      const windows: SendWindow[] = [
        WEEKDAYS_9_TO_6,
        EVENINGS,
        { days: ["sat", "sun"], start: "01:30", end: "03:15" },
        { days: ["sun"], start: "02:00", end: "02:00" },
      ];
      const starts: [string, string][] = [
        [WAW, "2026-03-28T20:00:00Z"],
        [WAW, "2026-10-24T20:00:00Z"],
        [NY, "2026-03-08T02:00:00Z"],
        [NY, "2026-11-01T02:00:00Z"],
      ];
      for (const [zone, startIso] of starts) {
        for (const window of windows) {
          // Every 47 minutes across ten hours around the change.
          for (let k = 0; k < 13; k++) {
            const at = new Date(Date.parse(startIso) + k * 47 * 60_000);
            let expected = at;
            if (!isWithinSendWindow({ at, window, timeZone: zone })) {
              expected = new Date(at.getTime() + 60_000);
              while (!isWithinSendWindow({ at: expected, window, timeZone: zone })) expected = new Date(expected.getTime() + 60_000);
            }
            const got = nextAllowedTime({ at, window, timeZone: zone }).at;
            expect({ zone, window: describeSendWindow(window), at: at.toISOString(), got: got.toISOString() }).toEqual({
              zone,
              window: describeSendWindow(window),
              at: at.toISOString(),
              got: expected.toISOString(),
            });
          }
        }
      }
    });
  });
});
