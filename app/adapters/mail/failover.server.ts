// SendGrid first, Postmark when SendGrid has failed for MAIL_FAILOVER_AFTER_MS, SendGrid again
// once a probe gets an answer (the decisions are in app/domain/mail-failover.ts). The state is
// this process's own: each worker learns of an outage from its own sends.
//
// route() names the provider before the send, so the send step marks the hand-over with it; a
// follow-up pinned to a provider (an unanswered hand-over) only ever goes there.

import { afterPrimary, chooseRoute, decideProvider, HEALTHY, type FailoverPolicy, type FailoverState } from "~/domain/mail-failover";
import type { Logger } from "~/platform/logger.server";
import { mailFailoverObserved } from "~/platform/metrics.server";
import type { MailTransport, OutgoingEmail, ProviderChoice } from "./transport";
import { SendError, unreachable } from "./transport";

export interface FailoverTransport extends MailTransport {
  route(choice: ProviderChoice): MailTransport;
  // For logs, metrics and tests: where new follow-ups go now.
  state(): FailoverState;
}

export function createFailoverTransport({
  primary,
  secondary,
  policy,
  now = () => Date.now(),
  logger,
}: {
  primary: MailTransport;
  secondary: MailTransport;
  policy: FailoverPolicy;
  now?: () => number;
  logger?: Logger;
}): FailoverTransport {
  let state: FailoverState = HEALTHY;
  const log = logger?.child({ component: "mail-failover" });
  const gauge = (active: boolean) => mailFailoverObserved({ primary: primary.name, secondary: secondary.name, active });
  gauge(false);

  const observe = (outcome: "answered" | "failed") => {
    const before = state;
    state = afterPrimary(state, outcome, now(), policy);
    if (before.mode === "primary" && state.mode === "secondary") {
      gauge(true);
      log?.warn(`${primary.name} has failed for ${policy.afterMs} ms; new follow-ups go to ${secondary.name}`, { probeEveryMs: policy.probeEveryMs });
    } else if (before.mode === "secondary" && state.mode === "primary") {
      gauge(false);
      log?.info(`${primary.name} answered again; new follow-ups go to it`, { afterMs: now() - before.since });
    }
  };

  // The primary's sends tell the failover whether it is up.
  const watchedPrimary: MailTransport = {
    name: primary.name,
    async send(email: OutgoingEmail) {
      try {
        const result = await primary.send(email);
        observe("answered");
        return result;
      } catch (err) {
        // An answer about this email (bad address, unverified sender) means the primary is up;
        // an error raised before any request says nothing either way.
        if (err instanceof SendError && err.kind === "permanent") {
          if (err.status !== undefined) observe("answered");
        } else {
          observe("failed");
        }
        throw err;
      }
    },
  };

  const byName = new Map([
    [primary.name, watchedPrimary],
    [secondary.name, secondary],
  ]);

  function route(choice: ProviderChoice): MailTransport {
    const decision = decideProvider({ ...choice, available: [...byName.keys()] });
    if (decision.kind !== "failover") {
      return byName.get(decision.provider) ?? unreachable(decision.provider);
    }
    const chosen = chooseRoute(state, now(), policy);
    state = chosen.state;
    if (chosen.route.to === "secondary") return secondary;
    if (chosen.route.probe) log?.info(`probing ${primary.name} with one follow-up`);
    return watchedPrimary;
  }

  return {
    name: "failover",
    route,
    send: (email) => route({ pinnedTo: null, preferred: null }).send(email),
    state: () => state,
  };
}
