// When a flow step is due: its delay counted from the trigger or from the previous step,
// with wall-clock times resolved in the customer's (or else the shop's) time zone.
//
// Daylight-saving rules, used everywhere a local time becomes an instant:
// - A local time that does not exist (02:30 on a spring-forward day) becomes the next valid
//   time: the moment the clocks jump (03:00 in Warsaw and New York), never an hour later.
// - A local time that exists twice (01:30 on a fall-back day) is the first occurrence.
import { DateTime, IANAZone } from "luxon";

export type DelayUnit = "minutes" | "hours" | "days";

export type StepDelay =
  // minutes and hours are elapsed time; days are calendar days that keep the local time of day
  | { unit: DelayUnit; amount: number }
  // "N days later at HH:MM"; with 0 days, the next HH:MM after `from`
  | { unit: "days_at"; days: number; at: string };

export type DelayAnchor = "trigger" | "previous_step";

export interface LocalDate {
  year: number;
  month: number; // 1-12
  day: number;
}

export class InvalidTimeZoneError extends Error {
  constructor(readonly timeZone: string) {
    super(`"${timeZone}" is not an IANA time zone (e.g. Europe/Warsaw); check the shop's or customer's time zone.`);
    this.name = "InvalidTimeZoneError";
  }
}

export class InvalidStepDelayError extends Error {
  constructor(readonly problems: string[]) {
    super(`The step delay is not valid: ${problems.join("; ")}`);
    this.name = "InvalidStepDelayError";
  }
}

// Checking a zone builds an Intl formatter, which is slow; the dispatcher asks again and again.
const knownZones = new Map<string, boolean>();

export function isValidTimeZone(timeZone: string | null | undefined): timeZone is string {
  if (typeof timeZone !== "string" || timeZone.trim() === "") return false;
  let valid = knownZones.get(timeZone);
  if (valid === undefined) {
    valid = IANAZone.isValidZone(timeZone);
    if (knownZones.size < 1000) knownZones.set(timeZone, valid);
  }
  return valid;
}

// The customer's zone when we know it, else the shop's ianaTimezone, else UTC.
export function stepTimeZone({
  customerTimeZone,
  shopTimeZone,
}: {
  customerTimeZone?: string | null;
  shopTimeZone?: string | null;
}): string {
  if (isValidTimeZone(customerTimeZone)) return customerTimeZone;
  if (isValidTimeZone(shopTimeZone)) return shopTimeZone;
  return "UTC";
}

export function assertTimeZone(timeZone: string): IANAZone {
  if (!isValidTimeZone(timeZone)) throw new InvalidTimeZoneError(String(timeZone));
  return IANAZone.create(timeZone);
}

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function isClockTime(value: unknown): value is string {
  return typeof value === "string" && HH_MM.test(value);
}

// "09:30" -> 570
export function minutesOfDay(clock: string): number {
  const m = HH_MM.exec(clock);
  if (!m) throw new Error(`"${clock}" is not a time of day in HH:MM (00:00 to 23:59).`);
  return Number(m[1]) * 60 + Number(m[2]);
}

const MINUTE = 60_000;

// Offsets of real zones change at most once within a few days, so the offsets a day and a half
// either side are the only two a local time can have.
export function localTimeToInstant({
  date,
  minuteOfDay,
  timeZone,
}: {
  date: LocalDate;
  minuteOfDay: number;
  timeZone: string;
}): Date {
  const zone = assertTimeZone(timeZone);
  const wall = Date.UTC(date.year, date.month - 1, date.day, 0, minuteOfDay);
  const before = zone.offset(wall - 36 * 60 * MINUTE);
  const after = zone.offset(wall + 36 * 60 * MINUTE);
  const candidates = [...new Set([before, after])]
    .map((offset) => wall - offset * MINUTE)
    .filter((instant) => zone.offset(instant) * MINUTE === wall - instant)
    .sort((a, b) => a - b);
  if (candidates.length) return new Date(candidates[0]);
  // In a gap: the first instant on the far side of the jump.
  return new Date(nextOffsetChange(zone, wall - after * MINUTE, wall - before * MINUTE));
}

// First instant in (from, to] whose offset differs from the offset at `from`.
function nextOffsetChange(zone: IANAZone, from: number, to: number): number {
  const start = zone.offset(from);
  let lo = from;
  let hi = to;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (zone.offset(mid) === start) lo = mid;
    else hi = mid;
  }
  return hi;
}

