// Batched consent reads against the store simulator (the real Admin schema): how many requests
// reach Shopify, that each customer still gets exactly the answer a request of its own gives,
// and how failures spread (a malformed id fails alone; Shopify down fails them all, once).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAdminSimulator, type AdminSimulator } from "../../simulator/admin-api";
import { createSeedStore, SIMULATOR_ACCESS_TOKEN, SIMULATOR_SHOP, type SeedStore } from "../../simulator/store";
import { createAdminClient, type AdminClient } from "~/adapters/shopify-admin/client.server";
import { fetchCustomerEmailConsent } from "~/adapters/shopify-admin/consent.server";
import { createConsentReader } from "~/services/consent/consent-reader.server";

let admin: AdminSimulator;
let store: SeedStore;
let client: AdminClient;
let ids: string[];

beforeAll(async () => {
  store = createSeedStore();
  admin = await startAdminSimulator({ stores: [store] });
  client = createAdminClient({ shop: SIMULATOR_SHOP, accessToken: SIMULATOR_ACCESS_TOKEN, urlTemplate: admin.url, maxRetries: 0, sleep: async () => {} });
  ids = store.customers.map((c) => c.id);
});
afterAll(async () => {
  await admin?.close();
});

const consentRequests = (since: number) =>
  admin.requests
    .slice(since)
    .filter((r) => r.operationName?.startsWith("CustomerEmailConsent"))
    .map((r) => r.operationName);

describe("consent reader", () => {
  it("reads asked for together go out as one request, each answer the same as its own request's", async () => {
    const reader = createConsentReader({ clientFor: () => client });
    const before = admin.requests.length;
    const batched = await Promise.all(ids.map((id) => reader.read(SIMULATOR_SHOP, id)));
    expect(consentRequests(before)).toEqual(["CustomerEmailConsents"]);
    const alone = [];
    for (const id of ids) alone.push(await fetchCustomerEmailConsent(client, id));
    expect(batched).toEqual(alone);
    // Every kind the seed store has: subscribed, unsubscribed, pending, no email address.
    expect(new Set(batched.map((c) => c?.marketingState ?? null))).toEqual(new Set(["SUBSCRIBED", "NOT_SUBSCRIBED", "UNSUBSCRIBED", "PENDING", null]));
  });

  it("a customer Shopify does not have is null, as alone", async () => {
    const reader = createConsentReader({ clientFor: () => client });
    const gone = "gid://shopify/Customer/999999999";
    const [known, unknown] = await Promise.all([reader.read(SIMULATOR_SHOP, ids[0]), reader.read(SIMULATOR_SHOP, gone)]);
    expect(known?.customerId).toBe(ids[0]);
    expect(unknown).toBeNull();
    expect(await fetchCustomerEmailConsent(client, gone)).toBeNull();
  });

  it("a prefetched answer serves the reads announced for it, and only while fresh", async () => {
    let clock = 1_000_000;
    const reader = createConsentReader({ clientFor: () => client, maxAgeMs: 10_000, now: () => clock });
    const before = admin.requests.length;
    // The first customer has two emails in the pass.
    reader.prefetch(SIMULATOR_SHOP, [ids[0], ids[1], ids[2], ids[0]]);
    expect(await reader.read(SIMULATOR_SHOP, ids[0])).toMatchObject({ customerId: ids[0] });
    expect(await reader.read(SIMULATOR_SHOP, ids[1])).toMatchObject({ customerId: ids[1] });
    expect(await reader.read(SIMULATOR_SHOP, ids[0])).toMatchObject({ customerId: ids[0] });
    expect(consentRequests(before)).toEqual(["CustomerEmailConsents"]);
    expect((admin.requests.at(-1)!.variables as { ids: string[] }).ids).toEqual([ids[0], ids[1], ids[2]]);
    // Used up: the next read asks again.
    await reader.read(SIMULATOR_SHOP, ids[0]);
    expect(consentRequests(before)).toEqual(["CustomerEmailConsents", "CustomerEmailConsent"]);
    // Stale: asked again rather than answered from ten seconds ago.
    clock += 10_001;
    await reader.read(SIMULATOR_SHOP, ids[2]);
    expect(consentRequests(before)).toEqual(["CustomerEmailConsents", "CustomerEmailConsent", "CustomerEmailConsent"]);
  });

  it("a malformed id fails alone; the others are answered", async () => {
    const reader = createConsentReader({ clientFor: () => client });
    const results = await Promise.allSettled([reader.read(SIMULATOR_SHOP, ids[0]), reader.read(SIMULATOR_SHOP, "not-a-customer-id"), reader.read(SIMULATOR_SHOP, ids[1])]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/Invalid global id/);
  });

  it("with Shopify down every read fails, after one request", async () => {
    const reader = createConsentReader({ clientFor: () => client });
    const before = admin.requests.length;
    admin.failNext(1, 503);
    const results = await Promise.allSettled(ids.slice(0, 4).map((id) => reader.read(SIMULATOR_SHOP, id)));
    expect(results.every((r) => r.status === "rejected")).toBe(true);
    expect(admin.requests.length - before).toBe(1);
  });

  it("without a client for the shop every read fails with why", async () => {
    const reader = createConsentReader({ clientFor: () => Promise.reject(new Error("no offline session for the shop")) });
    const results = await Promise.allSettled([reader.read(SIMULATOR_SHOP, ids[0]), reader.read(SIMULATOR_SHOP, ids[1])]);
    expect(results.map((r) => (r.status === "rejected" ? String(r.reason) : "answered"))).toEqual([
      "Error: no offline session for the shop",
      "Error: no offline session for the shop",
    ]);
  });
});
