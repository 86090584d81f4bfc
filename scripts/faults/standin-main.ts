// The SendGrid stand-in in a process of its own for long runs (the worker benchmark, the fault
// scripts): it keeps only a count of accepted emails per follow-up id (custom_args), so 10k
// rendered emails do not pile up in memory, and takes failure orders on a control port.
//   npx tsx scripts/faults/standin-main.ts
//   prints: STANDIN_URL=<SendGrid base URL> CONTROL_URL=<control URL>
// Control: GET /counts -> { total, perFollowUp: { id: n }, twice: { id: [accepted at, ...] } },
//          GET /requests -> { status: n },
//          POST /fail?status=429&ms=5000, POST /clear
// With --event-webhook <url> --event-key-file <PEM private key>, it posts SendGrid's signed
// processed and delivered events for every accepted email to <url>, as SendGrid does.
import fs from "node:fs";
import http from "node:http";
import { createPrivateKey } from "node:crypto";
import type { AddressInfo } from "node:net";
import { startSendGridStandIn } from "../../simulator/sendgrid";

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
  const perFollowUp = new Map<string, number>();
  const acceptedAt = new Map<string, string[]>();
  const statuses = new Map<number, number>();
  let total = 0;
  // Move what the stand-in accepted into the counts and forget the bodies.
  const drain = () => {
    for (const m of standIn.messages.splice(0)) {
      const id = m.customArgs.followUpId ?? "(none)";
      perFollowUp.set(id, (perFollowUp.get(id) ?? 0) + 1);
      acceptedAt.set(id, [...(acceptedAt.get(id) ?? []), m.receivedAt]);
      total += 1;
    }
    for (const r of standIn.requests.splice(0)) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
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
      return json(200, { total, perFollowUp: Object.fromEntries(perFollowUp), twice: Object.fromEntries(twice) });
    }
    if (req.method === "GET" && url.pathname === "/requests") return json(200, Object.fromEntries(statuses));
    if (req.method === "POST" && url.pathname === "/fail") {
      const status = Number(url.searchParams.get("status") ?? 503);
      const ms = Number(url.searchParams.get("ms") ?? 1000);
      standIn.failFor(ms, status);
      return json(200, { status, ms });
    }
    if (req.method === "POST" && url.pathname === "/clear") {
      standIn.clear();
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
  console.log(`STANDIN_URL=${standIn.url} CONTROL_URL=${controlUrl}`);

  const stop = () => {
    clearInterval(timer);
    control.close();
    standIn.close().finally(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
