// The suppression list page and its CSV export, called as the embedded admin calls them: with an
// App Bridge session token for one shop. Listing, search, paging, adding, removing, exporting,
// what each writes to the audit log, and that one shop never reaches another's entries.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

const ctx = await vi.hoisted(async () =>
  (await import("../helpers/env")).appTestEnv({
    name: "suppressions-admin",
    apiKey: "suppressions-test-key",
    secret: "suppressions-test-secret",
    env: { LOG_LEVEL: "error" },
  }),
);

import { sessionToken as embeddedSessionToken } from "../helpers/embedded";
import prisma from "~/db.server";
import { action, loader, type SuppressionActionData } from "~/routes/app.suppressions";
import { loader as exportLoader } from "~/routes/app.suppressions.export";
import { hashedSuppressionEmail } from "~/services/compliance/hashed-emails.server";
import { listAudit } from "~/services/compliance/audit.server";
import { storeOfflineToken } from "~/services/shop/shops.server";

const SHOP_A = "north-coast.myshopify.com";
const SHOP_B = "other-boutique.myshopify.com";
const APP = "https://afterglow.test/app/suppressions";

beforeAll(async () => {
  for (const shop of [SHOP_A, SHOP_B]) {
    await storeOfflineToken({ prisma, shop, accessToken: `shpat_${randomUUID().replace(/-/g, "")}`, scope: "read_orders" });
  }
});

afterAll(async () => {
  await ctx.cleanup();
});

beforeEach(async () => {
  await prisma.suppression.deleteMany();
  await prisma.auditLog.deleteMany();
});

// An App Bridge session token, as the embedded admin sends it with fetch.
function sessionToken(shop: string, secret = ctx.secret): string {
  return embeddedSessionToken({ shop, apiKey: ctx.apiKey, secret });
}

const auth = (shop: string) => ({ Authorization: `Bearer ${sessionToken(shop)}` });

function list(shop: string, params: Record<string, string> = {}) {
  const query = new URLSearchParams(params).toString();
  return loader({ request: new Request(`${APP}${query ? `?${query}` : ""}`, { headers: auth(shop) }), params: {}, context: {} });
}

