// What an end-to-end test runs the built app against: a fresh database migrated by `prisma migrate
// deploy`, the store simulator (Shopify's Admin API), the SendGrid stand-in, and the simulator's
// shop connected through the operator CLI, as a merchant's install would; and the built app on
// top of them (startAppStack).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { PrismaClient } from "@prisma/client";
import { createAppDatabase, freePort, runCli, startApp, TEST_API_KEY, TEST_API_SECRET, type RunningApp } from "../../scripts/harness";
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

export interface AppStack extends TestStack {
  // The built server, on the port SHOPIFY_APP_URL names.
  app: RunningApp;
  // Stops the app, then the stack.
  stop(): Promise<void>;
}

/**
 * startTestStack, then the built server on a port of its own (SHOPIFY_APP_URL points at it).
 * `beforeApp` runs in between, for what the app must find when it starts (the flows it reads).
 */
export async function startAppStack({
  beforeApp,
  env = {},
  ...options
}: Parameters<typeof startTestStack>[0] & { beforeApp?: (stack: TestStack) => Promise<void> }): Promise<AppStack> {
  const port = await freePort();
  const stack = await startTestStack({ ...options, env: { SHOPIFY_APP_URL: `http://127.0.0.1:${port}`, ...env } });
  let app: RunningApp;
  try {
    await beforeApp?.(stack);
    app = await startApp({ env: stack.env, port });
  } catch (err) {
    await stack.stop();
    throw err;
  }
  return {
    ...stack,
    app,
    async stop() {
      await app.stop();
      await stack.stop();
    },
  };
}

/**
 * The simulator shop's first flow sends its first step at once instead of after its delay, and
 * is turned on (a new shop's flow starts off), through the operator CLI as an operator would:
 * flows export, edit, flows import, flows on. Returns the flow's key and the step's delay before.
 */
export async function sendFirstStepAtOnce(env: Record<string, string>): Promise<{ flowKey: string; delayBefore: unknown }> {
  const cli = async (...args: string[]) => {
    const r = await runCli(args, env);
    if (r.status !== 0) throw new Error(`afterglow ${args.join(" ")} failed:\n${r.stderr}${r.stdout}`);
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "afterglow-flows-"));
  try {
    const file = path.join(dir, "flows.json");
    await cli("flows", "export", SIMULATOR_SHOP, "--out", file);
    const document = JSON.parse(fs.readFileSync(file, "utf8"));
    const flow = document.flows[0];
    const delayBefore = flow.steps[0].delay;
    flow.steps[0].delay = { amount: 0, unit: "minutes" };
    fs.writeFileSync(file, JSON.stringify(document));
    await cli("flows", "import", SIMULATOR_SHOP, file);
    await cli("flows", "on", SIMULATOR_SHOP, flow.key);
    return { flowKey: flow.key, delayBefore };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
