// Operator CLI: `npm run afterglow -- <command>`. See README "Operator CLI".
import fs from "node:fs";
import { parseArgs } from "node:util";
import prisma from "../app/db.server";
import { connectShop, storeOfflineToken } from "../app/services/shop/shops.server";
import { exportFlows, importFlows } from "../app/services/flows/flows.server";
import { setFlowActive } from "../app/services/flows/flow-editor.server";
import { createRuntime, reconcileSettings, startHousekeeping, stopBackgroundWork } from "../app/runtime/runtime.server";
import { config, loadConfig } from "../app/platform/config.server";
import { adminClientForShop } from "../app/adapters/shopify-admin/index.server";
import { fetchShopProfile } from "../app/adapters/shopify-admin/shop-profile.server";
import { storedProfile } from "../app/services/shop/install.server";
import { getOutboxMessage, listOutboxMessages } from "../app/adapters/mail/outbox.server";
import { InvalidFlowsError } from "../app/domain/flows";
import { reconcileOrders } from "../app/services/intake/reconcile-orders.server";
import { startMetricsServer } from "../app/platform/metrics.server";
import { loadKeyRing, rotateSecrets, rotateSessionTokens, setShopSendGridKey } from "../app/services/shop/secrets.server";
import { rehashLegacySuppressions } from "../app/services/compliance/hashed-emails.server";
import { applySettingAssignments, loadSettings, saveSettings, settingsAsLines } from "../app/services/shop/settings.server";
import { readAppTomlScopes } from "../app/platform/app-toml.server";

const HELP = `Usage: npm run afterglow -- <command> [options]

Commands:
  connect <shop> --token <shpat_…> [--scope <scopes>] [--no-profile]
      Connect a shop with an Admin API access token (custom-app installs). Stores the token
      as the shop's offline session, reads the shop's profile from the Admin API and gives a
      new shop the default flow, turned off (flows on turns it on). The token's scopes are --scope, else SCOPES, else those of
      shopify.app.toml: the admin pages refuse a session without the app's scopes.
  settings show <shop> [--json]           Print the shop's settings as key=value lines (or JSON).
  settings set <shop> <key>=<value> ...
      Change settings as the Settings page does, with its checks: sendingEnabled=on|off,
      senderName, senderEmail, replyTo, marketingConsentRequired=on|off, frequencyCap.enabled,
      frequencyCap.maxSends, frequencyCap.periodHours, defaultSendWindow=off or
      defaultSendWindow.days=mon,tue,… .start=HH:MM .end=HH:MM, brand.logoUrl,
      brand.accentColor (#rrggbb), brand.font. An empty value clears a text. Any error changes
      nothing and exits 2. Writes an audit row.
  flows export <shop> [--out <file>]      Write the shop's flows as JSON (app/domain/flows.schema.json).
  flows import <shop> <file>              Create or replace flows from a JSON file.
  flows on|off <shop> <flow key>          Turn a flow on or off, as the Flows page does (with an audit row).
  follow-ups list [--shop <shop>] [--status <status>] [--limit <n>]
      List follow-ups with their status and reason.
  dispatch [--once] [--interval <ms>]     Send due follow-ups: once and exit, or keep polling.
  reconcile [--shop <shop>]
      List each shop's recent orders through the Admin API and schedule the follow-ups of
      orders whose webhooks never arrived (safe to repeat).
  outbox list [--shop <shop>] [--limit <n>]
  outbox show <messageId> [--html|--text]
      Read emails kept by the outbox transport (used when no SendGrid key is set).
  sendgrid-key set <shop> (--key-file <file> | --stdin)
      Store the shop's own SendGrid API key, encrypted with the first key of
      AFTERGLOW_ENCRYPTION_KEYS. The key is read from a file or standard input, never
      from the command line, and is never printed.
  sendgrid-key remove <shop>              Remove the shop's own SendGrid API key.
  secrets rotate
      Re-encrypt every shop's SendGrid key and every stored Shopify access token with the
      first key of AFTERGLOW_ENCRYPTION_KEYS, and encrypt tokens still stored in clear (safe
      to repeat). Exits 1 when a value could not be read with any listed key.
  suppressions rehash
      Turn erased customers' suppressions kept as a bare sha256 into the keyed hash of the
      first key of AFTERGLOW_EMAIL_HASH_KEYS (safe to repeat), and count the rows under each
      other key. Exits 1 while rows remain under a key that is no longer listed.

Environment: DATABASE_URL, SHOPIFY_ADMIN_API_URL, SENDGRID_API_KEY, SENDGRID_API_URL,
AFTERGLOW_FROM_EMAIL, AFTERGLOW_ENCRYPTION_KEYS, AFTERGLOW_EMAIL_HASH_KEYS (see README).`;