async function post(shop: string, fields: Record<string, string>) {
  const res = (await action({
    request: new Request(APP, {
      method: "POST",
      headers: { ...auth(shop), "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields),
    }),
    params: {},
    context: {},
  })) as unknown as Response;
  return { status: res.status, body: (await res.json()) as SuppressionActionData };
}

async function exportCsv(shop: string) {
  return (await exportLoader({ request: new Request(`${APP}/export`, { headers: auth(shop) }), params: {}, context: {} })) as Response;
}

// Rows a minute apart, newest last in the array: the list shows them newest first.
async function seed(shop: string, entries: { email: string; scope?: string; reason: string; source?: string; detail?: string }[]) {
  const start = Date.parse("2026-10-01T09:00:00Z");
  await prisma.suppression.createMany({
    data: entries.map((e, i) => ({ shop, scope: "all", ...e, createdAt: new Date(start + i * 60_000) })),
  });
}

async function auditText(shop: string): Promise<string> {
  return JSON.stringify(await listAudit(prisma, shop, { limit: 500 }));
}

describe("the list", () => {
  it("shows an empty list to a shop with no suppressions", async () => {
    expect(await list(SHOP_A)).toMatchObject({ rows: [], total: 0, nextCursor: null, cursor: null, q: "", problem: null });
  });

  it("shows the shop's entries newest first, in the merchant's words, and nothing of another shop", async () => {
    await seed(SHOP_A, [
      { email: "ada@example.com", scope: "marketing", reason: "unsubscribed", source: "cm0followup1", detail: JSON.stringify({ via: "one-click", category: "marketing" }) },
      { email: "ben@example.com", reason: "hard_bounce", source: "sendgrid:ev-1", detail: "550 5.1.1 user unknown" },
      { email: "cleo@example.com", reason: "spam_report", source: "sendgrid:ev-2" },
      { email: "dan@example.com", reason: "invalid", source: "sendgrid:ev-3" },
      { email: "eve@example.com", reason: "blocked", source: "sendgrid:ev-4" },
      { email: "finn@example.com", reason: "manual", source: "merchant", detail: "Asked by phone" },
      { email: hashedSuppressionEmail("gone@example.com"), reason: "hard_bounce", source: "sendgrid:ev-5" },
    ]);
    await seed(SHOP_B, [{ email: "zoe@example.com", reason: "manual", source: "merchant" }]);

    const page = await list(SHOP_A);
    expect(page.total).toBe(7);
    expect(page.rows.map((r) => [r.email, r.reasonLabel, r.scopeLabel, r.source, r.note])).toEqual([
      [null, "Hard bounce", "All emails", "SendGrid", null],
      ["finn@example.com", "Added by you", "All emails", "You, on this page", "Asked by phone"],
      ["eve@example.com", "Repeatedly blocked", "All emails", "SendGrid", null],
      ["dan@example.com", "Invalid address", "All emails", "SendGrid", null],
      ["cleo@example.com", "Marked as spam", "All emails", "SendGrid", null],
      ["ben@example.com", "Hard bounce", "All emails", "SendGrid", "550 5.1.1 user unknown"],
      ["ada@example.com", "Unsubscribed", "Marketing only", "Unsubscribe button in the customer's inbox", null],
    ]);
    expect(page.rows[6].createdAt).toBe("2026-10-01T09:00:00.000Z");
    expect(JSON.stringify(page)).not.toContain("zoe@example.com");
    expect((await list(SHOP_B)).rows.map((r) => r.email)).toEqual(["zoe@example.com"]);
  });

  it("searches by part of the address, ignoring case, within the shop only", async () => {
    await seed(SHOP_A, [
      { email: "ada@example.com", reason: "hard_bounce" },
      { email: "adam@shop.example", reason: "manual" },
      { email: "ben@example.com", reason: "hard_bounce" },
    ]);
    await seed(SHOP_B, [{ email: "ada@other.example", reason: "manual" }]);
    const found = await list(SHOP_A, { q: "  ADA " });
    expect(found.q).toBe("ADA");
    expect(found.rows.map((r) => r.email)).toEqual(["adam@shop.example", "ada@example.com"]);
    expect(found.total).toBe(3);
    expect((await list(SHOP_A, { q: "nobody" })).rows).toEqual([]);
    expect((await list(SHOP_A, { q: "other.example" })).rows).toEqual([]);
  });

  it("pages with the cursor from the URL, keeping the search, and starts over on a cursor it did not give out", async () => {
    await seed(
      SHOP_A,
      Array.from({ length: 120 }, (_, i) => ({ email: `${i % 2 ? "odd" : "even"}${String(i).padStart(3, "0")}@example.com`, reason: "hard_bounce" })),
    );
    const first = await list(SHOP_A);
    expect(first.rows).toHaveLength(50);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await list(SHOP_A, { cursor: first.nextCursor! });
    expect(second.cursor).toBe(first.nextCursor);
    const third = await list(SHOP_A, { cursor: second.nextCursor! });
    expect(third.rows).toHaveLength(20);
    expect(third.nextCursor).toBeNull();
    const all = [...first.rows, ...second.rows, ...third.rows].map((r) => r.email);
    expect(new Set(all).size).toBe(120);
    expect(all[0]).toBe("odd119@example.com");

    const odd1 = await list(SHOP_A, { q: "odd" });
    const odd2 = await list(SHOP_A, { q: "odd", cursor: odd1.nextCursor! });
    expect(odd1.rows).toHaveLength(50);
    expect(odd2.rows).toHaveLength(10);
    expect(odd2.rows.every((r) => r.email!.startsWith("odd"))).toBe(true);

    const bad = await list(SHOP_A, { cursor: "not-a-cursor" });
    expect(bad.problem).toMatch(/start again from the first page/);
    expect(bad.cursor).toBeNull();
    expect(bad.rows.map((r) => r.email)).toEqual(first.rows.map((r) => r.email));
  });

  it("answers 401 to a session token not signed with the app's secret", async () => {
    const forged = new Request(APP, { headers: { Authorization: `Bearer ${sessionToken(SHOP_A, "someone-elses-secret")}` } });
    const thrown = await loader({ request: forged, params: {}, context: {} }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(thrown).toBeInstanceOf(Response);
    expect((thrown as Response).status).toBe(401);
  });
});

describe("adding an address", () => {
  it("adds it lower-cased with the scope and note, and logs the staff change by id only", async () => {
    const { status, body } = await post(SHOP_A, { intent: "add", email: "  Ada.Kowalska@Example.COM ", scope: "marketing", note: "Asked at the till" });
    expect(status).toBe(200);
    expect(body).toMatchObject({ intent: "add", ok: true, created: true, id: expect.any(String) });
    const row = await prisma.suppression.findUniqueOrThrow({ where: { id: body.id } });
    expect(row).toMatchObject({ shop: SHOP_A, email: "ada.kowalska@example.com", scope: "marketing", reason: "manual", source: "merchant", detail: "Asked at the till" });

    const [entry] = await listAudit(prisma, SHOP_A);
    expect(entry).toMatchObject({ actor: "staff", action: "suppression.added", detail: { suppressionId: row.id, scope: "marketing", reason: "manual" } });
    expect(await auditText(SHOP_A)).not.toMatch(/ada|kowalska|@example/i);
    expect(await prisma.suppression.count({ where: { shop: SHOP_B } })).toBe(0);
  });

  it("refuses an address that is not one, with the error for the field, and stores nothing", async () => {
    for (const email of ["", "   ", "ada", "ada@", "@example.com", "ada@example", "ada example@example.com", "<ada@example.com>", `${"a".repeat(250)}@example.com`]) {
      const { status, body } = await post(SHOP_A, { intent: "add", email, scope: "all" });
      expect(status, email).toBe(400);
      expect(body, email).toMatchObject({ intent: "add", ok: false, errors: { email: expect.any(String) } });
    }
    const badScope = await post(SHOP_A, { intent: "add", email: "ada@example.com", scope: "transactional" });
    expect(badScope.status).toBe(400);
    expect(badScope.body.errors).toEqual({ scope: expect.any(String) });
    const longNote = await post(SHOP_A, { intent: "add", email: "ada@example.com", scope: "all", note: "x".repeat(501) });
    expect(longNote.status).toBe(400);
    expect(longNote.body.errors).toEqual({ note: expect.any(String) });

    expect(await prisma.suppression.count()).toBe(0);
    expect(await prisma.auditLog.count()).toBe(0);
  });

  it("adds nothing the second time, whatever the case, and keeps the first reason", async () => {
    await seed(SHOP_A, [{ email: "ben@example.com", reason: "hard_bounce", source: "sendgrid:ev-1" }]);
    const again = await post(SHOP_A, { intent: "add", email: "BEN@example.com", scope: "all" });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ ok: true, created: false, message: expect.stringContaining("hard bounce") });
    expect(await prisma.suppression.findMany({ where: { email: "ben@example.com" } })).toEqual([
      expect.objectContaining({ reason: "hard_bounce", source: "sendgrid:ev-1" }),
    ]);

    const first = await post(SHOP_A, { intent: "add", email: "cleo@example.com", scope: "all" });
    const second = await post(SHOP_A, { intent: "add", email: "cleo@example.com", scope: "all" });
    expect(second.body).toMatchObject({ created: false, id: first.body.id });
    expect(await prisma.suppression.count({ where: { email: "cleo@example.com" } })).toBe(1);
    expect((await listAudit(prisma, SHOP_A)).map((e) => e.action)).toEqual(["suppression.added"]);
  });

  it("does not add a plain copy of an erased customer's address", async () => {
    await seed(SHOP_A, [{ email: hashedSuppressionEmail("gone@example.com"), reason: "hard_bounce" }]);
    const { body } = await post(SHOP_A, { intent: "add", email: "gone@example.com", scope: "all" });
    expect(body).toMatchObject({ ok: true, created: false });
    expect(await prisma.suppression.count({ where: { email: "gone@example.com" } })).toBe(0);
  });

  it("keeps each shop's list apart: the same address in shop B is a row of its own", async () => {
    await post(SHOP_A, { intent: "add", email: "ada@example.com", scope: "all" });
    const b = await post(SHOP_B, { intent: "add", email: "ada@example.com", scope: "all" });
    expect(b.body.created).toBe(true);
    expect(await prisma.suppression.groupBy({ by: ["shop"], _count: true, orderBy: { shop: "asc" } })).toEqual([
      { shop: SHOP_A, _count: 1 },
      { shop: SHOP_B, _count: 1 },
    ]);
  });
});

