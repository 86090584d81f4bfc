// When follow-ups may go out: allowed weekdays and hours of the day, in a time zone.
//
// - start == end means the whole of each allowed day.
// - start > end crosses midnight: "Fri 20:00–02:00" runs from Friday 20:00 to Saturday 02:00;
//   the weekday names the day the window opens.
// - Local times follow step-timing's DST rules: an opening that does not exist (02:30 on a
//   spring-forward day) is the moment the clocks jump; one that exists twice is the first.
import { DateTime } from "luxon";
import { describeSkipReason, type SkipReason } from "./skip-reasons";
import { settingObject } from "./validation";
import {
  addCalendarDays,
  assertTimeZone,
  isClockTime,
  localDateOf,
  localTimeToInstant,
  minutesOfDay,
  offsetChangesBetween,
} from "./step-timing";

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface SendWindow {
  days: Weekday[];
  start: string; // HH:MM, local
  end: string; // HH:MM, local; before start crosses midnight
}

export type SendWindowDecision =
  | { at: Date; moved: false; reason: null }
  | { at: Date; moved: true; reason: string; detail: SkipReason };

export class InvalidSendWindowError extends Error {
  constructor(readonly problems: string[]) {
    super(`The send window is not valid: ${problems.join("; ")}`);
    this.name = "InvalidSendWindowError";
  }
}

const WEEKDAY_LABEL: Record<Weekday, string> = {
  mon: "Mon",
  tue: "Tue",
  wed: "Wed",
  thu: "Thu",
  fri: "Fri",
  sat: "Sat",
  sun: "Sun",
};

export function validateSendWindow(input: unknown, path = ""): string[] {
  const { where, fields: window, problems } = settingObject(input, { path, name: "send window", allowedKeys: ["days", "start", "end"] });
  if (!window) return problems;
  if (!Array.isArray(window.days)) {
    problems.push(`${where("/days")}: must be a list of weekdays (${WEEKDAYS.join(", ")})`);
  } else if (window.days.length === 0) {
    problems.push(`${where("/days")}: pick at least one weekday, or no follow-up could ever be sent`);
  } else {
    const seen = new Set<unknown>();
    window.days.forEach((day, i) => {
      if (!WEEKDAYS.includes(day as Weekday))
        problems.push(`${where(`/days/${i}`)}: "${String(day)}" is not a weekday (${WEEKDAYS.join(", ")})`);
      else if (seen.has(day)) problems.push(`${where(`/days/${i}`)}: "${day}" is listed twice`);
      seen.add(day);
    });
  }
  for (const key of ["start", "end"] as const) {
    if (!isClockTime(window[key]))
      problems.push(`${where(`/${key}`)}: must be a time of day in HH:MM from 00:00 to 23:59, e.g. 09:00`);
  }
  return problems;
}

function assertWindow(window: SendWindow): void {
  const problems = validateSendWindow(window);
  if (problems.length) throw new InvalidSendWindowError(problems);
}

const clock = (hhmm: string) => {
  const m = minutesOfDay(hhmm);
  return `${Math.floor(m / 60)}:${String(m % 60).padStart(2, "0")}`;
};

function describeDays(days: Weekday[]): string {
  const on = WEEKDAYS.map((d) => days.includes(d));
  if (on.every(Boolean)) return "Every day";
  // A run across the week's end starts the list, so it reads "Fri–Mon", not "Mon, Fri–Sun".
  const first = on[0] && on[6] ? (on.lastIndexOf(false) + 1) % 7 : 0;
  const parts: string[] = [];
  for (let i = 0; i < 7; ) {
    if (!on[(first + i) % 7]) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < 7 && on[(first + j + 1) % 7]) j++;
    const a = WEEKDAY_LABEL[WEEKDAYS[(first + i) % 7]];
    const b = WEEKDAY_LABEL[WEEKDAYS[(first + j) % 7]];
    parts.push(j === i ? a : j === i + 1 ? `${a}, ${b}` : `${a}–${b}`);
    i = j + 1;
  }
  return parts.join(", ");
}

// "Mon–Fri 9:00–18:00", "Every day 20:00–2:00", "Sat, Sun all day"
export function describeSendWindow(window: SendWindow): string {
  assertWindow(window);
  const hours = window.start === window.end ? "all day" : `${clock(window.start)}–${clock(window.end)}`;
  return `${describeDays(window.days)} ${hours}`;
}

const weekdayOf = (luxonWeekday: number): Weekday => WEEKDAYS[luxonWeekday - 1];

export function isWithinSendWindow({ at, window, timeZone }: { at: Date; window: SendWindow; timeZone: string }): boolean {
  assertWindow(window);
  assertTimeZone(timeZone);
  const local = DateTime.fromJSDate(at, { zone: timeZone });
  const day = weekdayOf(local.weekday);
  const minute = local.hour * 60 + local.minute;
  const start = minutesOfDay(window.start);
  const end = minutesOfDay(window.end);
  if (start === end) return window.days.includes(day);
  if (start < end) return window.days.includes(day) && minute >= start && minute < end;
  const previousDay = weekdayOf(((local.weekday + 5) % 7) + 1);
  return (window.days.includes(day) && minute >= start) || (window.days.includes(previousDay) && minute < end);
}

const SEARCH_DAYS = 15;

export function nextAllowedTime({
  at,
  window,
  timeZone,
}: {
  at: Date;
  window: SendWindow | null;
  timeZone: string;
}): SendWindowDecision {
  if (Number.isNaN(at.getTime())) throw new Error("The follow-up's due time is not a valid date.");
  assertTimeZone(timeZone);
  if (!window) return { at, moved: false, reason: null };
  if (isWithinSendWindow({ at, window, timeZone })) return { at, moved: false, reason: null };

  // The window can only open at a local opening time or where the clocks jump into it.
  const opening = window.start === window.end ? 0 : minutesOfDay(window.start);
  const today = localDateOf(at, timeZone);
  const candidates: Date[] = [];
  for (let k = -1; k <= SEARCH_DAYS; k++) {
    const date = addCalendarDays(today, k);
    const weekday = weekdayOf(DateTime.utc(date.year, date.month, date.day).weekday);
    if (window.days.includes(weekday)) candidates.push(localTimeToInstant({ date, minuteOfDay: opening, timeZone }));
  }
  const horizon = new Date(at.getTime() + (SEARCH_DAYS + 1) * 86_400_000);
  candidates.push(...offsetChangesBetween({ from: at, to: horizon, timeZone }));
  const next = candidates
    .filter((c) => c.getTime() > at.getTime() && isWithinSendWindow({ at: c, window, timeZone }))
    .sort((a, b) => a.getTime() - b.getTime())[0];
  if (!next) {
    // Only a window lying wholly inside skipped DST hours on every allowed day could get here.
    throw new InvalidSendWindowError([`no allowed time in the ${SEARCH_DAYS} days after ${at.toISOString()} in ${timeZone}`]);
  }
  const detail: SkipReason = {
    code: "outside_send_window",
    window: describeSendWindow(window),
    timeZone,
    requestedAt: at,
    movedTo: next,
  };
  return { at: next, moved: true, reason: describeSkipReason(detail), detail };
}
