// End to end for the Shopify Flow action "Start an Afterglow flow": the built server gets Flow's
// signed requests at the action's runtime URL, reads the order from the store simulator's Admin
// API with the shop's stored token, and the operator CLI's dispatcher sends the follow-up to the
// SendGrid stand-in.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { freePort, runCli, startApp, TEST_API_SECRET, type RunningApp } from "../../scripts/harness";
import type { SendGridStandIn } from "../../simulator/sendgrid";
import { legacyId, SIMULATOR_SHOP, type SeedStore } from "../../simulator/store";
import { flowActionRequest } from "../../simulator/flow-actions";
import { startTestStack, type TestStack } from "../helpers/stack";

vi.setConfig({ testTimeout: 120_000 });

const HANDLE = "start-afterglow-flow"; // extensions/start-afterglow-flow/shopify.extension.toml
const FLOW_KEY = "vip-care";

let dir: string;
let stack: TestStack;
let env: Record<string, string>;
let store: SeedStore;
let sendgrid: SendGridStandIn;
let app: RunningApp;

async function cli(...args: string[]) {
  const r = await runCli(args, env);
  if (r.status !== 0) throw new Error(`afterglow ${args.join(" ")} failed:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

const counts = async () => ({
  runs: await stack.prisma.flowActionRun.count(),
  orders: await stack.prisma.order.count(),
  followUps: await stack.prisma.followUp.count(),
});

function post(properties: Record<string, unknown>, { actionRunId, secret = TEST_API_SECRET }: { actionRunId?: string; secret?: string } = {}) {
  const signed = flowActionRequest({ shop: SIMULATOR_SHOP, shopId: legacyId(store.shop.id), handle: HANDLE, properties, secret, actionRunId });
  return fetch(`${app.url}/flow/actions/start-flow`, { method: "POST", headers: signed.headers, body: signed.body });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "afterglow-flow-action-"));
  const port = await freePort();
  stack = await startTestStack({
    name: "flow-action-e2e",
    sendgridKey: "SG.flow-action-key",
    env: { SHOPIFY_APP_URL: `http://127.0.0.1:${port}`, AFTERGLOW_WORKER: "off" },
  });
  ({ store, sendgrid, env } = stack);
  // A flow only Shopify Flow starts: the first step at once, the second a week later.
  const flowsFile = path.join(dir, "flows.json");
  fs.writeFileSync(
    flowsFile,
    JSON.stringify({
      version: 1,
      flows: [
        {
          key: FLOW_KEY,
          name: "VIP care",
          trigger: "shopify_flow",
          steps: [
            { key: "thanks", delay: { amount: 0, unit: "minutes" }, template: "thank-you", subject: "A note for our VIPs, {{ order.name }}" },
            { key: "check-in", delay: { amount: 7, unit: "days" }, template: "thank-you", subject: "How is it going?" },
          ],
        },
      ],
    }),
  );
  await cli("flows", "import", SIMULATOR_SHOP, flowsFile);
  await cli("flows", "on", SIMULATOR_SHOP, FLOW_KEY);
  app = await startApp({ env, port });
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await stack?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("the action's runtime URL on the built server", () => {
  const order = () => store.orders[0];
  const properties = () => ({ order_id: String(legacyId(order().id)), flow_key: FLOW_KEY });

  it("answers 401 to a request signed with another secret, or not signed, and stores nothing", async () => {
    const before = await counts();
    expect((await post(properties(), { secret: "not-the-app-secret" })).status).toBe(401);
    const signed = flowActionRequest({ shop: SIMULATOR_SHOP, shopId: 1, handle: HANDLE, properties: properties(), secret: TEST_API_SECRET });
    const unsigned = await fetch(`${app.url}/flow/actions/start-flow`, { method: "POST", headers: { "Content-Type": "application/json" }, body: signed.body });
    expect(unsigned.status).toBe(401);
    expect(await counts()).toEqual(before);
  });

  it("answers 400 to a signed body Flow would not send, and 422 naming a flow the shop does not have", async () => {
    const before = await counts();
    expect((await post({ flow_key: FLOW_KEY })).status).toBe(400);
    const unknown = await post({ ...properties(), flow_key: "no-such-flow" });
    expect(unknown.status).toBe(422);
    expect(await unknown.text()).toMatch(/no flow with the key "no-such-flow"/);
    expect(await counts()).toEqual(before);
  });

  it("the same run delivered three times starts one follow-up per step, and the dispatcher sends the first", async () => {
    const actionRunId = "e2e-run-1";
    for (let i = 0; i < 3; i++) expect((await post(properties(), { actionRunId })).status).toBe(200);
    const flow = await stack.prisma.flow.findUniqueOrThrow({ where: { shop_key: { shop: SIMULATOR_SHOP, key: FLOW_KEY } } });
    const followUps = await stack.prisma.followUp.findMany({ where: { flowId: flow.id }, orderBy: { dueAt: "asc" } });
    expect(followUps.map((f) => [f.orderId, f.stepKey, f.status])).toEqual([
      [order().id, "thanks", "scheduled"],
      [order().id, "check-in", "scheduled"],
    ]);
    expect(await stack.prisma.flowActionRun.count({ where: { actionRunId } })).toBe(1);

    expect(await cli("dispatch", "--once")).toMatch(/1 sent/);
    expect(await cli("dispatch", "--once")).toMatch(/0 sent/);
    expect(sendgrid.messages).toHaveLength(1);
    const mail = sendgrid.messages[0];
    expect(mail.to[0].email).toBe(order().email);
    expect(mail.subject).toBe(`A note for our VIPs, ${order().name}`);
    expect(mail.customArgs).toMatchObject({ followUpId: followUps[0].id, shop: SIMULATOR_SHOP, flow: FLOW_KEY });
    const sent = await stack.prisma.followUp.findUniqueOrThrow({ where: { id: followUps[0].id } });
    expect(sent).toMatchObject({ status: "sent", messageId: mail.messageId });
    expect((await stack.prisma.followUp.findUniqueOrThrow({ where: { id: followUps[1].id } })).status).toBe("scheduled");
  });
});
