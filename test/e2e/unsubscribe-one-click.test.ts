// A mailbox provider's one-click unsubscribe (RFC 8058) against the built server: the POST comes
// from the provider's own origin (or "null", or none), and must be answered 2xx without a
// redirect, with the suppression in place afterwards.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, TEST_API_SECRET, type RunningApp } from "../../scripts/harness";
import { SIMULATOR_SHOP } from "../../simulator/store";
import { createUnsubscribeToken, type EmailCategory } from "~/domain/unsubscribe";
import { startTestStack, type TestStack } from "../helpers/stack";

let stack: TestStack;
let app: RunningApp;

beforeAll(async () => {
  stack = await startTestStack({ name: "unsubscribe-one-click", sendgrid: false, env: { AFTERGLOW_WORKER: "off" } });
  app = await startApp({ env: stack.env });
});

afterAll(async () => {
  await app?.stop();
  await stack?.stop();
});

// A link as an email carries it, signed with the app's secret (no AFTERGLOW_UNSUBSCRIBE_SECRET is set).
function linkFor(email: string, category: EmailCategory = "marketing") {
  const token = createUnsubscribeToken({ shop: SIMULATOR_SHOP, email, followUpId: randomUUID(), category }, { current: TEST_API_SECRET, previous: [] });
  return `${app.url}/unsubscribe/${token}`;
}

const suppressionsOf = (email: string) => stack.prisma.suppression.findMany({ where: { shop: SIMULATOR_SHOP, email } });

const ORIGINS: Record<string, string | undefined> = {
  "a mailbox provider's origin": "https://mail.google.com",
  '"null" (a sandboxed or privacy-preserving client)': "null",
  "no Origin": undefined,
  "the app's own origin": undefined, // filled in once the app runs
};

describe("one-click unsubscribe on the built server", () => {
  for (const [name, preset] of Object.entries(ORIGINS)) {
    for (const body of ["urlencoded", "multipart"] as const) {
      it(`succeeds with ${name}, ${body} body`, async () => {
        const origin = name === "the app's own origin" ? app.url : preset;
        const email = `one-click-${randomUUID()}@example.com`;
        const init: RequestInit =
          body === "urlencoded"
            ? { body: "List-Unsubscribe=One-Click", headers: { "Content-Type": "application/x-www-form-urlencoded" } }
            : { body: (() => { const f = new FormData(); f.set("List-Unsubscribe", "One-Click"); return f; })() };
        const headers = new Headers(init.headers);
        if (origin !== undefined) headers.set("Origin", origin);
        const res = await fetch(linkFor(email), { ...init, method: "POST", headers, redirect: "manual" });
        const text = await res.text();
        expect(res.status, text.slice(0, 300)).toBe(200);
        expect(res.headers.get("location")).toBeNull();
        // A document POST is answered with the page, showing the unsubscribe done.
        expect(text).toContain("won&#x27;t send you emails like this any more");
        const rows = await suppressionsOf(email);
        expect(rows.map((r) => [r.scope, r.reason])).toEqual([["marketing", "unsubscribed"]]);
        expect(JSON.parse(rows[0].detail ?? "{}")).toMatchObject({ via: "one-click" });
      });
    }
  }

  it("a page form post from another origin still acts: the token, not the origin, is the credential", async () => {
    const email = `page-${randomUUID()}@example.com`;
    const res = await fetch(linkFor(email, "service"), {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: "https://elsewhere.example" },
      body: "intent=unsubscribe&scope=all",
      redirect: "manual",
    });
    expect(res.status, (await res.text()).slice(0, 300)).toBe(200);
    expect((await suppressionsOf(email)).map((r) => r.scope)).toEqual(["all"]);
  });

  it("a forged token is still refused whatever the origin", async () => {
    const link = linkFor(`forged-${randomUUID()}@example.com`);
    const res = await fetch(`${link.slice(0, -4)}AAAA`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: "https://mail.google.com" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(res.status).toBe(400);
    expect(await stack.prisma.suppression.count({ where: { shop: SIMULATOR_SHOP, email: { startsWith: "forged-" } } })).toBe(0);
  });
});
