// Whether a shop's sending is healthy, from the SendGrid events of a rolling window.
// Spam complaints are measured against delivered mail, as Gmail does: 0.1% warns, 0.3% (Gmail's
// line for bulk senders) pauses. Bounces against sent mail: 5% warns, 10% pauses. A rate is only
// judged once the window holds enough mail that one event cannot swing it.
import { knownProviderOfDomain, recipientDomain } from "./mailbox-providers";

export const HEALTH_WINDOW_DAYS = 7;
export const HEALTH_THRESHOLDS = {
  spamWarn: 0.001,
  spamPause: 0.003,
  bounceWarn: 0.05,
  bouncePause: 0.1,
  // Least mail in the window before a rate is judged.
  minSentForBounce: 200,
  minDeliveredForSpamWarning: 200,
  minDeliveredForSpamPause: 1000,
} as const;

export type HealthThresholds = { [K in keyof typeof HEALTH_THRESHOLDS]: number };
export type HealthLevel = "ok" | "warning" | "paused";
export type Provider = "gmail" | "outlook" | "yahoo" | "other";

// By the address alone (the seven-day check asks no DNS): the consumer domains of the big three.
export function providerOf(email: string | null | undefined): Provider {
  const domain = recipientDomain(email);
  const provider = domain ? knownProviderOfDomain(domain) : null;
  return provider === "gmail" || provider === "outlook" || provider === "yahoo" ? provider : "other";
}

export interface HealthCounts {
  sent: number;
  delivered: number;
  bounces: number;
  spamReports: number;
}

export interface HealthAssessment {
  level: HealthLevel;
  bounceRate: number | null;
  spamRate: number | null;
  problems: string[]; // what a merchant reads
  pauseReason: string | null;
}

const pct = (r: number) => `${(r * 100).toFixed(2)}%`;

// `window`: the whole rolling window (warnings). `sincePauseCheck`: the part of it after the
// merchant last resumed sending, so a resume is not undone at once by the mail that caused it.
export function assessHealth({
  window,
  sincePauseCheck = window,
  thresholds = HEALTH_THRESHOLDS,
}: {
  window: HealthCounts;
  sincePauseCheck?: HealthCounts;
  thresholds?: HealthThresholds;
}): HealthAssessment {
  const bounceRate = window.sent > 0 ? window.bounces / window.sent : null;
  const spamRate = window.delivered > 0 ? window.spamReports / window.delivered : null;
  const problems: string[] = [];
  let level: HealthLevel = "ok";
  let pauseReason: string | null = null;

  const pauseBounce = sincePauseCheck.sent >= thresholds.minSentForBounce ? sincePauseCheck.bounces / sincePauseCheck.sent : 0;
  const pauseSpam = sincePauseCheck.delivered >= thresholds.minDeliveredForSpamPause ? sincePauseCheck.spamReports / sincePauseCheck.delivered : 0;
  if (pauseSpam >= thresholds.spamPause) {
    pauseReason = `Spam complaints reached ${pct(pauseSpam)} of delivered emails, above Gmail's ${pct(thresholds.spamPause)} limit.`;
  } else if (pauseBounce >= thresholds.bouncePause) {
    pauseReason = `Bounces reached ${pct(pauseBounce)} of sent emails, above the ${pct(thresholds.bouncePause)} limit.`;
  }
  if (pauseReason) {
    level = "paused";
    problems.push(pauseReason);
  }
  if (spamRate !== null && window.delivered >= thresholds.minDeliveredForSpamWarning && spamRate >= thresholds.spamWarn && !pauseReason?.startsWith("Spam")) {
    problems.push(
      `Spam complaints are ${pct(spamRate)} of delivered emails (warning from ${pct(thresholds.spamWarn)}; sending pauses at ${pct(thresholds.spamPause)}).`,
    );
    if (level === "ok") level = "warning";
  }
  if (bounceRate !== null && window.sent >= thresholds.minSentForBounce && bounceRate >= thresholds.bounceWarn && !pauseReason?.startsWith("Bounces")) {
    problems.push(
      `Bounces are ${pct(bounceRate)} of sent emails (warning from ${pct(thresholds.bounceWarn)}; sending pauses at ${pct(thresholds.bouncePause)}).`,
    );
    if (level === "ok") level = "warning";
  }
  return { level, bounceRate, spamRate, problems, pauseReason };
}

// Below this much mail in the window (delivered or bounced) the health gives no verdict. Google's
// and Yahoo's bulk-sender guidance judges the spam rate over meaningful daily volume; at 200, one
// complaint is 0.5% and one bounce 0.5%, the smallest window where a single event does not flip the
// verdict past a warning line on its own. The bounce rule above waits for the same amount.
export const MIN_MAIL_TO_JUDGE = HEALTH_THRESHOLDS.minSentForBounce;

export type HealthVerdictKind = "too_little_mail" | "healthy" | "at_risk" | "paused";

export interface HealthVerdict {
  kind: HealthVerdictKind;
  // One line a merchant reads, e.g. "Not enough mail yet to judge (21 of 200)".
  title: string;
  // Each rate beside its limits, in plain words; empty while there is too little mail.
  lines: string[];
}

const percent = (r: number) => `${(r * 100).toFixed(r > 0 && r < 0.01 ? 2 : 1).replace(/\.0$/, "")}%`;

// The health in a merchant's words: no verdict on too little mail, else the rates and the lines
// they are measured against. `level` is the stored one when sending was paused by an earlier check.
export function healthVerdict({
  window,
  level,
  thresholds = HEALTH_THRESHOLDS,
}: {
  window: HealthCounts;
  level?: HealthLevel;
  thresholds?: HealthThresholds;
}): HealthVerdict {
  const assessment = assessHealth({ window, thresholds });
  const worst = level === "paused" || assessment.level === "paused" ? "paused" : assessment.level;
  if (worst !== "paused" && window.sent < MIN_MAIL_TO_JUDGE) {
    return { kind: "too_little_mail", title: `Not enough mail yet to judge (${window.sent} of ${MIN_MAIL_TO_JUDGE})`, lines: [] };
  }
  const lines: string[] = [];
  if (assessment.bounceRate !== null) {
    lines.push(
      `${percent(assessment.bounceRate)} of sent emails bounced. Fine below ${percent(thresholds.bounceWarn)}; sending pauses at ${percent(thresholds.bouncePause)}.`,
    );
  }
  if (assessment.spamRate !== null) {
    lines.push(
      `${percent(assessment.spamRate)} of delivered emails were reported as spam. Fine below ${percent(thresholds.spamWarn)}; Gmail and Yahoo draw the line at ${percent(thresholds.spamPause)}, where sending pauses.`,
    );
  }
  if (worst === "paused") return { kind: "paused", title: "Sending paused: too many bounces or spam reports", lines };
  if (worst === "warning") return { kind: "at_risk", title: "At risk: bounces or spam reports are high", lines };
  return { kind: "healthy", title: "Healthy", lines };
}
