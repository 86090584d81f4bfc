// npm run fault:redis-restart — the private Redis is killed a quarter of the way through and
// comes back empty two seconds later (it keeps nothing on disk): the workers reconnect and the
// reconciler puts every unfinished follow-up back from the database.
import { faultEmails, main } from "./lib";

main(() => ({
  name: "redis-restart",
  emails: faultEmails(2_000),
  async inject({ scenario, progress, log }) {
    await progress(0.25);
    log("killing Redis");
    await scenario.redis.restart(2_000);
    log("Redis is back, empty");
  },
}));
