// Counting follow-ups for the dashboard: the counters a day keeps, the rates shown beside them,
// the day a follow-up counts on, and money summed without floating-point drift.
import { DateTime } from "luxon";
import { isValidTimeZone } from "./step-timing";
import { SKIP_REASON_CODES, type SkipReasonCode } from "./skip-reasons";
import { isTemplateId, TEMPLATES } from "./templates";

export const COUNTER_NAMES = [
  "scheduled",
  "sent",
  "delivered",
  "opens",
  "machineOpens",
  "clicks",
  "bounces",
  "unsubscribes",
  "spamReports",
  "skipped",
  "failed",
] as const;

export type CounterName = (typeof COUNTER_NAMES)[number];
export type Counters = Record<CounterName, number> & { skippedByReason: Record<string, number> };

export function emptyCounters(): Counters {
  const c = { skippedByReason: {} } as Counters;
  for (const name of COUNTER_NAMES) c[name] = 0;
  return c;
}

export function addCounters(into: Counters, more: Counters): Counters {
  for (const name of COUNTER_NAMES) into[name] += more[name];
  for (const [code, n] of Object.entries(more.skippedByReason)) into.skippedByReason[code] = (into.skippedByReason[code] ?? 0) + n;
  return into;
}

export interface Rates {
  deliveryRate: number | null; // delivered / sent
  openRate: number | null; // opens / delivered (machine opens left out)
  clickRate: number | null; // clicks / delivered
  clickToOpenRate: number | null; // clicks / opens
  bounceRate: number | null; // bounces / sent
  unsubscribeRate: number | null; // unsubscribes / delivered
  spamRate: number | null; // spam reports / delivered
}

const ratio = (n: number, d: number) => (d > 0 ? n / d : null);

export function rates(c: Counters): Rates {
  return {
    deliveryRate: ratio(c.delivered, c.sent),
    openRate: ratio(c.opens, c.delivered),
    clickRate: ratio(c.clicks, c.delivered),
    clickToOpenRate: ratio(c.clicks, c.opens),
    bounceRate: ratio(c.bounces, c.sent),
    unsubscribeRate: ratio(c.unsubscribes, c.delivered),
    spamRate: ratio(c.spamReports, c.delivered),
  };
}

export function formatRate(rate: number | null): string {
  return rate === null ? "" : `${(rate * 100).toFixed(1)}%`;
}

// Older follow-ups keep the reason as the merchant's sentence; newer ones may keep
// skipRecord()'s JSON. Both map to the catalogue's code so reports can group them.
const SENTENCE_CODES: [RegExp, SkipReasonCode][] = [
  [/^The order was cancelled/, "order_cancelled"],
  [/^The order was fully refunded/, "order_refunded"],
  [/^The customer ordered again/, "ordered_again"],
  [/^The customer unsubscribed from (all|marketing) emails/, "unsubscribed"],
  [/^The address is suppressed/, "suppressed"],
  [/(email marketing|agreed to email marketing|data was erased).*this step is a marketing email/, "no_marketing_consent"],
  [/^Marketing consent/, "no_marketing_consent"],
  [/^Service emails are turned off/, "service_emails_blocked"],
  [/^Smart sending/, "frequency_cap"],
  [/^The order does not meet the flow's conditions/, "conditions_not_met"],
  [/^This step's condition was not met/, "step_conditions_not_met"],
  [/^No product left to ask a review for/, "review_already_requested"],
  [/^Sending failed/, "send_failed"],
  [/^The order has no email address/, "no_email"],
  [/^The app was uninstalled/, "app_uninstalled"],
  [/^Sending is turned off/, "sending_disabled"],
  [/^The flow ".*" was turned off/, "flow_turned_off"],
  [/^The flow step was deleted/, "step_deleted"],
];

export function skipReasonCode(reason: string | null | undefined): SkipReasonCode | "other" {
  if (!reason) return "other";
  const text = reason.trim();
  if (text.startsWith("{")) {
    try {
      const code = (JSON.parse(text) as { code?: unknown }).code;
      if (typeof code === "string" && (SKIP_REASON_CODES as string[]).includes(code)) return code as SkipReasonCode;
    } catch {
      // Not JSON after all: read it as a sentence.
    }
  }
  for (const [pattern, code] of SENTENCE_CODES) if (pattern.test(text)) return code;
  return "other";
}

// A skipped or cancelled follow-up's code as stored; follow-ups written before the code was kept
// have only the sentence, which skipReasonCode() reads.
export function skipCodeOf(f: { skipCode: string | null; skipReason: string | null }): string {
  return f.skipCode ?? skipReasonCode(f.skipReason);
}

function zoneOf(timeZone: string | null | undefined): string {
  return isValidTimeZone(timeZone) ? timeZone : "UTC";
}

// The day (in the shop's time zone) a follow-up counts on: the day it was due. It never
// changes, so recomputing a day is enough to correct it.
export function dayOf(at: Date, timeZone: string | null | undefined): string {
  return DateTime.fromJSDate(at, { zone: zoneOf(timeZone) }).toISODate()!;
}

export function dayBounds(day: string, timeZone: string | null | undefined): { start: Date; end: Date } {
  const start = DateTime.fromISO(day, { zone: zoneOf(timeZone) }).startOf("day");
  if (!start.isValid) throw new Error(`"${day}" is not a day (YYYY-MM-DD).`);
  return { start: start.toJSDate(), end: start.plus({ days: 1 }).toJSDate() };
}

export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let d = DateTime.fromISO(from, { zone: "UTC" });
  const last = DateTime.fromISO(to, { zone: "UTC" });
  if (!d.isValid || !last.isValid) return out;
  for (let i = 0; d <= last && i < 3700; i++, d = d.plus({ days: 1 })) out.push(d.toISODate()!);
  return out;
}

// Money as integer ten-thousandths: Shopify's amounts have at most 3 decimals (e.g. KWD).
const SCALE = 10_000n;

export function parseMoney(amount: string | null | undefined): bigint {
  const text = (amount ?? "").trim();
  const m = /^(-)?(\d+)(?:\.(\d{1,4}))?$/.exec(text);
  if (!m) return 0n;
  const value = BigInt(m[2]) * SCALE + BigInt((m[3] ?? "").padEnd(4, "0"));
  return m[1] ? -value : value;
}

export function formatMoneyAmount(value: bigint): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = abs / SCALE;
  let frac = (abs % SCALE).toString().padStart(4, "0").replace(/0+$/, "");
  if (frac.length < 2) frac = frac.padEnd(2, "0");
  return `${negative ? "-" : ""}${whole}.${frac}`;
}

export function sumMoney(amounts: (string | null | undefined)[]): string {
  return formatMoneyAmount(amounts.reduce((s, a) => s + parseMoney(a), 0n));
}

// The recommendation source a product link carried (ag_src), if the click was on one.
export const RECOMMENDATION_SOURCE_PARAM = "ag_src";

export function recommendationSourceOfUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const src = new URL(url).searchParams.get(RECOMMENDATION_SOURCE_PARAM);
    return src && /^[a-z0-9_-]{1,40}$/.test(src) ? src : null;
  } catch {
    return null;
  }
}

// A step as the merchant knows it from the flow editor (its key is a handle for imports, not a name).
export function stepName({ position, template }: { position: number; template: string }): string {
  return `Step ${position + 1} · ${isTemplateId(template) ? TEMPLATES[template].name : template}`;
}
