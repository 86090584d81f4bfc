// Dispatchers as separate operating-system processes on one database: a race between two,
// and a dispatcher killed with SIGKILL in the middle of a send.
import { spawn } from "node:child_process";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ROOT, runCli } from "../../scripts/harness";
import type { AdminSimulator } from "../../simulator/admin-api";
import type { SendGridStandIn } from "../../simulator/sendgrid";
import { SIMULATOR_SHOP, type SeedStore } from "../../simulator/store";
import { orderCreatedPayload } from "../../simulator/orders";
import { sendThankYouAtOnce } from "../../scripts/faults/scenario";
import type { createPrismaClient } from "~/db.server";
import { receiveOrderCreated } from "~/services/intake/intake.server";
import { followUpTimeline } from "~/services/messages/timeline.server";
import { startTestStack, type TestStack } from "../helpers/stack";

let stack: TestStack;
let env: Record<string, string>;
let store: SeedStore;
let admin: AdminSimulator;
let sendgrid: SendGridStandIn;
let prisma: ReturnType<typeof createPrismaClient>;
let seq = 0;

async function scheduleOrders(n: number): Promise<string[]> {
  const customer = store.customers.find((c) => c.defaultEmailAddress?.emailAddress)!;
  const products = store.products.filter((p) => p.status === "ACTIVE");
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const payload = orderCreatedPayload({
      store,
      customerId: customer.id,
      lines: [{ productId: products[i % products.length].id, quantity: 1 }],
      record: false,
    });
    const outcome = await receiveOrderCreated({
      prisma,
      delivery: { shop: SIMULATOR_SHOP, topic: "orders/create", webhookId: `proc-${++seq}` },
      payload,
    });
    if (outcome.kind !== "scheduled") throw new Error(outcome.kind);
    ids.push(...outcome.followUps.map((f) => f.id));
  }
  return ids;
}

beforeAll(async () => {
  stack = await startTestStack({ name: "dispatch-processes", sendgridKey: "SG.proc-key", env: { LOG_LEVEL: "warn" } });
  ({ store, admin, sendgrid, env, prisma } = stack);
  await sendThankYouAtOnce(prisma);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

beforeEach(() => sendgrid.clear());

describe("dispatcher processes", () => {
  it("two dispatchers racing over the same follow-ups send each exactly once", async () => {
    const ids = await scheduleOrders(300);
    // The first send is held for 10 s, so the other dispatcher is surely running while the first
    // still holds claims; small batches make the two claim side by side for the rest.
    sendgrid.delayNext(10_000, 1);
    sendgrid.delayNext(10, 299);
    const raceEnv = { ...env, DISPATCH_BATCH_SIZE: "10" };
    const [a, b] = await Promise.all([runCli(["dispatch", "--once"], raceEnv), runCli(["dispatch", "--once"], raceEnv)]);
    expect(a.status, a.stderr).toBe(0);
    expect(b.status, b.stderr).toBe(0);
    const sentBy = (out: string) => Number(/(\d+) sent/.exec(out)?.[1] ?? NaN);
    expect(sentBy(a.stdout) + sentBy(b.stdout)).toBe(300);
    expect(sentBy(a.stdout), `${a.stdout}\n${b.stdout}\n${a.stderr}\n${b.stderr}`).toBeGreaterThan(0);
    expect(sentBy(b.stdout)).toBeGreaterThan(0);

    expect(sendgrid.messages).toHaveLength(300);
    const mailed = sendgrid.messages.map((m) => m.customArgs.followUpId);
    expect(new Set(mailed).size).toBe(300);
    expect(new Set(mailed)).toEqual(new Set(ids));
    expect(await prisma.followUp.count({ where: { id: { in: ids }, status: "sent" } })).toBe(300);
  }, 120_000);

  it("a dispatcher killed mid-send loses nothing: the claim is taken again after its lease", async () => {
    const [id] = await scheduleOrders(1);
    admin.delayNext(25_000); // the Admin API hangs while the dispatcher holds the claim
    const child = spawn(process.execPath, ["--import", "tsx", "cli/afterglow.ts", "dispatch", "--interval", "200"], {
      cwd: ROOT,
      env: { ...process.env, ...env, DISPATCH_LEASE_MS: "20000" }, // long enough for a CLI run on a busy machine
      stdio: "ignore",
    });
    const deadline = Date.now() + 30_000;
    let followUp = await prisma.followUp.findUniqueOrThrow({ where: { id } });
    while (followUp.status !== "sending" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      followUp = await prisma.followUp.findUniqueOrThrow({ where: { id } });
    }
    expect(followUp.status).toBe("sending");
    // Its request to the Admin API is in flight (answered only after 25 s): kill it without warning.
    await new Promise((r) => setTimeout(r, 1000));
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await exited;
    expect(sendgrid.messages).toHaveLength(0);
    expect((await prisma.followUp.findUniqueOrThrow({ where: { id } })).status).toBe("sending");

    // Before the lease runs out nobody may take it; after, the next dispatcher does.
    const early = await runCli(["dispatch", "--once"], env);
    expect(early.stdout).toMatch(/0 claimed/);
    const { leaseUntil } = await prisma.followUp.findUniqueOrThrow({ where: { id } });
    await new Promise((r) => setTimeout(r, Math.max(0, leaseUntil!.getTime() - Date.now()) + 200));
    const late = await runCli(["dispatch", "--once"], env);
    expect(late.stdout, late.stderr).toMatch(/1 sent/);

    expect(sendgrid.messages).toHaveLength(1);
    expect(sendgrid.messages[0].customArgs.followUpId).toBe(id);
    const after = await prisma.followUp.findUniqueOrThrow({ where: { id }, include: { events: true } });
    expect(after.status).toBe("sent");
    expect(after.attempts).toBe(2);
    expect((await followUpTimeline(prisma, id)).map((e) => e.type)).toEqual(["scheduled", "reclaimed", "sent"]);
  }, 120_000);
});
