// What an end-to-end test runs the built app against: a fresh database migrated by `prisma migrate
// deploy`, the store simulator (Shopify's Admin API), the SendGrid stand-in, and the simulator's
// shop connected through the operator CLI, as a merchant's install would.
import type { PrismaClient } from "@prisma/client";
import { createAppDatabase, runCli, TEST_API_KEY, TEST_API_SECRET } from "../../scripts/harness";
import type { FreshDatabase } from "../../scripts/databases";
import { startAdminSimulator, type AdminSimulator } from "../../simulator/admin-api";
import { startSendGridStandIn, type SendGridStandIn } from "../../simulator/sendgrid";
import { createSeedStore, SIMULATOR_ACCESS_TOKEN, SIMULATOR_SHOP, type SeedStore } from "../../simulator/store";
import { closePrisma, createPrismaClient } from "~/db.server";

export interface TestStack {
  database: FreshDatabase;
  store: SeedStore;
  admin: AdminSimulator;
  // Absent when started with `sendgrid: false`.
  sendgrid: SendGridStandIn;
  // DATABASE_URL, the simulators' URLs and the caller's `env`: for startApp, runCli and workers.
  env: Record<string, string>;
  // A client of the test's own on the app's database.
  prisma: PrismaClient;
  // Closes the client, both simulators and drops the database; stop the app and workers first.
  stop(): Promise<void>;
}

/**
 * Starts the stack for one test file. `sendgridKey` is the app's SENDGRID_API_KEY; without it (or
 * with `sendgrid: false`) the app gets no SendGrid settings and `env` says how it mails.
 */
export async function startTestStack({
  name,
  sendgrid: withSendGrid = true,
  sendgridKey,
  env: extra = {},
  connect = true,
}: {
  name: string;
  // false: the shop is not connected (no session, no Shop row), as before an install from the admin.
  connect?: boolean;
  sendgrid?: boolean;
  sendgridKey?: string;
  env?: Record<string, string>;
}): Promise<TestStack> {
  const database = createAppDatabase({ name });
  let admin: AdminSimulator | undefined;
  let sendgrid: SendGridStandIn | undefined;
  let prisma: PrismaClient | undefined;
  const stop = async () => {
    if (prisma) await closePrisma(prisma);
    await admin?.close();
    await sendgrid?.close();
    await database.drop();
  };
  try {
    const store = createSeedStore();
    admin = await startAdminSimulator({ stores: [store], apps: [{ clientId: TEST_API_KEY, clientSecret: TEST_API_SECRET }] });
    if (withSendGrid) sendgrid = await startSendGridStandIn();
    const env: Record<string, string> = {
      DATABASE_URL: database.url,
      SHOPIFY_ADMIN_API_URL: admin.url,
      SHOPIFY_ACCESS_TOKEN_URL: admin.accessTokenUrl,
      ...(sendgrid && sendgridKey ? { SENDGRID_API_KEY: sendgridKey, SENDGRID_API_URL: sendgrid.url } : {}),
      ...extra,
    };
    const connected = connect ? await runCli(["connect", SIMULATOR_SHOP, "--token", SIMULATOR_ACCESS_TOKEN], env) : { status: 0, stderr: "", stdout: "" };
    if (connected.status !== 0) throw new Error(`afterglow connect ${SIMULATOR_SHOP} failed:\n${connected.stderr}${connected.stdout}`);
    prisma = createPrismaClient(database.url);
    return { database, store, admin, sendgrid: sendgrid!, env, prisma, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