describe("removing an address", () => {
  it("removes the entry by id and logs it by id", async () => {
    const added = await post(SHOP_A, { intent: "add", email: "ada@example.com", scope: "all" });
    const removed = await post(SHOP_A, { intent: "remove", id: added.body.id! });
    expect(removed).toMatchObject({ status: 200, body: { intent: "remove", ok: true, id: added.body.id } });
    expect(await prisma.suppression.count()).toBe(0);
    expect((await list(SHOP_A)).rows).toEqual([]);

    const [entry] = await listAudit(prisma, SHOP_A);
    expect(entry).toMatchObject({ actor: "staff", action: "suppression.removed", detail: { suppressionId: added.body.id, scope: "all", reason: "manual" } });
    expect(await auditText(SHOP_A)).not.toContain("ada@example.com");

    const twice = await post(SHOP_A, { intent: "remove", id: added.body.id! });
    expect(twice.status).toBe(404);
    expect(await prisma.auditLog.count()).toBe(2);
  });

  it("never removes another shop's entry, even given its id", async () => {
    await seed(SHOP_B, [{ email: "zoe@example.com", reason: "spam_report", source: "sendgrid:ev-9" }]);
    const zoe = await prisma.suppression.findFirstOrThrow({ where: { shop: SHOP_B } });
    const before = await prisma.suppression.findMany({ orderBy: { id: "asc" } });

    const tried = await post(SHOP_A, { intent: "remove", id: zoe.id });
    expect(tried.status).toBe(404);
    expect(tried.body).toMatchObject({ ok: false, errors: { form: expect.any(String) } });
    expect(await prisma.suppression.findMany({ orderBy: { id: "asc" } })).toEqual(before);
    expect(await prisma.auditLog.count()).toBe(0);

    // Its own shop still can.
    expect((await post(SHOP_B, { intent: "remove", id: zoe.id })).status).toBe(200);
    expect(await prisma.suppression.count()).toBe(0);
  });

  it("answers 400 to a request that is neither add nor remove", async () => {
    const { status, body } = await post(SHOP_A, { intent: "drop-table" });
    expect(status).toBe(400);
    expect(body).toMatchObject({ intent: null, ok: false, errors: { form: expect.any(String) } });
  });
});

