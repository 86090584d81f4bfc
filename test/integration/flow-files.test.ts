// Flow files on the Flows page, called as the embedded admin calls them: a flow exported as the
// CLI's JSON format imports back as the same flow (turned off, under a free key), the CLI reads
// the same file, and a file with problems is refused with each problem by field, storing nothing.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const ctx = await vi.hoisted(async () =>
  (await import("../helpers/env")).appTestEnv({
    name: "flow-files",
    apiKey: "flow-files-key",
    secret: "flow-files-secret",
    env: { LOG_LEVEL: "error" },
  }),
);

import prisma from "~/db.server";
import { sessionToken } from "../helpers/embedded";
import { connectShop, storeOfflineToken } from "~/services/shop/shops.server";
import { exportFlows, importFlows } from "~/services/flows/flows.server";
import { listAudit } from "~/services/compliance/audit.server";
import { action as flowsAction, type FlowListActionData } from "~/routes/app.flows._index";
import { loader as exportLoader } from "~/routes/app.flows.$id.export";

const SHOP = "flow-files.myshopify.com";
const OTHER = "someone-else.myshopify.com";
const BASE = "https://afterglow.test";

const request = (path: string, shop = SHOP, init: RequestInit = {}) =>
  new Request(`${BASE}${path}`, { ...init, headers: { Authorization: `Bearer ${sessionToken({ shop, apiKey: ctx.apiKey, secret: ctx.secret })}`, ...(init.headers ?? {}) } });
const download = async (id: string, shop = SHOP) => (await exportLoader({ request: request(`/app/flows/${id}/export`, shop), params: { id }, context: {} })) as Response;
async function importFile(text: string) {
  const body = new URLSearchParams({ intent: "import", file: text });
  const res = (await flowsAction({
    request: request("/app/flows", SHOP, { method: "POST", body, headers: { "Content-Type": "application/x-www-form-urlencoded" } }),
    params: {},
    context: {},
  })) as Response;
  return { status: res.status, data: (await res.json()) as FlowListActionData };
}

// A flow with a bit of everything the format holds.
const FLOW = {
  key: "after-purchase",
  name: "After purchase",
  trigger: "order_paid",
  active: true,
  conditions: { all: [{ field: "order_total", op: "gte", amount: "50" }] },
  exitRules: { orderedAgain: true },
  steps: [
    {
      key: "thanks",
      delay: { amount: 2, unit: "hours", from: "trigger" },
      sendWindow: { days: ["mon", "tue", "wed", "thu", "fri"], start: "09:00", end: "18:00" },
      template: "thank-you",
      category: "marketing",
      subject: "Thank you, {{ customer.first_name }}",
      previewText: "A note from us",
      content: { heading: "{{ order.name }} is on its way", locales: { de: { heading: "{{ order.name }} ist unterwegs" } } },
      variants: { id: "thanks-subject", variants: [{ key: "a", weight: 50 }, { key: "b", weight: 50, subject: "Danke!" }] },
    },
    {
      key: "offer",
      delay: { amount: 3, unit: "days_at", at: "10:00" },
      template: "cross-sell",
      category: "marketing",
      subject: "{{ discount.percentage }} off for you",
      content: { discount: { percentage: 25, expiresInDays: 10 } },
    },
  ],
};

// A flow as stored, without what makes it one of its kind (its id, key and whether it is on).
const definitionOf = async (id: string) => {
  const { flows } = await exportFlows(prisma, SHOP, { ids: [id] });
  const { key: _key, active: _active, ...rest } = flows[0]!;
  return rest;
};

beforeAll(async () => {
  // The embedded admin's requests are answered with the shop's stored offline session.
  for (const shop of [SHOP, OTHER]) await storeOfflineToken({ prisma, shop, accessToken: `shpat_${shop.length}_files` });
  await connectShop({ prisma, shop: SHOP, profile: { name: "Flow Files", email: "owner@flowfiles.example" } });
  await connectShop({ prisma, shop: OTHER, profile: { name: "Someone Else", email: "owner@else.example" } });
  await importFlows(prisma, SHOP, { version: 1, flows: [FLOW] });
});
afterAll(async () => {
  await ctx.cleanup();
});

