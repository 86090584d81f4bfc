// A merchant's test send through the built server, as the flow editor posts it with a session
// token, mailing through the app's SendGrid account (the stand-in): only the store's own
// addresses (as the store simulator's Admin API reports them) get a test, never a suppressed one,
// at most TEST_SENDS_PER_HOUR an hour, and content that cannot be sent is a 400 that lists why.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startApp, TEST_API_KEY, TEST_API_SECRET, type RunningApp } from "../../scripts/harness";
import { SIMULATOR_SHOP } from "../../simulator/store";
import { sessionToken } from "../helpers/embedded";
import { startTestStack, type TestStack } from "../helpers/stack";

const APP_SCOPES = "read_orders,read_products,read_customers,write_customers";
let stack: TestStack;
let app: RunningApp;
let flowId: string;
let owner: string;
let contact: string;

async function testSend(fields: Record<string, string>, edit: (draft: { steps: Record<string, unknown>[] }) => void = () => {}) {
  const editor = await fetch(`${app.url}/app/flows/${flowId}?_data=${encodeURIComponent("routes/app.flows.$id")}`, { headers: auth() });
  expect(editor.status).toBe(200);
  const draft = ((await editor.json()) as { flow: { steps: Record<string, unknown>[] } }).flow;
  edit(draft);
  const body = new URLSearchParams({ intent: "test_send", flow: JSON.stringify(draft), step: "0", ...fields });
  const res = await fetch(`${app.url}/app/flows/${flowId}?_data=${encodeURIComponent("routes/app.flows.$id")}`, {
    method: "POST",
    headers: { ...auth(), "Content-Type": "application/x-www-form-urlencoded" },
    body,
  });
  return { status: res.status, retryAfter: res.headers.get("Retry-After"), body: (await res.json()) as { ok: boolean; message?: string; problems?: { path: string; message: string }[] } };
}
// Shopify's library answers 410 to clients that look like bots (Node's fetch does); the admin is a browser.
const auth = () => ({
  Authorization: `Bearer ${sessionToken({ shop: SIMULATOR_SHOP, apiKey: TEST_API_KEY, secret: TEST_API_SECRET })}`,
  "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36",
});

beforeAll(async () => {
  stack = await startTestStack({
    name: "test-send",
    sendgridKey: "SG.test-send-key",
    env: { AFTERGLOW_FROM_EMAIL: "hello@juniperandpine.example", TEST_SENDS_PER_HOUR: "2", LOG_LEVEL: "error" },
  });
  owner = stack.store.shop.email;
  contact = stack.store.shop.contactEmail;
  // As an OAuth install records them: the library checks a session's scopes against SCOPES.
  await stack.prisma.session.update({ where: { id: `offline_${SIMULATOR_SHOP}` }, data: { scope: APP_SCOPES } });
  flowId = (await stack.prisma.flow.findFirstOrThrow({ where: { shop: SIMULATOR_SHOP } })).id;
  app = await startApp({ env: { ...stack.env, SCOPES: APP_SCOPES } });
});
afterAll(async () => {
  await app?.stop();
  await stack?.stop();
});
beforeEach(async () => {
  stack.sendgrid.clear();
  await stack.prisma.followUp.deleteMany({ where: { isTest: true } });
  await stack.prisma.suppression.deleteMany();
});

describe("test send", () => {
  it("mails no address outside the store's own, not even a confirmation", async () => {
    const stranger = await testSend({ to: "anyone@elsewhere.example" });
    expect(stranger.status).toBe(400);
    expect(stranger.body.problems).toEqual([{ path: "/testSend/to", message: expect.stringContaining(`Test emails go only to ${owner}, ${contact}`) }]);
    expect(stack.sendgrid.requests).toHaveLength(0);
    expect(await stack.prisma.followUp.count({ where: { isTest: true } })).toBe(0);

    const own = await testSend({ to: contact });
    expect(own).toMatchObject({ status: 200, body: { ok: true } });
    expect(stack.sendgrid.messages.map((m) => m.to.map((t) => t.email))).toEqual([[contact]]);
  });

  it("sends no test to a suppressed address and tells the merchant why", async () => {
    await stack.prisma.suppression.create({ data: { shop: SIMULATOR_SHOP, email: owner, scope: "all", reason: "spam_report" } });
    const res = await testSend({ to: owner });
    expect(res.status).toBe(400);
    expect(res.body.problems?.[0].message).toMatch(/is on your suppression list \(spam_report, every email\)/);
    expect(stack.sendgrid.requests).toHaveLength(0);
  });

  it("refuses the test after TEST_SENDS_PER_HOUR in an hour with 429, Retry-After and the time", async () => {
    expect((await testSend({ to: owner })).status).toBe(200);
    expect((await testSend({ to: contact })).status).toBe(200);
    const third = await testSend({ to: owner });
    expect(third.status).toBe(429);
    expect(Number(third.retryAfter)).toBeGreaterThan(3500);
    expect(third.body.message).toMatch(/sent 2 test emails in the last hour.*next one at \d{2}:\d{2} UTC/);
    expect(stack.sendgrid.messages).toHaveLength(2);
  });

  it("answers 400 with the problems for a step that cannot be sent, not 500", async () => {
    const res = await testSend({ to: owner }, (draft) => {
      draft.steps[0].subject = "";
      draft.steps[0].content = { blocks: [{ type: "button", text: "Shop", url: "javascript:alert(1)" }] };
    });
    expect(res.status).toBe(400);
    expect(res.body.problems?.map((p) => p.path)).toEqual(expect.arrayContaining(["/steps/0/subject"]));
    const variant = await testSend({ to: owner, variant: "nope" });
    expect(variant.status).toBe(400);
    const locale = await testSend({ to: owner, locale: "<script>" });
    expect(locale.status).toBe(400);
    expect(stack.sendgrid.requests).toHaveLength(0);
  });
});
