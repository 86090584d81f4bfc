// npm run fault:sendgrid-failover — SendGrid goes down during the dispatch: first it answers 503,
// then it drops every connection without an answer; a Postmark stand-in runs beside it. Workers
// move new follow-ups to Postmark after MAIL_FAILOVER_AFTER_MS, probe SendGrid, and come back.
// Every follow-up must arrive exactly once across the two providers: an email whose hand-over to
// SendGrid went unanswered is settled by SendGrid's events or sent again there, never at Postmark.
import { faultEmails, main } from "./lib";

const WINDOW_MS = Number(process.env.FAULT_WINDOW_MS || 10_000);

main(() => ({
  name: "sendgrid-failover",
  emails: faultEmails(2_000),
  postmark: true,
  workerEnv: {
    DISPATCH_LEASE_MS: "60000",
    MAIL_FAILOVER_AFTER_MS: "2000",
    MAIL_FAILOVER_PROBE_MS: "3000",
    SENDGRID_TIMEOUT_MS: "5000",
  },
  async inject({ scenario, progress, log }) {
    await progress(0.2);
    await scenario.failFor(503, WINDOW_MS);
    log(`SendGrid answers 503 for ${WINDOW_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    await scenario.downFor(WINDOW_MS);
    log(`SendGrid drops every connection for ${WINDOW_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    const { byProvider } = await scenario.counts();
    log(`SendGrid is back; so far ${byProvider.sendgrid} through SendGrid, ${byProvider.postmark} through Postmark`);
  },
}));