// Instants in (from, to] at which the zone's UTC offset changes.
export function offsetChangesBetween({ from, to, timeZone }: { from: Date; to: Date; timeZone: string }): Date[] {
  const zone = assertTimeZone(timeZone);
  const changes: Date[] = [];
  const step = 6 * 60 * MINUTE;
  for (let t = from.getTime(); t < to.getTime(); t += step) {
    const end = Math.min(t + step, to.getTime());
    if (zone.offset(t) !== zone.offset(end)) changes.push(new Date(nextOffsetChange(zone, t, end)));
  }
  return changes;
}

export function localDateOf(at: Date, timeZone: string): LocalDate {
  assertTimeZone(timeZone);
  const local = DateTime.fromJSDate(at, { zone: timeZone });
  return { year: local.year, month: local.month, day: local.day };
}

export function addCalendarDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

const MAX = { minutes: 525_600, hours: 8_760, days: 365 } as const;

// Problems with a delay as it would be imported; `path` prefixes each one (e.g. /flows/0/steps/1/delay).
export function validateStepDelay(input: unknown, path = ""): string[] {
  const where = (p: string) => `${path}${p}` || "(delay)";
  if (typeof input !== "object" || input === null || Array.isArray(input)) return [`${where("")}: must be an object`];
  const delay = input as Record<string, unknown>;
  const problems: string[] = [];
  const count = (key: string, max: number) => {
    const v = delay[key];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > max)
      problems.push(`${where(`/${key}`)}: must be a whole number from 0 to ${max}`);
  };
  const allowed = (keys: string[]) => {
    for (const key of Object.keys(delay))
      if (!keys.includes(key)) problems.push(`${where(`/${key}`)}: is not a delay setting (allowed: ${keys.join(", ")})`);
  };
  if (delay.unit === "minutes" || delay.unit === "hours" || delay.unit === "days") {
    allowed(["unit", "amount"]);
    count("amount", MAX[delay.unit]);
  } else if (delay.unit === "days_at") {
    allowed(["unit", "days", "at"]);
    count("days", MAX.days);
    if (!isClockTime(delay.at)) problems.push(`${where("/at")}: must be a time of day in HH:MM, e.g. 09:00`);
  } else {
    problems.push(`${where("/unit")}: must be one of minutes, hours, days, days_at`);
  }
  return problems;
}

export function dueAt({ from, delay, timeZone }: { from: Date; delay: StepDelay; timeZone: string }): Date {
  if (Number.isNaN(from.getTime())) throw new Error("The step's starting time is not a valid date.");
  const problems = validateStepDelay(delay);
  if (problems.length) throw new InvalidStepDelayError(problems);
  assertTimeZone(timeZone);

  const local = DateTime.fromJSDate(from, { zone: timeZone });
  const startDate = { year: local.year, month: local.month, day: local.day };
  if (delay.unit !== "days_at") {
    if (delay.unit === "minutes") return new Date(from.getTime() + delay.amount * MINUTE);
    if (delay.unit === "hours") return new Date(from.getTime() + delay.amount * 60 * MINUTE);
    // Re-reading the local time would move 01:30 EST (second) back to 01:30 EDT (first).
    if (delay.amount === 0) return new Date(from.getTime());
    // Keeps the local time of day, so "3 days later" is not an hour off after a DST change.
    const minuteOfDay = local.hour * 60 + local.minute;
    const at = localTimeToInstant({ date: addCalendarDays(startDate, delay.amount), minuteOfDay, timeZone });
    return new Date(at.getTime() + local.second * 1000 + local.millisecond);
  }
  const minuteOfDay = minutesOfDay(delay.at);
  const at = localTimeToInstant({ date: addCalendarDays(startDate, delay.days), minuteOfDay, timeZone });
  if (at.getTime() > from.getTime()) return at;
  // Only reachable with 0 days: today's HH:MM has passed, so it is tomorrow's.
  return localTimeToInstant({ date: addCalendarDays(startDate, delay.days + 1), minuteOfDay, timeZone });
}

export interface TimedStep {
  delay: StepDelay;
  from: DelayAnchor;
}

// Due times of a flow's steps in order. A step counted from the previous step starts at that
// step's due time; the first step's previous step is the trigger.
export function stepDueTimes({
  triggeredAt,
  steps,
  timeZone,
}: {
  triggeredAt: Date;
  steps: TimedStep[];
  timeZone: string;
}): Date[] {
  const times: Date[] = [];
  for (const step of steps) {
    const from = step.from === "trigger" || times.length === 0 ? triggeredAt : times[times.length - 1];
    times.push(dueAt({ from, delay: step.delay, timeZone }));
  }
  return times;
}
