// npm run fault:kill-worker — SIGKILL one of two workers a quarter of the way through the
// dispatch, start a replacement; its claims come back when their lease runs out. Emails it had
// handed to SendGrid are settled by SendGrid's events, not sent again.
import { faultEmails, main } from "./lib";

main(() => ({
  name: "kill-worker",
  emails: faultEmails(10_000),
  async inject(ctx) {
    const { scenario, workers, progress, log } = ctx;
    await progress(0.25);
    const victim = workers[0];
    await victim.kill();
    log(`killed worker ${victim.pid} with SIGKILL`);
    const [replacement] = await scenario.startWorkers(1, {
      WORKER_CONCURRENCY: "8",
      DISPATCH_LEASE_MS: "15000",
      WORKER_LOCK_MS: "5000",
      RECONCILE_INTERVAL_MS: "3000",
    });
    log(`replacement worker ${replacement.pid} up`);
  },
}));
