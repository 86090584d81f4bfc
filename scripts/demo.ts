// `npm run demo`: Afterglow's main job, offline. The built app runs on a fresh SQLite database
// beside the store simulator (Admin GraphQL on the real schema) and the SendGrid stand-in;
// a signed orders/create webhook comes in and the in-process dispatcher sends the thank-you email.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { ensureBuilt, migrateDeploy, ROOT, runCli, startApp, TEST_API_SECRET } from "./harness";
import { startAdminSimulator } from "../simulator/admin-api";
import { startSendGridStandIn } from "../simulator/sendgrid";
import { createSeedStore, SIMULATOR_ACCESS_TOKEN, SIMULATOR_SHOP } from "../simulator/store";
import { orderCreatedPayload } from "../simulator/orders";
import { sendWebhook } from "../simulator/webhooks";

const { values } = parseArgs({
  options: {
    keep: { type: "boolean" },
    port: { type: "string" },
  },
});

const say = (s = "") => console.log(s);
const step = (n: number, s: string) => say(`\n${n}. ${s}`);

async function main() {
  const outDir = path.join(ROOT, "var/demo");
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const databaseUrl = `file:${path.join(outDir, "afterglow.sqlite")}`;

  step(1, "Building the app (if needed) and preparing a fresh SQLite database");
  ensureBuilt();
  migrateDeploy(databaseUrl);
  say(`   ${databaseUrl}`);

  step(2, "Starting the store simulator and the SendGrid stand-in");
  const store = createSeedStore();
  const admin = await startAdminSimulator({ stores: [store] });
  const sendgrid = await startSendGridStandIn();
  say(`   Admin API: ${admin.url}`);
  say(`   SendGrid:  ${sendgrid.url}`);

  const env = {
    DATABASE_URL: databaseUrl,
    SHOPIFY_ADMIN_API_URL: admin.url,
    SENDGRID_API_KEY: "SG.demo-key",
    SENDGRID_API_URL: sendgrid.url,
    DISPATCH_INTERVAL_MS: "500",
  };

  step(3, `Connecting ${SIMULATOR_SHOP} with its Admin API token`);
  const connected = await runCli(["connect", SIMULATOR_SHOP, "--token", SIMULATOR_ACCESS_TOKEN], env);
  if (connected.status !== 0) throw new Error(connected.stderr || connected.stdout);
  say(`   ${connected.stdout.trim()}`);
  // The default flow waits an hour; the demo shortens it so the email goes out now.
  const flowsFile = path.join(outDir, "flows.json");
  const exported = await runCli(["flows", "export", SIMULATOR_SHOP, "--out", flowsFile], env);
  if (exported.status !== 0) throw new Error(exported.stderr);
  const flows = JSON.parse(fs.readFileSync(flowsFile, "utf8"));
  flows.flows[0].steps[0].delay = { amount: 0, unit: "minutes" };
  fs.writeFileSync(flowsFile, JSON.stringify(flows, null, 2));
  const imported = await runCli(["flows", "import", SIMULATOR_SHOP, flowsFile], env);
  if (imported.status !== 0) throw new Error(imported.stderr);
  say(`   Flow "${flows.flows[0].name}": delay set to 0 minutes for the demo (${flowsFile})`);
  // A new shop's flow starts off; the merchant turns it on (the Flows page's Turn on, here the CLI's).
  const turnedOn = await runCli(["flows", "on", SIMULATOR_SHOP, flows.flows[0].key], env);
  if (turnedOn.status !== 0) throw new Error(turnedOn.stderr);
  say(`   ${turnedOn.stdout.trim()}`);

  step(4, "Starting Afterglow (one process: web server + in-process dispatcher)");
  const app = await startApp({ env, port: values.port ? Number(values.port) : undefined });
  say(`   ${app.url}`);

  try {
    step(5, "Shopify sends a signed orders/create webhook (and then the same delivery again)");
    const customer = store.customers.find((c) => c.defaultEmailAddress?.emailAddress) ?? store.customers[0];
    const purchased = store.products.filter((p) => p.status === "ACTIVE").slice(0, 2);
    const payload = orderCreatedPayload({
      store,
      customerId: customer.id,
      lines: purchased.map((p) => ({ productId: p.id, quantity: 1 })),
    });
    // A redelivery carries the same X-Shopify-Webhook-Id.
    const webhook = { topic: "orders/create", shop: SIMULATOR_SHOP, payload, secret: TEST_API_SECRET, webhookId: randomUUID() };
    const first = await sendWebhook(`${app.url}/webhooks/orders/create`, webhook);
    say(`   first delivery:  HTTP ${first.status}`);
    const again = await sendWebhook(`${app.url}/webhooks/orders/create`, webhook);
    say(`   redelivery:      HTTP ${again.status}`);
    if (first.status !== 200 || again.status !== 200) throw new Error("The app did not accept the webhook.");
    say(`   order ${payload.name} by customer ${customer.firstName ?? ""}: ${purchased.map((p) => p.title).join(", ")}`);

    step(6, "Waiting for the dispatcher to send the follow-up");
    const deadline = Date.now() + 30_000;
    while (sendgrid.messages.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    if (sendgrid.messages.length === 0) {
      say(app.logs.slice(-20).join("\n"));
      throw new Error("No email reached the SendGrid stand-in within 30 s.");
    }
    await new Promise((r) => setTimeout(r, 500)); // a duplicate would show up by now
    const list = await runCli(["follow-ups", "list", "--shop", SIMULATOR_SHOP], env);
    say(list.stdout.replace(/^/gm, "   "));

    step(7, "What went out");
    if (sendgrid.messages.length !== 1) throw new Error(`Expected one email, the stand-in holds ${sendgrid.messages.length}.`);
    const mail = sendgrid.messages[0];
    const htmlFile = path.join(outDir, `${mail.messageId}.html`);
    const textFile = path.join(outDir, `${mail.messageId}.txt`);
    fs.writeFileSync(htmlFile, mail.html ?? "");
    fs.writeFileSync(textFile, mail.text ?? "");
    say(`   To:          ${mail.to.map((t) => t.email).join(", ")}`);
    say(`   From:        ${mail.from.name ? `${mail.from.name} <${mail.from.email}>` : mail.from.email}`);
    say(`   Subject:     ${mail.subject}`);
    say(`   Message id:  ${mail.messageId} (SendGrid X-Message-Id)`);
    say(`   custom_args: ${JSON.stringify(mail.customArgs)}`);
    // Each recommended product's link carries ag_src (what suggested it), whatever the email's language.
    const recs = (mail.text ?? "").match(/^.*https?:\/\/\S*[?&]ag_src=.*$/gm) ?? [];
    say(`   Recommendations in the email: ${recs.length}`);
    say(`\n   Read the email: ${htmlFile}\n                   ${textFile}`);

    if (values.keep) {
      say(`\nStill running (Ctrl-C to stop):`);
      say(`   app              ${app.url}`);
      say(`   SendGrid inbox   ${sendgrid.url}/__standin/messages`);
      say(`   Admin API        ${admin.url}`);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", () => resolve());
        process.once("SIGTERM", () => resolve());
      });
    }
  } finally {
    await app.stop();
    await admin.close();
    await sendgrid.close();
  }
  say("\nDemo finished.");
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`\nDemo failed: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  },
);