describe("the CSV export", () => {
  it("gives the shop its own list as an uncached CSV file, and logs the export without addresses", async () => {
    await seed(SHOP_A, [
      { email: "ada@example.com", scope: "marketing", reason: "unsubscribed", source: "cm0followup1" },
      { email: "ben@example.com", reason: "manual", source: "merchant", detail: "=HYPERLINK(\"http://evil.example\")" },
    ]);
    await seed(SHOP_B, [{ email: "zoe@example.com", reason: "hard_bounce" }]);

    const res = await exportCsv(SHOP_A);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("Content-Disposition")).toMatch(/^attachment; filename="afterglow-suppressions-north-coast-\d{4}-\d\d-\d\d\.csv"$/);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const lines = (await res.text()).replace(/^\uFEFF/, "").trimEnd().split("\r\n");
    expect(lines).toEqual([
      "email,scope,reason,source,detail,created_at",
      `ben@example.com,all,manual,merchant,"'=HYPERLINK(""http://evil.example"")",2026-10-01T09:01:00.000Z`,
      "ada@example.com,marketing,unsubscribed,cm0followup1,,2026-10-01T09:00:00.000Z",
    ]);

    const [entry] = await listAudit(prisma, SHOP_A);
    expect(entry).toMatchObject({ actor: "staff", action: "suppressions.exported", detail: { rows: 2 } });
    expect(await auditText(SHOP_A)).not.toContain("@example.com");
  });

  it("gives shop B none of shop A's entries: an empty list is just the header", async () => {
    await seed(SHOP_A, [{ email: "ada@example.com", reason: "manual" }]);
    const b = await (await exportCsv(SHOP_B)).text();
    expect(b.replace(/^\uFEFF/, "")).toBe("email,scope,reason,source,detail,created_at\r\n");
    expect(b).not.toContain("ada@example.com");
    expect(await listAudit(prisma, SHOP_A)).toEqual([]);
  });
});
