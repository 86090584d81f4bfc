// The SendGrid stand-in in a process of its own for long runs (the worker benchmark, the fault
// scripts): it keeps only a count of accepted emails per follow-up id (custom_args), so 10k
// rendered emails do not pile up in memory, and takes failure orders on a control port.
//   npx tsx scripts/faults/standin-main.ts
//   prints: STANDIN_URL=<SendGrid base URL> CONTROL_URL=<control URL>
// Control: GET /counts -> { total, perFollowUp: { id: n }, twice: { id: [accepted at, ...] }, byProvider: { sendgrid: n, postmark: n } },
//          GET /requests -> { status: n },
//          POST /fail?status=429&ms=5000[&provider=postmark], POST /down?ms=5000[&provider=postmark], POST /clear
// With --event-webhook <url> --event-key-file <PEM private key>, it posts SendGrid's signed
// processed and delivered events for every accepted email to <url>, as SendGrid does.
// With --postmark <server token>, a Postmark stand-in runs beside it (prints POSTMARK_URL=...); its emails count in the same perFollowUp, so an email that went to
// both providers shows as twice. --postmark-webhook <url> with --postmark-user and
// --postmark-password posts its Delivery events there with those basic-auth credentials.
import fs from "node:fs";
import http from "node:http";
import { createPrivateKey } from "node:crypto";
import type { AddressInfo } from "node:net";
import { startSendGridStandIn } from "../../simulator/sendgrid";
import { startPostmarkStandIn } from "../../simulator/postmark";

async function main() {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const eventUrl = arg("--event-webhook");
  const keyFile = arg("--event-key-file");
  const standIn = await startSendGridStandIn(
    eventUrl && keyFile ? { eventWebhook: { url: eventUrl, privateKey: createPrivateKey(fs.readFileSync(keyFile, "utf8")) } } : {},
  );
  const postmarkHook = arg("--postmark-webhook");
  const postmarkToken = arg("--postmark");
  const postmark = postmarkToken
    ? await startPostmarkStandIn({
        serverTokens: [postmarkToken],
        ...(postmarkHook ? { webhook: { url: postmarkHook, username: arg("--postmark-user") ?? "", password: arg("--postmark-password") ?? "" } } : {}),
      })
    : null;
  const byProvider = { sendgrid: 0, postmark: 0 };
  const perFollowUp = new Map<string, number>();
  const acceptedAt = new Map<string, string[]>();
  const statuses = new Map<number, number>();
  let total = 0;
  // Move what the stand-in accepted into the counts and forget the bodies.
  const count = (provider: "sendgrid" | "postmark", id: string, at: string) => {
    perFollowUp.set(id, (perFollowUp.get(id) ?? 0) + 1);
    acceptedAt.set(id, [...(acceptedAt.get(id) ?? []), `${provider} ${at}`]);
    byProvider[provider] += 1;
    total += 1;
  };
  const drain = () => {
    for (const m of standIn.messages.splice(0)) count("sendgrid", m.customArgs.followUpId ?? "(none)", m.receivedAt);
    for (const m of postmark?.messages.splice(0) ?? []) count("postmark", m.metadata.followUpId ?? "(none)", m.receivedAt);
    for (const r of standIn.requests.splice(0)) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    for (const r of postmark?.requests.splice(0) ?? []) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
  };
  const timer = setInterval(drain, 200);

  const control = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://control");
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(body));
    };
    drain();
    if (req.method === "GET" && url.pathname === "/counts") {
      const twice = [...acceptedAt].filter(([, at]) => at.length > 1);
      return json(200, { total, perFollowUp: Object.fromEntries(perFollowUp), twice: Object.fromEntries(twice), byProvider });
    }
    if (req.method === "GET" && url.pathname === "/requests") return json(200, Object.fromEntries(statuses));
    if (req.method === "POST" && url.pathname === "/fail") {
      const status = Number(url.searchParams.get("status") ?? 503);
      const ms = Number(url.searchParams.get("ms") ?? 1000);
      if (url.searchParams.get("provider") === "postmark") postmark?.failFor(ms, status);
      else standIn.failFor(ms, status);
      return json(200, { status, ms });
    }
    if (req.method === "POST" && url.pathname === "/down") {
      const ms = Number(url.searchParams.get("ms") ?? 1000);
      const target = url.searchParams.get("provider") === "postmark" ? postmark : standIn;
      target?.setDown(true);
      setTimeout(() => target?.setDown(false), ms);
      return json(200, { down: ms });
    }
    if (req.method === "POST" && url.pathname === "/clear") {
      standIn.clear();
      postmark?.clear();
      byProvider.sendgrid = byProvider.postmark = 0;
      perFollowUp.clear();
      acceptedAt.clear();
      statuses.clear();
      total = 0;
      return json(200, { cleared: true });
    }
    json(404, { error: "unknown control request" });
  });
  await new Promise<void>((resolve) => control.listen(0, "127.0.0.1", resolve));
  const controlUrl = `http://127.0.0.1:${(control.address() as AddressInfo).port}`;
  console.log(`STANDIN_URL=${standIn.url} CONTROL_URL=${controlUrl}${postmark ? ` POSTMARK_URL=${postmark.url}` : ""}`);

  const stop = () => {
    clearInterval(timer);
    control.close();
    Promise.all([standIn.close(), postmark?.close()]).finally(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