class UsageError extends Error {}

function shopDomain(value: string | undefined): string {
  if (!value) throw new UsageError("Name the shop, e.g. my-store.myshopify.com.");
  const shop = value.trim().toLowerCase().replace(/^https?:\/\//, "").replace(/\/.*$/, "");
  if (!/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(shop) && !config().shopify.customShopDomain) {
    throw new UsageError(`"${value}" is not a *.myshopify.com domain.`);
  }
  return shop;
}

// Who the audit log names for a change made from this command line.
const operator = () => `cli${process.env.USER ? `:${process.env.USER}` : ""}`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

// A key on the command line would stay in the shell's history and the process list.
async function sendGridKeyInput(keyFile: string | undefined, stdin: boolean | undefined): Promise<string> {
  if (!keyFile === !stdin) throw new UsageError("sendgrid-key set reads the key from --key-file <file> or --stdin (one of them).");
  const key = (keyFile ? fs.readFileSync(keyFile, "utf8") : await readStdin()).trim();
  if (!key) throw new UsageError(`No key in ${keyFile ?? "standard input"}; nothing was changed.`);
  return key;
}

// The scopes Shopify granted a custom-app token are the app's own, as shopify.app.toml lists them.
function appTomlScopes(): string {
  const { scopes, file } = readAppTomlScopes();
  if (!scopes) throw new UsageError(`No [access_scopes] scopes in ${file}; give the token's scopes with --scope.`);
  return scopes;
}

function print(rows: Record<string, unknown>[]) {
  if (rows.length === 0) return console.log("(none)");
  const keys = Object.keys(rows[0]);
  const width = keys.map((k) => Math.min(48, Math.max(k.length, ...rows.map((r) => String(r[k] ?? "").length))));
  const line = (vals: string[]) => vals.map((v, i) => v.slice(0, width[i]).padEnd(width[i])).join("  ");
  console.log(line(keys));
  for (const r of rows) console.log(line(keys.map((k) => String(r[k] ?? ""))));
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      token: { type: "string" },
      scope: { type: "string" },
      "no-profile": { type: "boolean" },
      out: { type: "string" },
      shop: { type: "string" },
      status: { type: "string" },
      limit: { type: "string" },
      once: { type: "boolean" },
      interval: { type: "string" },
      html: { type: "boolean" },
      text: { type: "boolean" },
      "key-file": { type: "string" },
      stdin: { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [command, sub, ...rest] = positionals;
  // Read (and checked) before any command runs; --interval stands in for DISPATCH_INTERVAL_MS.
  const settings = values.interval ? loadConfig({ ...process.env, DISPATCH_INTERVAL_MS: values.interval }) : config();
  if (!command || values.help) {
    console.log(HELP);
    return command || values.help ? 0 : 1;
  }

  switch (command) {
    case "connect": {
      const shop = shopDomain(sub);
      if (!values.token) throw new UsageError("connect needs --token <Admin API access token>.");
      const scope = values.scope ?? settings.shopify.scopes ?? appTomlScopes();
      await storeOfflineToken({ prisma, shop, accessToken: values.token, scope });
      let profile = {};
      if (!values["no-profile"]) {
        const client = await adminClientForShop({ prisma, shop });
        profile = storedProfile(await fetchShopProfile(client));
      }
      const result = await connectShop({ prisma, shop, profile });
      console.log(
        `Connected ${shop}${result.created ? "" : " (already known; token and profile updated)"}.` +
          (result.defaultFlowCreated ? ` Created the flow "Thank you + recommendations", off until it is turned on (flows on ${shop} thank-you).` : ""),
      );
      return 0;
    }
    case "settings": {
      const shop = shopDomain(rest[0]);
      if (sub !== "show" && sub !== "set") throw new UsageError("settings takes show or set.");
      if (!(await prisma.shop.findUnique({ where: { domain: shop } })))
        throw new UsageError(`${shop} is not connected; run connect first.`);
      const { shopEmail: _, ...current } = await loadSettings(prisma, shop);
      if (sub === "show") {
        if (values.json) process.stdout.write(JSON.stringify(current, null, 2) + "\n");
        else console.log(settingsAsLines(current).join("\n"));
        return 0;
      }
      const assignments = rest.slice(1);
      if (!assignments.length) throw new UsageError("settings set needs at least one key=value, e.g. sendingEnabled=off.");
      const applied = applySettingAssignments(current, assignments);
      const result = applied.ok ? await saveSettings({ prisma, shop, actor: operator(), input: applied.input }) : applied;
      if (!result.ok) {
        const lines = Object.entries(result.errors).map(([field, problem]) => `  ${field}: ${problem}`);
        throw new UsageError(`Nothing was changed for ${shop}:\n${lines.join("\n")}`);
      }
      console.log(result.changed.length ? `Saved ${result.changed.join(", ")} for ${shop}.` : `Nothing changed for ${shop}.`);
      return 0;
    }
    case "flows": {
      const shop = shopDomain(rest[0] ?? values.shop);
      if (sub === "export") {
        const json = JSON.stringify(await exportFlows(prisma, shop), null, 2) + "\n";
        if (values.out) {
          fs.writeFileSync(values.out, json);
          console.log(`Wrote ${values.out}`);
        } else process.stdout.write(json);
        return 0;
      }
      if (sub === "import") {
        const file = rest[1];
        if (!file) throw new UsageError("flows import needs a file: flows import <shop> <file>.");
        if (!(await prisma.shop.findUnique({ where: { domain: shop } })))
          throw new UsageError(`${shop} is not connected; run connect first.`);
        const flows = await importFlows(prisma, shop, JSON.parse(fs.readFileSync(file, "utf8")));
        console.log(`Imported ${flows.length} flow(s) into ${shop}: ${flows.map((f) => f.key).join(", ")}`);
        return 0;
      }
      if (sub === "on" || sub === "off") {
        const key = rest[1];
        if (!key) throw new UsageError(`flows ${sub} needs a flow key: flows ${sub} <shop> <flow key> (see flows export).`);
        const flow = await prisma.flow.findUnique({ where: { shop_key: { shop, key } }, select: { id: true, name: true } });
        if (!flow) throw new UsageError(`${shop} has no flow "${key}"; flows export lists its flows.`);
        await setFlowActive({ prisma, shop, id: flow.id, active: sub === "on", actor: operator() });
        console.log(`Turned ${sub} the flow "${flow.name}" of ${shop}.`);
        return 0;
      }
      throw new UsageError("flows takes export, import, on or off.");
    }
    case "follow-ups": {
      if (sub !== "list") throw new UsageError("follow-ups takes list.");
      const rows = await prisma.followUp.findMany({
        where: {
          ...(values.shop ? { shop: shopDomain(values.shop) } : {}),
          ...(values.status ? { status: values.status } : {}),
        },
        orderBy: { dueAt: "desc" },
        take: Number(values.limit ?? 50),
        include: { order: { select: { name: true } } },
      });
      print(
        rows.map((f) => ({
          id: f.id,
          shop: f.shop,
          order: f.order.name,
          step: f.stepKey,
          status: f.status,
          due: f.dueAt.toISOString(),
          attempts: f.attempts,
          messageId: f.messageId ?? "",
          reason: f.skipReason ?? f.lastError ?? "",
        })),
      );
      return 0;
    }
    case "dispatch": {
      // With REDIS_URL this process works as a queue worker (like `npm run worker`).
      const runtime = createRuntime({ prisma, role: "worker", config: settings });
      if (values.once) {
        const summary = await runtime.dispatcher.drain({ limit: settings.queue.dispatchBatchSize });
        console.log(
          `Dispatched: ${summary.sent} sent, ${summary.retried} to retry, ${summary.failed} failed, ` +
            `${summary.skipped} skipped (${summary.claimed} claimed) via ${runtime.transport.name}.`,
        );
        return 0;
      }
      const queue = runtime.queue;
      await queue.start();
      startHousekeeping(prisma, settings);
      const { metricsPort, metricsToken } = settings.server;
      const metrics = metricsPort !== null ? await startMetricsServer({ port: metricsPort, token: metricsToken ?? undefined }) : null;
      console.log(`Dispatching due follow-ups; Ctrl-C to stop.${metrics ? ` Metrics on :${metrics.port}/metrics.` : ""}`);
      await new Promise<void>((resolve) => {
        for (const s of ["SIGINT", "SIGTERM"] as const) process.once(s, () => resolve());
      });
      await stopBackgroundWork(settings);
      await queue.stop();
      await metrics?.close();
      return 0;
    }
    case "reconcile": {
      const results = await reconcileOrders({ prisma, shop: values.shop ? shopDomain(values.shop) : undefined, ...reconcileSettings(settings) });
      print(results.map((r) => ({ ...r, error: r.error ?? "" })));
      const restored = results.reduce((n, r) => n + r.followUpsScheduled, 0);
      console.log(`Restored ${restored} follow-ups for ${results.reduce((n, r) => n + r.restoredOrders, 0)} orders.`);
      return results.some((r) => r.error) ? 1 : 0;
    }
    case "outbox": {
      if (sub === "list") {
        const rows = await listOutboxMessages(prisma, {
          shop: values.shop ? shopDomain(values.shop) : undefined,
          limit: Number(values.limit ?? 20),
        });
        print(rows.map((m) => ({ messageId: m.messageId, to: m.to, subject: m.subject, at: m.createdAt.toISOString() })));
        return 0;
      }
      if (sub === "show") {
        const m = await getOutboxMessage(prisma, rest[0] ?? "");
        if (!m) throw new UsageError(`No outbox message ${rest[0]}.`);
        if (values.html) process.stdout.write(m.html);
        else if (values.text) process.stdout.write(m.text);
        else console.log(`${Object.entries(m.headers).map(([k, v]) => `${k}: ${v}`).join("\n")}\n\n${m.text}`);
        return 0;
      }
      throw new UsageError("outbox takes list or show.");
    }
    case "sendgrid-key": {
      const shop = shopDomain(rest[0]);
      if (sub === "set") {
        const key = await sendGridKeyInput(values["key-file"], values.stdin);
        await setShopSendGridKey(prisma, shop, key, operator());
        console.log(`Stored the SendGrid key ending in ${key.slice(-4)} for ${shop}, encrypted with key "${loadKeyRing().current.id}".`);
        return 0;
      }
      if (sub === "remove") {
        await setShopSendGridKey(prisma, shop, null, operator());
        console.log(`Removed ${shop}'s own SendGrid key.`);
        return 0;
      }
      throw new UsageError("sendgrid-key takes set or remove.");
    }
    case "secrets": {
      if (sub !== "rotate") throw new UsageError("secrets takes rotate.");
      const result = await rotateSecrets(prisma);
      const keyId = loadKeyRing().current.id;
      console.log(
        `Re-encrypted ${result.rotated} shop SendGrid key(s) with key "${keyId}"; ` +
          `${result.current} already used it; ${result.failed.length} could not be read.`,
      );
      for (const { shop, error } of result.failed) console.log(`  ${shop}: ${error}`);
      const sessions = await rotateSessionTokens(prisma);
      console.log(
        `Re-encrypted ${sessions.rotated} Shopify session token(s) with key "${keyId}" and encrypted ${sessions.encrypted} ` +
          `stored in clear; ${sessions.current} already used it; ${sessions.failed.length} could not be read.`,
      );
      for (const { session, error } of sessions.failed) console.log(`  ${session}: ${error}`);
      return result.failed.length || sessions.failed.length ? 1 : 0;
    }
    case "suppressions": {
      if (sub !== "rehash") throw new UsageError("suppressions takes rehash.");
      const result = await rehashLegacySuppressions(prisma);
      const each = (counts: Record<string, number>) => Object.entries(counts).map(([id, n]) => `${n} under "${id}"`).join(", ");
      console.log(`Re-hashed ${result.rehashed} suppression(s) kept as a bare sha256 (${result.merged} were duplicates and removed); ${result.current} already used the first key.`);
      if (Object.keys(result.olderKey).length) console.log(`Still matching under an earlier listed key: ${each(result.olderKey)}.`);
      if (Object.keys(result.unknownKey).length) console.log(`Matching nothing, their key is no longer listed: ${each(result.unknownKey)}.`);
      return Object.keys(result.unknownKey).length ? 1 : 0;
    }
    default:
      throw new UsageError(`Unknown command "${command}".\n\n${HELP}`);
  }
}

main(process.argv.slice(2))
  .then(async (code) => {
    await prisma.$disconnect();
    process.exit(code);
  })
  .catch(async (err) => {
    if (err instanceof UsageError || err instanceof InvalidFlowsError) console.error(err.message);
    else console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
    await prisma.$disconnect().catch(() => {});
    process.exit(err instanceof UsageError ? 2 : 1);
  });
