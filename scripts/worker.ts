// `npm run worker`: a dispatch worker for distributed mode (REDIS_URL set). Run as many as
// needed; each takes WORKER_CONCURRENCY follow-ups at a time from the BullMQ queue, reconciles
// the queue with the database now and then, and runs the housekeeping jobs.
import prisma, { closePrisma } from "../app/db.server";
import { createRuntime, startHousekeeping, stopBackgroundWork } from "../app/runtime/runtime.server";
import { logger } from "../app/platform/logger.server";
import { config } from "../app/platform/config.server";
import { loadKeyRing } from "../app/platform/encryption.server";

async function main(): Promise<number> {
  const settings = config();
  if (!settings.queue.redisUrl) {
    console.error("npm run worker needs REDIS_URL (e.g. redis://127.0.0.1:6379). Without Redis the web process dispatches by itself.");
    return 2;
  }
  // It reads shops' access tokens, stored encrypted: without the key ring it would fail every send.
  loadKeyRing({ encryptionKeys: settings.mail.encryptionKeys, production: settings.server.nodeEnv === "production" });
  const runtime = createRuntime({ prisma, role: "worker", config: settings });
  await runtime.queue.start();
  startHousekeeping(prisma, settings);
  logger.info("worker ready", { pid: process.pid, queue: runtime.queue.kind, transport: runtime.transport.name });
  console.log(`Afterglow worker ready (pid ${process.pid})`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    for (const s of ["SIGINT", "SIGTERM"] as const) process.once(s, () => resolve(s));
  });
  logger.info("worker stopping", { signal });
  // Shutdown must end whatever hangs (an orchestrator would SIGKILL it anyway); claims not
  // finished come back after their lease.
  const graceMs = settings.server.shutdownTimeoutMs + 15_000;
  setTimeout(() => {
    logger.error("shutdown did not finish in time; exiting", { signal, graceMs });
    process.exit(1);
  }, graceMs).unref();
  // Finishes in-flight sends (up to SHUTDOWN_TIMEOUT_MS) and hands the rest back.
  await stopBackgroundWork(settings);
  await runtime.queue.stop();
  await runtime.queue.close?.();
  await runtime.impressions.flush();
  logger.info("worker stopped", { signal });
  return 0;
}

const disconnect = async () => {
  if ((await closePrisma(prisma)) === "timed out") logger.warn("database connections did not close within 5 s");
};

main()
  .then(async (code) => {
    await disconnect();
    process.exit(code);
  })
  .catch(async (err) => {
    logger.error("worker failed", { err });
    await disconnect().catch(() => {});
    process.exit(1);
  });
