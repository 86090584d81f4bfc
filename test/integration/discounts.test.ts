// Cross-sell discount codes through the store simulator, which checks the mutation against the
// real Admin schema and refuses what Shopify refuses.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AdminApiError, AdminApiThrottle, createAdminClient, type AdminClient } from "~/adapters/shopify-admin/index.server";
import { createFollowUpDiscount, DiscountCreateError, discountCodeFor } from "~/adapters/shopify-admin/discounts.server";
import { fetchPurchasedProducts } from "~/adapters/shopify-admin/purchased-products.server";
import { DISCOUNT_CODE_CREATE_MUTATION } from "~/adapters/shopify-admin/queries";
import type { DiscountCodeCreateMutation, DiscountCodeCreateMutationVariables } from "~/types/admin.generated";
import type { DiscountBuyerSelection } from "~/types/admin.types";
import { discountsOf, startAdminSimulator, type AdminSimulator } from "../../simulator/admin-api";
import { SIMULATOR_ACCESS_TOKEN, SIMULATOR_SHOP, type SeedStore } from "../../simulator/store";

let simulator: AdminSimulator;
let store: SeedStore;
const now = new Date("2026-11-28T12:00:00Z");
const endsAt = new Date("2026-12-12T12:00:00Z");

beforeAll(async () => {
  simulator = await startAdminSimulator();
  store = simulator.stores[0]!;
});
afterAll(() => simulator.close());
beforeEach(() => {
  discountsOf(store).length = 0;
});

function client(): AdminClient {
  return createAdminClient({
    shop: SIMULATOR_SHOP,
    accessToken: SIMULATOR_ACCESS_TOKEN,
    urlTemplate: simulator.url,
    throttle: new AdminApiThrottle(),
    maxRetries: 0,
  });
}

describe("discount codes", () => {
  it("derives a readable, stable code per follow-up", () => {
    expect(discountCodeFor("fu_1")).toBe(discountCodeFor("fu_1"));
    expect(discountCodeFor("fu_1")).not.toBe(discountCodeFor("fu_2"));
    expect(discountCodeFor("fu_1")).toMatch(/^THANKS-[A-HJ-NP-Z2-9]{10}$/);
  });

  it("creates a single-use, once-per-customer percentage code limited to the customer", async () => {
    const customer = store.customers[0]!;
    const created = await createFollowUpDiscount({
      client: client(),
      followUpId: "fu_create",
      orderName: "#1042",
      percentage: 15,
      endsAt,
      customerId: customer.id,
      now,
    });
    expect(created.code).toBe(discountCodeFor("fu_create"));
    expect(created.discountId).toMatch(/^gid:\/\/shopify\/DiscountCodeNode\/\d+$/);
    expect(discountsOf(store)).toEqual([
      expect.objectContaining({
        code: created.code,
        percentage: 0.15,
        usageLimit: 1,
        appliesOncePerCustomer: true,
        customers: [customer.id],
        endsAt: "2026-12-12T12:00:00Z",
      }),
    ]);
    const request = simulator.requests.at(-1)!;
    expect(request.operationName).toBe("DiscountCodeCreate");
    expect(request.status).toBe(200);
  });

  it("offers the code to any buyer when the customer is unknown (guest checkout)", async () => {
    await createFollowUpDiscount({ client: client(), followUpId: "fu_guest", orderName: "#7", percentage: 10, endsAt, customerId: null, now });
    expect(discountsOf(store)[0]!.customers).toBe("ALL");
  });

  it("asking again for the same follow-up finds the code made before and creates no second one", async () => {
    const input = { client: client(), followUpId: "fu_twice", orderName: "#8", percentage: 20, endsAt, customerId: null, now };
    const first = await createFollowUpDiscount(input);
    const again = await createFollowUpDiscount(input);
    expect(again).toEqual({ code: first.code, endsAt, discountId: null });
    expect(discountsOf(store)).toHaveLength(1);
  });

  it("reports what Shopify refuses: a bad percentage, an end before the start, an unknown customer", async () => {
    const base = { client: client(), orderName: "#9", endsAt, customerId: null, now };
    await expect(createFollowUpDiscount({ ...base, followUpId: "fu_bad1", percentage: 150 })).rejects.toThrow(
      /basicCodeDiscount\.customerGets\.value\.percentage: Value must be between 0\.0 and 1\.0/,
    );
    await expect(
      createFollowUpDiscount({ ...base, followUpId: "fu_bad2", percentage: 10, endsAt: new Date(now.getTime() - 1000) }),
    ).rejects.toThrow(/Ends at needs to be after starts_at/);
    const error = await createFollowUpDiscount({
      ...base,
      followUpId: "fu_bad3",
      percentage: 10,
      customerId: "gid://shopify/Customer/1",
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscountCreateError);
    expect((error as DiscountCreateError).userErrors[0]).toMatchObject({ code: "INVALID", field: ["basicCodeDiscount", "context", "customers", "add"] });
    expect(discountsOf(store)).toHaveLength(0);
  });

  it("refuses a code that already exists, whatever its case", async () => {
    discountsOf(store).push({
      id: "gid://shopify/DiscountCodeNode/1",
      title: "Merchant's own",
      code: "WELCOME10",
      startsAt: "2026-01-01T00:00:00Z",
      endsAt: null,
      usageLimit: null,
      appliesOncePerCustomer: false,
      percentage: 0.1,
      customers: "ALL",
      createdAt: "2026-01-01T00:00:00Z",
    });
    const data = await client().request<DiscountCodeCreateMutation, DiscountCodeCreateMutationVariables>(DISCOUNT_CODE_CREATE_MUTATION, {
      basicCodeDiscount: {
        title: "Copy",
        code: "welcome10",
        startsAt: now.toISOString(),
        context: { all: "ALL" as DiscountBuyerSelection },
        customerGets: { value: { percentage: 0.1 }, items: { all: true } },
      },
    });
    expect(data.discountCodeBasicCreate).toEqual({
      codeDiscountNode: null,
      userErrors: [
        { field: ["basicCodeDiscount", "code"], message: "Code must be unique. Please try a different code.", code: "TAKEN", extraInfo: null },
      ],
    });
    expect(discountsOf(store)).toHaveLength(1);
  });

  it("needs the write_discounts scope", async () => {
    const scopes = [...store.accessScopes];
    store.accessScopes = scopes.filter((s) => s !== "write_discounts");
    try {
      const error = await createFollowUpDiscount({
        client: client(),
        followUpId: "fu_scope",
        orderName: "#11",
        percentage: 10,
        endsAt,
        customerId: null,
        now,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AdminApiError);
      expect((error as Error).message).toMatch(/write_discounts/);
    } finally {
      store.accessScopes = scopes;
    }
  });
});

describe("purchased products", () => {
  it("reads title, page, type, tags and image, skipping deleted products", async () => {
    const [a, b] = store.products.filter((p) => p.onlineStoreUrl);
    const products = await fetchPurchasedProducts({
      client: client(),
      productIds: [a!.id, "gid://shopify/Product/1", b!.id, a!.id],
      storefrontUrl: "https://juniperandpine.example",
    });
    expect(products.map((p) => p.id)).toEqual([a!.id, b!.id]);
    expect(products[0]).toMatchObject({ title: a!.title, url: a!.onlineStoreUrl, productType: a!.productType || null, tags: a!.tags });
  });
});
