// npm run fault:postgres-restart — dispatch on a private PostgreSQL cluster, stopped
// (immediate mode) a quarter of the way through and started again two seconds later. Jobs that
// hit the outage are retried by BullMQ; a send SendGrid accepted is recorded once the database
// is back, within the lease.
import { startPostgres } from "./services";
import { faultEmails, runFault } from "./lib";

async function run() {
  const pg = await startPostgres();
  try {
    return await runFault({
      name: "postgres-restart",
      emails: faultEmails(2_000),
      databaseUrl: pg.url,
      async inject({ progress, log }) {
        await progress(0.25);
        log("stopping PostgreSQL");
        await pg.restart(2_000);
        log("PostgreSQL is back");
      },
    });
  } finally {
    await pg.stop();
  }
}

run().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
