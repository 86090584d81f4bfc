// npm run fault:sendgrid-errors — the SendGrid stand-in answers 429 (with X-RateLimit-Reset)
// for a while, then 500 for a while; every follow-up is retried until it goes out once.
import { faultEmails, main } from "./lib";

const WINDOW_MS = Number(process.env.FAULT_WINDOW_MS || 8_000);

main(() => ({
  name: "sendgrid-errors",
  emails: faultEmails(2_000),
  workerEnv: { DISPATCH_LEASE_MS: "60000" },
  async inject({ scenario, progress, log }) {
    await progress(0.2);
    await scenario.failFor(429, WINDOW_MS);
    log(`stand-in answers 429 for ${WINDOW_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    await scenario.failFor(500, WINDOW_MS);
    log(`stand-in answers 500 for ${WINDOW_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    log("stand-in answers normally again");
  },
}));