describe("flow files", () => {
  it("exports a flow as the CLI's JSON and imports it back as the same flow, off, beside the original", async () => {
    const original = await prisma.flow.findFirstOrThrow({ where: { shop: SHOP, key: "after-purchase" } });
    const res = await download(original.id);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
    expect(res.headers.get("Content-Disposition")).toBe('attachment; filename="after-purchase.flow.json"');
    const text = await res.text();
    const file = JSON.parse(text);
    expect(file).toMatchObject({ version: 1, flows: [{ key: "after-purchase", name: "After purchase", active: true }] });
    expect(file.flows).toHaveLength(1);
    // The same document the CLI's `flows export` writes for this flow.
    expect(file).toEqual(await exportFlows(prisma, SHOP, { ids: [original.id] }));

    const { status, data } = await importFile(text);
    expect(status).toBe(200);
    expect(data.ok).toBe(true);
    expect(data.message).toBe("Imported After purchase. It is off until you turn it on.");
    const copy = await prisma.flow.findUniqueOrThrow({ where: { id: data.id! } });
    // The original is untouched; the import is a second flow, off, under a free key.
    expect(copy).toMatchObject({ shop: SHOP, key: "after-purchase-2", name: "After purchase", active: false });
    expect((await prisma.flow.findUniqueOrThrow({ where: { id: original.id } })).active).toBe(true);
    expect(await definitionOf(copy.id)).toEqual(await definitionOf(original.id));
    const audit = (await listAudit(prisma, SHOP)).find((a) => a.action === "flow.imported");
    expect(audit?.detail).toMatchObject({ flowIds: [copy.id], keys: ["after-purchase-2"] });

    // The copy's own file round-trips too, and the CLI's import reads it.
    const again = JSON.parse(await (await download(copy.id)).text());
    expect(again.flows[0]).toEqual({ ...file.flows[0], key: "after-purchase-2", active: false });
    await importFlows(prisma, OTHER, again);
    const cli = await prisma.flow.findFirstOrThrow({ where: { shop: OTHER, key: "after-purchase-2" } });
    const { flows } = await exportFlows(prisma, OTHER, { ids: [cli.id] });
    expect(flows[0]).toEqual(again.flows[0]);
  });

  it("refuses a file with problems, naming each by its field, and stores nothing", async () => {
    const before = await prisma.flow.count({ where: { shop: SHOP } });
    const steps = FLOW.steps;
    const bad = {
      version: 1,
      flows: [
        { ...FLOW, key: "fine", name: "Fine" },
        {
          ...FLOW,
          key: "broken",
          name: "",
          steps: [
            { ...steps[0], subject: "", delay: { amount: -5, unit: "hours" } },
            { ...steps[1], content: { discount: { percentage: 250, expiresInDays: 10 } } },
          ],
        },
      ],
    };
    const { status, data } = await importFile(JSON.stringify(bad));
    expect(status).toBe(400);
    expect(data.ok).toBe(false);
    expect(data.message).toBe("Nothing was imported: the file has problems.");
    const fields = data.problems!.map((p) => p.field);
    expect(fields).toEqual(expect.arrayContaining(["Flow 2, name", "Flow 2, step 1, subject", "Flow 2, step 1, delay amount"]));
    // In the editor's words for the same fields.
    expect(data.problems).toEqual(
      expect.arrayContaining([
        { path: "/flows/1/name", field: "Flow 2, name", message: "Give the flow a name." },
        { path: "/flows/1/steps/0/subject", field: "Flow 2, step 1, subject", message: "Write a subject line." },
        { path: "/flows/1/steps/0/delay/amount", field: "Flow 2, step 1, delay amount", message: "Enter a whole number from 0 to 525600." },
      ]),
    );
    for (const p of data.problems!) {
      expect(p.path).toMatch(/^\/flows\/1\//);
      expect(p.message.length).toBeGreaterThan(3);
    }
    // Not even the valid flow of the file.
    expect(await prisma.flow.count({ where: { shop: SHOP } })).toBe(before);
    expect(await prisma.flow.findFirst({ where: { shop: SHOP, key: { in: ["fine", "broken"] } } })).toBeNull();

    // The schema passes, the rules beyond it do not: the discount is checked as the CLI checks it.
    const discount = await importFile(JSON.stringify({ version: 1, flows: [{ ...FLOW, key: "discount", steps: [bad.flows[1].steps[1]] }] }));
    expect(discount.status).toBe(400);
    expect(discount.data.problems).toEqual([expect.objectContaining({ path: "/flows/0/steps/0/content/discount/percentage", field: "Flow 1, step 1, content discount percentage", message: expect.stringMatching(/percentage/) })]);

    const notJson = await importFile("{ not json");
    expect(notJson.status).toBe(400);
    expect(notJson.data.problems![0]).toMatchObject({ path: "", field: "The file" });
    expect(await prisma.flow.count({ where: { shop: SHOP } })).toBe(before);
  });

  it("exports only the shop's own flows", async () => {
    const theirs = await prisma.flow.findFirstOrThrow({ where: { shop: OTHER } });
    expect((await download(theirs.id)).status).toBe(404);
    expect((await download(theirs.id, OTHER)).status).toBe(200);
  });
});
