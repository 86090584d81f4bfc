// Every embedded admin route, from the built app's route manifest, called with shop A's session
// token and shop B's ids: A gets 404 or nothing of B's, and nothing of B's changes. A route
// added without a case here fails the first test.
import { randomUUID } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const ctx = await vi.hoisted(async () =>
  (await import("../helpers/env")).appTestEnv({
    name: "shop-scoping",
    apiKey: "scoping-key",
    secret: "scoping-secret",
    env: { MAIL_TRANSPORT: "outbox", AFTERGLOW_WORKER: "off", LOG_LEVEL: "error" },
  }),
);

import type { ServerBuild } from "@remix-run/node";
import prisma from "~/db.server";
import { connectShop, storeOfflineToken } from "~/services/shop/shops.server";
import { sessionToken } from "../helpers/embedded";
import { ROOT } from "../../scripts/harness";

const A = "shop-a.myshopify.com";
const B = "shop-b.myshopify.com";
const BASE = "https://afterglow.test";

let build: ServerBuild;
const b = {} as { flowId: string; stepKey: string; orderId: string; scheduledId: string; failedId: string; suppressionId: string; dataRequestId: string };
let aFlowId: string;
// Strings that belong to shop B only: none may appear in anything A is shown.
const B_MARKERS = ["zoe@b-shop.example", "#B-7001", "sender@b-shop.example", "Shop B secret flow"];

async function seedShop(shop: string) {
  await storeOfflineToken({ prisma, shop, accessToken: `shpat_${randomUUID().replace(/-/g, "")}` });
  await connectShop({ prisma, shop });
}

beforeAll(async () => {
  build = (await import(path.join(ROOT, "build/server/index.js"))) as ServerBuild;
  await seedShop(A);
  await seedShop(B);
  aFlowId = (await prisma.flow.findFirstOrThrow({ where: { shop: A } })).id;
  await prisma.shop.update({ where: { domain: B }, data: { senderEmail: "sender@b-shop.example", email: "owner@b-shop.example" } });
  const flow = await prisma.flow.update({ where: { id: (await prisma.flow.findFirstOrThrow({ where: { shop: B } })).id }, data: { name: "Shop B secret flow" }, include: { steps: true } });
  const order = await prisma.order.create({
    data: { shop: B, orderId: "gid://shopify/Order/7001", name: "#B-7001", email: "zoe@b-shop.example", currency: "USD", totalPrice: "10.00", productIds: "[]", orderedAt: new Date() },
  });
  const base = { shop: B, orderRef: order.id, flowId: flow.id, stepId: flow.steps[0].id, template: "thank-you", recipient: "zoe@b-shop.example", dueAt: new Date(), nextAttemptAt: new Date() };
  const scheduled = await prisma.followUp.create({ data: { ...base, orderId: order.orderId, stepKey: flow.steps[0].key, status: "scheduled" } });
  const failed = await prisma.followUp.create({ data: { ...base, orderId: "other", stepKey: flow.steps[0].key, status: "failed", lastError: "503" } });
  const suppression = await prisma.suppression.create({ data: { shop: B, email: "zoe@b-shop.example", reason: "manual", source: "merchant" } });
  const dataRequest = await prisma.complianceRequest.create({
    data: { shop: B, topic: "CUSTOMERS_DATA_REQUEST", webhookId: randomUUID(), customerId: "gid://shopify/Customer/1", status: "completed", report: JSON.stringify({ email: "zoe@b-shop.example" }) },
  });
  Object.assign(b, { flowId: flow.id, stepKey: flow.steps[0].key, orderId: order.id, scheduledId: scheduled.id, failedId: failed.id, suppressionId: suppression.id, dataRequestId: dataRequest.id });
});

afterAll(async () => {
  await ctx.cleanup();
});

// Everything of shop B, to compare before and after A's attempts.
async function snapshotB() {
  const [shop, flows, followUps, orders, suppressions, requests, events] = await Promise.all([
    prisma.shop.findUniqueOrThrow({ where: { domain: B } }),
    prisma.flow.findMany({ where: { shop: B }, include: { steps: true }, orderBy: { id: "asc" } }),
    prisma.followUp.findMany({ where: { shop: B }, orderBy: { id: "asc" } }),
    prisma.order.findMany({ where: { shop: B }, orderBy: { id: "asc" } }),
    prisma.suppression.findMany({ where: { shop: B }, orderBy: { id: "asc" } }),
    prisma.complianceRequest.findMany({ where: { shop: B }, orderBy: { id: "asc" } }),
    prisma.followUpEvent.findMany({ where: { followUp: { shop: B } }, orderBy: { id: "asc" } }),
  ]);
  return JSON.stringify({ shop: { ...shop, updatedAt: null }, flows, followUps, orders, suppressions, requests, events, audit: await prisma.auditLog.count({ where: { shop: B } }) });
}

