// The install a merchant makes from the App Store: the first load of the embedded app carries only
// App Bridge's session token; the app exchanges it for the shop's token at the store simulator,
// reads the shop's profile and keeps it current through shop/update.
import { createHmac, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runCli, TEST_API_KEY, TEST_API_SECRET, type RunningApp } from "../../scripts/harness";
import { SIMULATOR_SHOP } from "../../simulator/store";
import { orderCreatedPayload } from "../../simulator/orders";
import { sendWebhook } from "../../simulator/webhooks";
import { sessionToken } from "../helpers/embedded";
import { sendFirstStepAtOnce, startAppStack, type AppStack } from "../helpers/stack";

vi.setConfig({ testTimeout: 120_000 });

// The Shopify library answers 410 to requests that look like a bot's; the admin's iframe is a browser.
const BROWSER = { "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36" };

let stack: AppStack;
let app: RunningApp;

async function cli(...args: string[]) {
  const r = await runCli(args, stack.env);
  if (r.status !== 0) throw new Error(`afterglow ${args.join(" ")} failed:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

// A session token as App Bridge makes it, with claims changed or another secret for the refusals.
function token({ secret = TEST_API_SECRET, expired = false } = {}): string {
  const good = sessionToken({ shop: SIMULATOR_SHOP, apiKey: TEST_API_KEY, secret });
  if (!expired) return good;
  const [head, body] = good.split(".");
  const claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as Record<string, number>;
  const now = Math.floor(Date.now() / 1000);
  const late = Buffer.from(JSON.stringify({ ...claims, exp: now - 60, nbf: now - 120, iat: now - 120 })).toString("base64url");
  return `${head}.${late}.${createHmac("sha256", secret).update(`${head}.${late}`).digest("base64url")}`;
}

function exchange(body: Record<string, unknown>) {
  return fetch(stack.admin.accessTokenUrl.replace("{shop}", SIMULATOR_SHOP), {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({
      client_id: TEST_API_KEY,
      client_secret: TEST_API_SECRET,
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      subject_token: token(),
      subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
      requested_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
      ...body,
    }),
  });
}

beforeAll(async () => {
  stack = await startAppStack({ name: "install", connect: false, sendgridKey: "SG.install-key", env: { AFTERGLOW_WORKER: "off", SHOP_PROFILE_RETRY_MS: "0" } });
  ({ app } = stack);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe("the store simulator's token endpoint", () => {
  it("refuses a wrong client secret, an expired token and one signed with another secret, as Shopify does", async () => {
    const wrongClient = await exchange({ client_secret: "not-the-secret" });
    expect(wrongClient.status).toBe(401);
    expect(await wrongClient.json()).toMatchObject({ error: "invalid_client" });
    for (const subject of [token({ expired: true }), token({ secret: "another-apps-secret" })]) {
      const refused = await exchange({ subject_token: subject });
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({ error: "invalid_subject_token" });
    }
    expect(stack.admin.tokenExchanges).toHaveLength(0);
  });
});

describe("install from the embedded admin", () => {
  it("a session token on a fresh shop's first load installs it: profile stored, and the footer address in the next email", async () => {
    const { prisma, store, sendgrid } = stack;
    expect(await prisma.session.count()).toBe(0);
    expect(await prisma.shop.count()).toBe(0);

    // A session token from another app's secret is refused before anything is stored.
    const forged = await fetch(`${app.url}/app?shop=${SIMULATOR_SHOP}&embedded=1`, { headers: { ...BROWSER, Authorization: `Bearer ${token({ secret: "another-apps-secret" })}` } });
    expect(forged.status).toBe(401);
    expect(await prisma.shop.count()).toBe(0);

    // As App Bridge loads the app's data: the session token as a bearer token and as id_token.
    const load = () => {
      const idToken = token();
      return fetch(`${app.url}/app?shop=${SIMULATOR_SHOP}&embedded=1&id_token=${idToken}&_data=routes%2Fapp`, {
        headers: { ...BROWSER, Authorization: `Bearer ${idToken}` },
      });
    };
    // Shopify's Admin API is down for the profile read (two tries after the exchange, two more as the
    // page loads): the install still succeeds.
    stack.admin.failNext(4, 503);
    expect((await load()).status).toBe(200);
    expect(stack.admin.tokenExchanges).toEqual([expect.objectContaining({ shop: SIMULATOR_SHOP, requestedTokenType: "urn:shopify:params:oauth:token-type:offline-access-token" })]);
    expect(stack.admin.requests.filter((r) => r.status === 503)).toHaveLength(4);
    expect(await prisma.shop.findUniqueOrThrow({ where: { domain: SIMULATOR_SHOP } })).toMatchObject({ sendingEnabled: true, name: null, profileFetchedAt: null });
    expect(await prisma.flow.count({ where: { shop: SIMULATOR_SHOP } })).toBeGreaterThan(0);
    // The default flow waits, off, until the merchant has seen its email.
    expect(await prisma.flow.count({ where: { shop: SIMULATOR_SHOP, active: true } })).toBe(0);

    // The next load reads it; the token from the install is kept, so no second exchange.
    expect((await load()).status).toBe(200);
    expect(stack.admin.tokenExchanges).toHaveLength(1);

    const session = await prisma.session.findUniqueOrThrow({ where: { id: `offline_${SIMULATOR_SHOP}` } });
    expect(session.accessToken).toMatch(/^v1:/); // stored encrypted
    const shop = await prisma.shop.findUniqueOrThrow({ where: { domain: SIMULATOR_SHOP } });
    expect(shop).toMatchObject({
      name: "Juniper & Pine",
      email: "hello@juniperandpine.example",
      ownerEmail: "owner@juniperandpine.example",
      ianaTimezone: "Europe/Warsaw",
      currencyCode: "USD",
      primaryLocale: "pl",
      publishedLocales: JSON.stringify(["pl", "en"]), // German is not published
      storefrontUrl: store.shop.primaryDomain.url,
      address: "ul. Złota 44, lok. 7, 00-120 Warszawa, Poland",
      sendingEnabled: true,
    });
    expect(shop.profileFetchedAt).toBeInstanceOf(Date);
    expect(stack.admin.requests.some((r) => r.operationName === "ShopProfile" && r.status === 200)).toBe(true);

    // The next email: the default flow's first step, sent at once.
    // The install leaves the default flow off; the merchant turns it on.
    await sendFirstStepAtOnce(stack.env);
    const customer = store.customers.find((c) => c.defaultEmailAddress?.emailAddress)!;
    const product = store.products.find((p) => p.status === "ACTIVE" && p.onlineStoreUrl)!;
    const order = orderCreatedPayload({ store, customerId: customer.id, lines: [{ productId: product.id, quantity: 1 }] });
    const posted = await sendWebhook(`${app.url}/webhooks/orders/create`, { topic: "orders/create", shop: SIMULATOR_SHOP, payload: order, secret: TEST_API_SECRET, webhookId: randomUUID() });
    expect(posted.status).toBe(200);
    expect(await cli("dispatch", "--once")).toMatch(/1 sent/);
    expect(sendgrid.messages).toHaveLength(1);
    const mail = sendgrid.messages[0];
    expect(mail.from.name).toBe("Juniper & Pine");
    for (const part of ["ul. Złota 44", "00-120 Warszawa", "Poland"]) {
      expect(mail.text).toContain(part);
      expect(mail.html).toContain(part);
    }
  });

  it("shop/update changes the stored name, time zone and address, and refuses another shop's body", async () => {
    const { prisma } = stack;
    const body = {
      id: 71234567890,
      name: "Juniper & Pine Studio",
      email: "owner@juniperandpine.example",
      customer_email: "care@juniperandpine.example",
      myshopify_domain: SIMULATOR_SHOP,
      iana_timezone: "America/New_York",
      currency: "USD",
      address1: "12 Orchard Street",
      address2: null,
      city: "New York",
      zip: "10002",
      province: "New York",
      country_name: "United States",
      primary_locale: "en",
    };
    const post = (payload: unknown) =>
      sendWebhook(`${app.url}/webhooks/shop/update`, { topic: "shop/update", shop: SIMULATOR_SHOP, payload, secret: TEST_API_SECRET, webhookId: randomUUID() });

    const before = await prisma.shop.findUniqueOrThrow({ where: { domain: SIMULATOR_SHOP } });
    expect((await post({ ...body, myshopify_domain: "someone-else.myshopify.com" })).status).toBe(400);
    expect((await post({ ...body, iana_timezone: "Mars/Olympus" })).status).toBe(400);
    expect(await prisma.shop.findUniqueOrThrow({ where: { domain: SIMULATOR_SHOP } })).toEqual(before);

    expect((await post(body)).status).toBe(200);
    expect(await prisma.shop.findUniqueOrThrow({ where: { domain: SIMULATOR_SHOP } })).toMatchObject({
      name: "Juniper & Pine Studio",
      email: "care@juniperandpine.example",
      ownerEmail: "owner@juniperandpine.example",
      ianaTimezone: "America/New_York",
      primaryLocale: "en",
      address: "12 Orchard Street, 10002 New York, New York, United States",
    });
  });
});
