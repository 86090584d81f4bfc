// When mail goes to the second provider. SendGrid (the primary) sends everything while it answers;
// once it has failed with nothing but retryable errors (429, 5xx, timeouts, no connection) for
// longer than `afterMs`, new follow-ups go to Postmark (the secondary), and every `probeEveryMs`
// one follow-up tries SendGrid again: its first answer brings everything back.
//
// Exactly once across the two: a follow-up whose hand-over to a provider went unanswered is
// pinned to that provider (FollowUp.handedOverTo) and never routed here again; see
// docs/how-it-works.md. Plain TypeScript: the adapter (app/adapters/mail/failover.server.ts)
// keeps the state and the clock.

export interface FailoverPolicy {
  // How long the primary must fail without a single answer before sends move to the secondary.
  afterMs: number;
  // While on the secondary, how often one send tries the primary again.
  probeEveryMs: number;
}

export type FailoverState =
  // On the primary; `failingSince`: the first of the failures since its last answer.
  | { mode: "primary"; failingSince: number | null }
  // On the secondary since `since`; the next send at or after `probeAt` tries the primary.
  | { mode: "secondary"; since: number; probeAt: number };

export const HEALTHY: FailoverState = { mode: "primary", failingSince: null };

export type FailoverRoute = { to: "primary"; probe: boolean } | { to: "secondary" };

// Where the next send goes, and the state after choosing (a probe moves the next probe on, so
// concurrent sends do not all try the primary at once).
export function chooseRoute(state: FailoverState, now: number, policy: FailoverPolicy): { route: FailoverRoute; state: FailoverState } {
  if (state.mode === "primary") return { route: { to: "primary", probe: false }, state };
  if (now >= state.probeAt) return { route: { to: "primary", probe: true }, state: { ...state, probeAt: now + policy.probeEveryMs } };
  return { route: { to: "secondary" }, state };
}

// What one send to the primary showed. `answered`: it took the email, or refused it for the
// email's own sake (a bad address, an unverified sender): it is up. `failed`: a retryable error
// or no answer at all.
export type PrimaryOutcome = "answered" | "failed";

export function afterPrimary(state: FailoverState, outcome: PrimaryOutcome, now: number, policy: FailoverPolicy): FailoverState {
  if (outcome === "answered") return HEALTHY;
  if (state.mode === "secondary") return state;
  const failingSince = state.failingSince ?? now;
  if (now - failingSince >= policy.afterMs) return { mode: "secondary", since: now, probeAt: now + policy.probeEveryMs };
  return { mode: "primary", failingSince };
}

// A follow-up goes where it is pinned; else where the shop chose; else where the failover says.
// `available`: the providers this process can send through.
export type ProviderDecision = { kind: "pinned"; provider: string } | { kind: "chosen"; provider: string } | { kind: "failover" };

export function decideProvider({
  pinnedTo,
  preferred,
  available,
}: {
  pinnedTo: string | null;
  preferred: string | null;
  available: readonly string[];
}): ProviderDecision {
  if (pinnedTo) return { kind: "pinned", provider: pinnedTo };
  // A choice this process cannot honour (Postmark not configured) leaves the decision to the failover.
  if (preferred && preferred !== "auto" && available.includes(preferred)) return { kind: "chosen", provider: preferred };
  return { kind: "failover" };
}

// The shop's choice of provider (Shop.mailProvider).
export const MAIL_PROVIDER_CHOICES = ["auto", "sendgrid", "postmark"] as const;
export type MailProviderChoice = (typeof MAIL_PROVIDER_CHOICES)[number];

export function isMailProviderChoice(value: unknown): value is MailProviderChoice {
  return typeof value === "string" && (MAIL_PROVIDER_CHOICES as readonly string[]).includes(value);
}