interface Outcome {
  status: number;
  body: string;
}

// Calls a route of the build as Remix would, as shop A; thrown Responses are outcomes too.
async function call(routeId: string, kind: "loader" | "action", url: string, params: Record<string, string> = {}, form?: Record<string, string>): Promise<Outcome> {
  const fn = build.routes[routeId]?.module[kind] as ((a: unknown) => Promise<unknown>) | undefined;
  if (!fn) throw new Error(`${routeId} has no ${kind}`);
  const headers: Record<string, string> = { Authorization: `Bearer ${sessionToken({ shop: A, apiKey: ctx.apiKey, secret: ctx.secret })}` };
  const init: RequestInit = form ? { method: "POST", headers: { ...headers, "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(form) } : { headers };
  let result: unknown;
  try {
    result = await fn({ request: new Request(`${BASE}${url}`, init), params, context: {} });
  } catch (thrown) {
    if (thrown instanceof Response) result = thrown;
    else throw thrown;
  }
  if (result instanceof Response) return { status: result.status, body: await result.text() };
  return { status: 200, body: JSON.stringify(result ?? null) };
}

function expectNothingOfB(outcome: Outcome, what: string) {
  for (const marker of [...B_MARKERS, ...Object.values(b)]) expect(outcome.body, `${what} shows ${marker}`).not.toContain(marker);
}

const draftOfB = async () => {
  const flow = await prisma.flow.findUniqueOrThrow({ where: { id: b.flowId }, include: { steps: true } });
  return JSON.stringify({
    name: "Taken over",
    trigger: "order_created",
    active: false,
    conditions: null,
    steps: flow.steps.map((s) => ({ key: s.key, delay: { amount: 1, unit: "hours" }, sendWindow: null, template: "thank-you", category: "marketing", subject: "Taken", previewText: "", content: null, variants: null })),
  });
};

// One case per admin route: what A tries with B's ids, and what A must get.
const cases: Record<string, () => Promise<void>> = {
  "routes/app": async () => {
    expectNothingOfB(await call("routes/app", "loader", "/app"), "the app frame");
  },
  "routes/app._index": async () => {
    const home = await call("routes/app._index", "loader", "/app");
    expect(home.status).toBe(200);
    expectNothingOfB(home, "home");
    // The setup guide's Turn on cannot reach another shop's flow.
    expect((await call("routes/app._index", "action", "/app", {}, { intent: "turn_on_flow", id: b.flowId })).status).toBe(404);
  },
  "routes/app.flows._index": async () => {
    expectNothingOfB(await call("routes/app.flows._index", "loader", "/app/flows"), "the flow list");
    for (const intent of ["turn_off", "turn_on", "duplicate", "delete"])
      expect((await call("routes/app.flows._index", "action", "/app/flows", {}, { intent, id: b.flowId })).status, intent).toBe(404);
    // A file with the key B's flow has lands in A's flows only.
    const file = JSON.stringify({ version: 1, flows: [{ key: "thank-you", name: "Imported", trigger: "order_created", active: true, steps: [{ key: "s", delay: { amount: 1, unit: "hours" }, template: "thank-you", subject: "Hi" }] }] });
    const imported = await call("routes/app.flows._index", "action", "/app/flows", {}, { intent: "import", file });
    expect(imported.status).toBe(200);
    expectNothingOfB(imported, "an import");
  },
  "routes/app.flows.$id.export": async () => {
    const exported = await call("routes/app.flows.$id.export", "loader", `/app/flows/${b.flowId}/export`, { id: b.flowId });
    expect(exported.status).toBe(404);
    expectNothingOfB(exported, "an export of B's flow");
  },
  "routes/app.flows.$id": async () => {
    const params = { id: b.flowId };
    expect((await call("routes/app.flows.$id", "loader", `/app/flows/${b.flowId}`, params)).status).toBe(404);
    const flow = await draftOfB();
    expect((await call("routes/app.flows.$id", "action", `/app/flows/${b.flowId}`, params, { intent: "save", flow })).status).toBe(404);
    expect((await call("routes/app.flows.$id", "action", `/app/flows/${b.flowId}`, params, { intent: "test_send", flow, step: "0" })).status).toBe(404);
    // A's own flow with B's order: refused, and nothing of the order is used.
    const withOrder = await call("routes/app.flows.$id", "action", `/app/flows/${aFlowId}`, { id: aFlowId }, { intent: "test_send", flow, step: "0", order: b.orderId, to: "me@a-shop.example" });
    expect(withOrder.status).toBe(400);
    expectNothingOfB(withOrder, "a test send with B's order");
    const newFlowPage = await call("routes/app.flows.$id", "loader", "/app/flows/new", { id: "new" });
    expectNothingOfB(newFlowPage, "the new flow page's recent orders");
  },
  "routes/app.flows.$id.preview": async () => {
    expect((await call("routes/app.flows.$id.preview", "loader", `/app/flows/${b.flowId}/preview`, { id: b.flowId })).status).toBe(404);
    expect((await call("routes/app.flows.$id.preview", "action", `/app/flows/${b.flowId}/preview`, { id: b.flowId }, { flow: await draftOfB() })).status).toBe(404);
    const withOrder = await call("routes/app.flows.$id.preview", "loader", `/app/flows/${aFlowId}/preview?order=${b.orderId}`, { id: aFlowId });
    expect(withOrder.status).toBe(404);
    expectNothingOfB(withOrder, "a preview with B's order");
  },
  "routes/app.messages._index": async () => {
    for (const query of ["", `?flow=${b.flowId}`, "?q=zoe@b-shop.example", "?q=B-7001", `?cursor=${b.scheduledId}`, "?status=failed"]) {
      const list = await call("routes/app.messages._index", "loader", `/app/messages${query}`);
      expect(list.status).toBe(200);
      // The page echoes the query it was given; what it found is the rest.
      const { filters: _echo, cursor: _cursor, ...found } = JSON.parse(list.body) as Record<string, unknown>;
      expect(found.rows, `messages${query}`).toEqual([]);
      expectNothingOfB({ status: 200, body: JSON.stringify(found) }, `messages${query}`);
    }
  },
  "routes/app.messages.$id": async () => {
    for (const id of [b.scheduledId, b.failedId]) {
      expect((await call("routes/app.messages.$id", "loader", `/app/messages/${id}`, { id })).status).toBe(404);
      for (const intent of ["cancel", "retry"]) expect((await call("routes/app.messages.$id", "action", `/app/messages/${id}`, { id }, { intent })).status, intent).toBe(404);
    }
  },
  "routes/app.settings": async () => {
    expectNothingOfB(await call("routes/app.settings", "loader", "/app/settings"), "settings");
    // Saving A's settings touches A only (B's row is compared after all cases).
    const saved = await call("routes/app.settings", "action", "/app/settings", {}, { senderEmail: "hello@a-shop.example", frequencyCapEnabled: "on", frequencyCapMaxSends: "1", frequencyCapPeriodHours: "16", marketingConsentRequired: "on" });
    expect(saved.status).toBe(200);
    expect((await prisma.shop.findUniqueOrThrow({ where: { domain: A } })).senderEmail).toBe("hello@a-shop.example");
  },
  // The brand's preview renders A's own default flow; the logo goes to the signed-in shop's Files only.
  "routes/app.settings.preview": async () => {
    const preview = await call("routes/app.settings.preview", "action", "/app/settings/preview", {}, { brand: JSON.stringify({ accentColor: "#123456" }) });
    expect(preview.status).toBe(200);
    // A's own default flow: its step key is B's too (both got the default flow), so only B's own strings and ids count.
    const { stepKey: _shared, ...ofB } = b;
    for (const marker of [...B_MARKERS, ...Object.values(ofB)]) expect(preview.body, `the brand preview shows ${marker}`).not.toContain(marker);
  },
  "routes/app.settings.logo": async () => {
    const upload = await call("routes/app.settings.logo", "action", "/app/settings/logo", {}, { shop: B, logo: "not a file" });
    expect(upload.status).toBe(400);
    expectNothingOfB(upload, "the logo upload");
  },
  "routes/app.plans": async () => {
    // B pays for Growth; A is on the free plan and sees nothing of B's subscription.
    await prisma.planSubscription.upsert({
      where: { id: "gid://shopify/AppSubscription/7001" },
      create: { id: "gid://shopify/AppSubscription/7001", shop: B, plan: "growth", name: "Afterglow Growth", status: "ACTIVE" },
      update: {},
    });
    const page = await call("routes/app.plans", "loader", "/app/plans");
    expectNothingOfB(page, "the plans page");
    expect(page.body).not.toContain("AppSubscription/7001");
    expect(JSON.parse(page.body)).toMatchObject({ plan: "free", subscription: null });
    expect((await call("routes/app.plans", "action", "/app/plans", {}, { intent: "subscribe", plan: "gold" })).status).toBe(400);
  },
  "routes/app.flow-action-config": async () => {
    // B chose its flow for a Shopify Flow step; A, naming the same step, sees none of it and cannot choose B's flow.
    await prisma.flowActionStep.upsert({
      where: { shop_stepReference: { shop: B, stepReference: "step-of-b" } },
      create: { shop: B, stepReference: "step-of-b", flowId: b.flowId },
      update: {},
    });
    const page = await call("routes/app.flow-action-config", "loader", "/app/flow-action-config?step_reference=step-of-b");
    expectNothingOfB(page, "the Flow action's configuration page");
    expect(JSON.parse(page.body)).toMatchObject({ stepReference: "step-of-b", chosenId: null });
    const chosen = await call("routes/app.flow-action-config", "action", "/app/flow-action-config", {}, { step_reference: "step-of-b", flowId: b.flowId });
    expect(chosen.status).toBe(400);
    expect(await prisma.flowActionStep.count({ where: { shop: A } })).toBe(0);
  },
  "routes/app.outbox": async () => {
    expectNothingOfB(await call("routes/app.outbox", "loader", "/app/outbox"), "the outbox");
  },
  "routes/app.sender": async () => {
    expectNothingOfB(await call("routes/app.sender", "loader", "/app/sender"), "the sender page");
  },
  "routes/app.suppressions": async () => {
    expectNothingOfB(await call("routes/app.suppressions", "loader", "/app/suppressions?q=zoe"), "suppressions");
    expect((await call("routes/app.suppressions", "action", "/app/suppressions", {}, { intent: "remove", id: b.suppressionId })).status).toBe(404);
  },
  "routes/app.suppressions.export": async () => {
    expectNothingOfB(await call("routes/app.suppressions.export", "loader", "/app/suppressions/export"), "the suppression export");
  },
  "routes/app.data-requests": async () => {
    expectNothingOfB(await call("routes/app.data-requests", "loader", "/app/data-requests"), "data requests");
  },
  "routes/app.analytics": async () => {
    expectNothingOfB(await call("routes/app.analytics", "loader", "/app/analytics"), "analytics");
    // Promoting a variant of B's step names B's flow: A gets a refusal and B's step is unchanged.
    const promote = await call("routes/app.analytics", "action", "/app/analytics", {}, { intent: "promote", flowId: b.flowId, stepKey: b.stepKey, variant: "a" });
    expect(promote.status).toBeGreaterThanOrEqual(400);
  },
  "routes/app.analytics.export.$kind": async () => {
    for (const kind of ["metrics", "messages"]) {
      const got = await call("routes/app.analytics.export.$kind", "loader", `/app/analytics/export/${kind}`, { kind });
      expect(got.status).toBe(200);
      expectNothingOfB(got, `the ${kind} export`);
    }
  },
  "routes/app.data-requests.$id.$format": async () => {
    for (const format of ["json", "csv"]) {
      const got = await call("routes/app.data-requests.$id.$format", "loader", `/app/data-requests/${b.dataRequestId}/${format}`, { id: b.dataRequestId, format });
      expect(got.status).toBe(404);
      expectNothingOfB(got, `data request ${format}`);
    }
  },
};

describe("shop scoping of the embedded admin", () => {
  it("has a case for every admin route in the build's manifest", () => {
    const adminRoutes = Object.values(build.routes)
      .filter((r) => r.id === "routes/app" || r.id.startsWith("routes/app."))
      .filter((r) => r.module.loader || r.module.action)
      .map((r) => r.id)
      .sort();
    expect(adminRoutes.length).toBeGreaterThan(10);
    expect(Object.keys(cases).sort()).toEqual(adminRoutes);
  });

  it("gives shop A 404 or nothing for shop B's flows, follow-ups, previews, test sends, settings and reports, changing nothing of B", async () => {
    const before = await snapshotB();
    for (const [route, run] of Object.entries(cases)) {
      try {
        await run();
      } catch (err) {
        (err as Error).message = `${route}: ${(err as Error).message}`;
        throw err;
      }
    }
    expect(await snapshotB()).toBe(before);
    expect(await prisma.outboxMessage.count({ where: { shop: B } })).toBe(0);
  });

  it("still lets shop A act on its own flow (the cases above are not vacuous)", async () => {
    expect((await call("routes/app.flows.$id", "loader", `/app/flows/${aFlowId}`, { id: aFlowId })).status).toBe(200);
    expect((await call("routes/app.flows._index", "action", "/app/flows", {}, { intent: "turn_off", id: aFlowId })).status).toBe(200);
    expect((await call("routes/app.flows.$id.preview", "loader", `/app/flows/${aFlowId}/preview`, { id: aFlowId })).status).toBe(200);
  });
});
