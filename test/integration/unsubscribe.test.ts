// Unsubscribe tokens and headers, and the public page's loader and action against a fresh
// database, with the store simulator standing in for Shopify's consent mutation.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

// The route imports app/db.server.ts, which opens DATABASE_URL when first imported.
const env = await vi.hoisted(async () =>
  (await import("../helpers/env")).appTestEnv({
    name: "unsubscribe",
    apiKey: "afterglow-test-key",
    secret: "afterglow-test-api-secret",
    env: {
      AFTERGLOW_UNSUBSCRIBE_SECRET: "unsubscribe-test-secret",
      AFTERGLOW_UNSUBSCRIBE_SECRET_PREVIOUS: undefined,
      AFTERGLOW_UNSUBSCRIBE_MAILTO: undefined,
    },
  }),
);

import { createHmac } from "node:crypto";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import prisma from "~/db.server";
import {
  createUnsubscribeToken,
  unsubscribeLinks,
  unsubscribeSecrets,
  verifyUnsubscribeToken,
  type UnsubscribeTokenPayload,
} from "~/domain/unsubscribe";
import { pickUnsubscribeLanguage } from "~/i18n/unsubscribe";
import { config, loadConfig } from "~/platform/config.server";
import * as route from "~/routes/unsubscribe.$token";
import type { UnsubscribeActionData, UnsubscribePageData } from "~/routes/unsubscribe.$token";
import { storeOfflineToken } from "~/services/shop/shops.server";
import { retryPendingConsentSyncs } from "~/services/consent/unsubscribe.server";
import { requestConsentWriteBack } from "~/services/consent/consent-write-back.server";
import { startHousekeeping, stopBackgroundWork } from "~/runtime/runtime.server";
import { startAdminSimulator, type AdminSimulator } from "../../simulator/admin-api";
import { createSeedStore, SIMULATOR_ACCESS_TOKEN, SIMULATOR_SHOP, type SeedStore } from "../../simulator/store";

const SECRETS = { current: "unsubscribe-test-secret", previous: [] };
const payload: UnsubscribeTokenPayload = {
  shop: "juniper.myshopify.com",
  email: "Ada.Kowalska@Example.com",
  followUpId: "fu_123",
  category: "marketing",
};

describe("unsubscribe tokens", () => {
  it("round-trips shop, email (lower-cased), follow-up and category, and is URL-safe", () => {
    const token = createUnsubscribeToken(payload, SECRETS);
    expect(token).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(encodeURIComponent(token)).toBe(token);
    expect(verifyUnsubscribeToken(token, SECRETS)).toEqual({ ...payload, email: "ada.kowalska@example.com" });
    const service = createUnsubscribeToken({ ...payload, category: "service" }, SECRETS);
    expect(verifyUnsubscribeToken(service, SECRETS)?.category).toBe("service");
  });

  it("refuses a changed payload, a changed signature, another secret and junk", () => {
    const token = createUnsubscribeToken(payload, SECRETS);
    const [version, body, signature] = token.split(".") as [string, string, string];
    const otherBody = Buffer.from(JSON.stringify(["juniper.myshopify.com", "eve@example.com", "fu_123", "m"])).toString("base64url");
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
    for (const bad of [
      `${version}.${otherBody}.${signature}`,
      `${version}.${flip(body, 5)}.${signature}`,
      `${version}.${body}.${flip(signature, 10)}`,
      `v2.${body}.${signature}`,
      `${version}.${body}`,
      `${token}.extra`,
      "",
      "not-a-token",
      `${version}.${body}.${signature}`.repeat(20),
    ]) {
      expect(verifyUnsubscribeToken(bad, SECRETS), bad.slice(0, 40)).toBeNull();
    }
    expect(verifyUnsubscribeToken(token, { current: "another-secret", previous: [] })).toBeNull();
    expect(verifyUnsubscribeToken(null, SECRETS)).toBeNull();
  });

  it("keeps links signed with a previous secret working after a rotation", () => {
    const old = createUnsubscribeToken(payload, { current: "old-secret", previous: [] });
    const rotated = unsubscribeSecrets(
      loadConfig({
        AFTERGLOW_UNSUBSCRIBE_SECRET: "new-secret",
        AFTERGLOW_UNSUBSCRIBE_SECRET_PREVIOUS: "old-secret, older-secret",
      }).unsubscribe,
    );
    expect(rotated).toEqual({ current: "new-secret", previous: ["old-secret", "older-secret"], legacy: true });
    expect(verifyUnsubscribeToken(old, rotated)?.followUpId).toBe("fu_123");
    expect(verifyUnsubscribeToken(old, { current: "new-secret", previous: [] })).toBeNull();
    // New links are signed with the new secret only.
    const fresh = createUnsubscribeToken(payload, rotated);
    expect(verifyUnsubscribeToken(fresh, { current: "new-secret", previous: [] })).not.toBeNull();
    expect(verifyUnsubscribeToken(fresh, { current: "old-secret", previous: [] })).toBeNull();
  });

  it("signs with a key of its own, so no webhook HMAC made with the same secret is ever a valid unsubscribe signature", () => {
    const secrets = unsubscribeSecrets(loadConfig({ SHOPIFY_API_SECRET: "shared-app-secret", AFTERGLOW_UNSUBSCRIBE_LEGACY_SIGNATURES: "refuse" }).unsubscribe);
    const token = createUnsubscribeToken(payload, secrets);
    const [, body, signature] = token.split(".") as [string, string, string];
    // What Shopify's webhook HMAC (app/webhooks/signature.server.ts) gives for the same bytes.
    const signed = `afterglow-unsubscribe.v1.${body}`;
    const webhookMac = createHmac("sha256", "shared-app-secret").update(signed).digest();
    expect(Buffer.from(signature, "base64url").equals(webhookMac)).toBe(false);
    // Such a MAC as a link's signature is refused once legacy signatures are.
    expect(verifyUnsubscribeToken(`v1.${body}.${webhookMac.toString("base64url")}`, secrets)).toBeNull();
    expect(verifyUnsubscribeToken(token, secrets)?.followUpId).toBe("fu_123");
  });

  it("keeps links signed before the derived key working (with the current or a previous secret) until legacy signatures are refused", () => {
    const legacyLink = (secret: string) => {
      const body = Buffer.from(JSON.stringify(["juniper.myshopify.com", "ada.kowalska@example.com", "fu_123", "m"])).toString("base64url");
      return `v1.${body}.${createHmac("sha256", secret).update(`afterglow-unsubscribe.v1.${body}`).digest("base64url")}`;
    };
    const accepting = unsubscribeSecrets(loadConfig({ AFTERGLOW_UNSUBSCRIBE_SECRET: "new-secret", AFTERGLOW_UNSUBSCRIBE_SECRET_PREVIOUS: "old-secret" }).unsubscribe);
    expect(verifyUnsubscribeToken(legacyLink("new-secret"), accepting)?.email).toBe("ada.kowalska@example.com");
    expect(verifyUnsubscribeToken(legacyLink("old-secret"), accepting)?.email).toBe("ada.kowalska@example.com");
    expect(verifyUnsubscribeToken(legacyLink("guessed"), accepting)).toBeNull();
    const refusing = unsubscribeSecrets(
      loadConfig({ AFTERGLOW_UNSUBSCRIBE_SECRET: "new-secret", AFTERGLOW_UNSUBSCRIBE_SECRET_PREVIOUS: "old-secret", AFTERGLOW_UNSUBSCRIBE_LEGACY_SIGNATURES: "refuse" }).unsubscribe,
    );
    expect(verifyUnsubscribeToken(legacyLink("new-secret"), refusing)).toBeNull();
    expect(verifyUnsubscribeToken(legacyLink("old-secret"), refusing)).toBeNull();
    // Links signed now work either way, and with a previous secret's derived key too.
    expect(verifyUnsubscribeToken(createUnsubscribeToken(payload, refusing), refusing)).not.toBeNull();
    expect(verifyUnsubscribeToken(createUnsubscribeToken(payload, { current: "old-secret", previous: [] }), refusing)).not.toBeNull();
  });

  it("signs with SHOPIFY_API_SECRET when no unsubscribe secret is set, and refuses to sign with none", () => {
    expect(unsubscribeSecrets(loadConfig({ SHOPIFY_API_SECRET: "shopify-secret" }).unsubscribe)).toEqual({ current: "shopify-secret", previous: [], legacy: true });
    expect(() => unsubscribeSecrets(loadConfig({}).unsubscribe)).toThrow(/AFTERGLOW_UNSUBSCRIBE_SECRET/);
  });
});

describe("List-Unsubscribe headers", () => {
  const input = { appUrl: "https://afterglow.example.com/", ...payload, secrets: SECRETS };

  it("offers the one-click https URL first and the mailto with the token in its subject (RFC 2369, RFC 8058)", () => {
    const links = unsubscribeLinks({ ...input, mailto: "unsubscribe@afterglow.example.com", lang: "pl-PL" });
    const token = createUnsubscribeToken(payload, SECRETS);
    expect(links.oneClickUrl).toBe(`https://afterglow.example.com/unsubscribe/${token}`);
    expect(links.pageUrl).toBe(`${links.oneClickUrl}?lang=pl`);
    expect(links.headers).toEqual({
      "List-Unsubscribe": `<${links.oneClickUrl}>, <mailto:unsubscribe@afterglow.example.com?subject=unsubscribe%20${token}>`,
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    });
    expect(links.headers["List-Unsubscribe"]).toMatch(/^<https:\/\/[^<>\s]+>(, <mailto:[^<>\s]+>)?$/);
  });

  it("leaves the mailto out when none is configured", () => {
    const links = unsubscribeLinks(input);
    expect(links.headers["List-Unsubscribe"]).toBe(`<${links.oneClickUrl}>`);
    expect(links.pageUrl).toBe(links.oneClickUrl);
    expect(unsubscribeLinks({ ...input, mailto: loadConfig({}).unsubscribe.mailto }).headers["List-Unsubscribe"]).toBe(`<${links.oneClickUrl}>`);
    const configured = loadConfig({ AFTERGLOW_UNSUBSCRIBE_MAILTO: "mailto:leave@afterglow.example.com" }).unsubscribe.mailto;
    expect(unsubscribeLinks({ ...input, mailto: configured }).headers["List-Unsubscribe"]).toContain("<mailto:leave@afterglow.example.com?subject=");
    expect(unsubscribeLinks({ ...input, mailto: null }).headers["List-Unsubscribe"]).not.toContain("mailto:");
    expect(() => unsubscribeLinks({ ...input, mailto: "a@b.com>, <https://evil.example" })).toThrow(/plain email address/);
  });
});

describe("page language", () => {
  it("takes ?lang= first, then Accept-Language by quality, then English", () => {
    expect(pickUnsubscribeLanguage("de", "pl")).toBe("de");
    expect(pickUnsubscribeLanguage(null, "pl-PL,pl;q=0.9,en;q=0.8")).toBe("pl");
    expect(pickUnsubscribeLanguage("xx", "it;q=1, fr-CA;q=0.7, es;q=0.8")).toBe("es");
    expect(pickUnsubscribeLanguage("<script>", "it, ja")).toBe("en");
    expect(pickUnsubscribeLanguage(undefined, undefined)).toBe("en");
  });
});

describe("the unsubscribe route", () => {
  let admin: AdminSimulator;
  let store: SeedStore;
  const ADA = () => store.customers[0]!;
  const BEN = () => store.customers[1]!;

  beforeAll(async () => {
    store = createSeedStore();
    admin = await startAdminSimulator({ stores: [store] });
    process.env.SHOPIFY_ADMIN_API_URL = admin.url;
    await prisma.shop.create({ data: { domain: SIMULATOR_SHOP, name: "Juniper & Pine" } });
    await storeOfflineToken({ prisma, shop: SIMULATOR_SHOP, accessToken: SIMULATOR_ACCESS_TOKEN });
  });

  afterAll(async () => {
    await admin?.close();
    await env.cleanup();
  });

  beforeEach(async () => {
    await prisma.suppression.deleteMany();
    await prisma.auditLog.deleteMany();
    await prisma.customerConsent.deleteMany();
    await prisma.consentWriteBack.deleteMany();
    for (const customer of store.customers) {
      const address = customer.defaultEmailAddress;
      if (!address) continue;
      address.marketingState = customer === BEN() ? "NOT_SUBSCRIBED" : "SUBSCRIBED";
      address.marketingOptInLevel = customer === BEN() ? null : "SINGLE_OPT_IN";
      address.marketingUpdatedAt = customer === BEN() ? null : "2024-06-01T10:00:00Z";
    }
  });

  const consentWrites = () => admin.requests.filter((r) => r.operationName === "CustomerEmailConsentUpdate");

  let seq = 0;
  async function followUpFor(customer: { id: string; email: string | null } | null, email = customer?.email ?? "guest@example.com") {
    seq += 1;
    const order = await prisma.order.create({
      data: {
        shop: SIMULATOR_SHOP,
        orderId: `gid://shopify/Order/${seq}`,
        name: `#${1000 + seq}`,
        customerId: customer?.id ?? null,
        email,
        currency: "USD",
        totalPrice: "10.00",
        productIds: "[]",
        orderedAt: new Date(),
      },
    });
    return prisma.followUp.create({
      data: {
        shop: SIMULATOR_SHOP,
        orderRef: order.id,
        orderId: order.orderId,
        flowId: "flow",
        stepId: "step",
        stepKey: "thank-you",
        template: "thank-you",
        recipient: email,
        dueAt: new Date(),
        nextAttemptAt: new Date(),
      },
    });
  }

  function tokenFor(followUp: { id: string; recipient: string }, category: "marketing" | "service" = "marketing") {
    return createUnsubscribeToken({ shop: SIMULATOR_SHOP, email: followUp.recipient, followUpId: followUp.id, category }, unsubscribeSecrets(config().unsubscribe));
  }

  const url = (token: string, query = "") => `https://afterglow.test/unsubscribe/${token}${query}`;

  async function get(token: string, { query = "", language }: { query?: string; language?: string } = {}) {
    const request = new Request(url(token, query), { headers: language ? { "Accept-Language": language } : {} });
    const response = await route.loader({ request, params: { token }, context: {} });
    return { response, data: (await response.json()) as UnsubscribePageData };
  }

  async function post(token: string, body: BodyInit, headers: Record<string, string> = {}) {
    const request = new Request(url(token), { method: "POST", body, headers });
    const response = await route.action({ request, params: { token }, context: {} });
    return { response, data: (await response.json()) as UnsubscribeActionData };
  }

  const oneClick = (token: string) =>
    post(token, "List-Unsubscribe=One-Click", { "Content-Type": "application/x-www-form-urlencoded" });

  const form = (fields: Record<string, string>) => {
    const body = new URLSearchParams(fields).toString();
    return { body, headers: { "Content-Type": "application/x-www-form-urlencoded" } };
  };

  const render = (page: UnsubscribePageData, result?: UnsubscribeActionData) =>
    renderToStaticMarkup(createElement(route.UnsubscribePage, { page, result }));

  it("unsubscribes a one-click POST from marketing at once: 200, no redirect, one suppression, UNSUBSCRIBED in Shopify", async () => {
    const followUp = await followUpFor(ADA());
    const { response, data } = await oneClick(tokenFor(followUp));
    expect(response.status).toBe(200);
    expect(response.headers.get("Location")).toBeNull();
    expect(data).toEqual({ kind: "unsubscribed", scope: "marketing" });
    const rows = await prisma.suppression.findMany();
    expect(rows).toEqual([
      expect.objectContaining({
        shop: SIMULATOR_SHOP,
        email: "ada.kowalska@example.com",
        scope: "marketing",
        reason: "unsubscribed",
        source: followUp.id,
      }),
    ]);
    const audit = await prisma.auditLog.findMany({ orderBy: { at: "asc" } });
    expect(audit.map((a) => [a.actor, a.action])).toEqual([
      ["customer", "email.unsubscribed"],
      ["system", "consent.shopify_unsubscribed"],
    ]);
    expect(JSON.parse(audit[0]!.detail!)).toMatchObject({ scope: "marketing", followUpId: followUp.id, via: "one-click" });
    // Leaving the shop's marketing is written back, so its other tools stop mailing too.
    expect(ADA().defaultEmailAddress!.marketingState).toBe("UNSUBSCRIBED");
    expect(await prisma.customerConsent.findFirst()).toMatchObject({ customerId: ADA().id, marketingState: "UNSUBSCRIBED" });
    expect(JSON.parse((await prisma.suppression.findFirstOrThrow()).detail!)).toMatchObject({
      shopifySync: "done",
      customerId: ADA().id,
      previousState: "SUBSCRIBED",
      previousOptInLevel: "SINGLE_OPT_IN",
    });
    expect(await prisma.consentWriteBack.count()).toBe(0);
  });

  it("writes back the page's choice of this kind of email, and a one-click on a service email", async () => {
    await post(tokenFor(await followUpFor(ADA())), form({ intent: "unsubscribe", scope: "this" }).body, form({}).headers);
    expect(ADA().defaultEmailAddress!.marketingState).toBe("UNSUBSCRIBED");
    const bens = await followUpFor(BEN());
    BEN().defaultEmailAddress!.marketingState = "SUBSCRIBED";
    await oneClick(tokenFor(bens, "service"));
    expect(BEN().defaultEmailAddress!.marketingState).toBe("UNSUBSCRIBED");
  });

  it("is idempotent: the provider's retry, as multipart, changes nothing", async () => {
    const followUp = await followUpFor(ADA());
    const token = tokenFor(followUp);
    const writesBefore = admin.requests.filter((r) => r.operationName === "CustomerEmailConsentUpdate").length;
    await oneClick(token);
    const body = new FormData();
    body.append("List-Unsubscribe", "One-Click");
    const again = await post(token, body);
    expect(again.response.status).toBe(200);
    expect(again.data).toEqual({ kind: "unsubscribed", scope: "marketing" });
    expect(await prisma.suppression.count()).toBe(1);
    expect(await prisma.auditLog.count()).toBe(2);
    expect(admin.requests.filter((r) => r.operationName === "CustomerEmailConsentUpdate" && r.variables?.input)).toHaveLength(writesBefore + 1);
  });

  it("refuses an oversized body with 413 and stores nothing", async () => {
    const followUp = await followUpFor(ADA());
    const body = `List-Unsubscribe=One-Click&pad=${"x".repeat(70 * 1024)}`;
    const request = new Request(url(tokenFor(followUp)), {
      method: "POST",
      body,
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Content-Length": String(body.length) },
    });
    const response = await route.action({ request, params: { token: tokenFor(followUp) }, context: {} });
    expect(response.status).toBe(413);
    expect(await prisma.suppression.count()).toBe(0);
    expect(await prisma.auditLog.count()).toBe(0);
  });

  it("stores nothing for a tampered or unknown token and says the link is not valid", async () => {
    const followUp = await followUpFor(ADA());
    const token = tokenFor(followUp);
    const tampered = token.slice(0, -3) + (token.endsWith("AAA") ? "BBB" : "AAA");
    for (const bad of [tampered, "v1.e30.AAAA", "anything"]) {
      const { response, data } = await oneClick(bad);
      expect(response.status).toBe(400);
      expect(data).toEqual({ kind: "invalid" });
      const page = await get(bad, { language: "de" });
      expect(page.response.status).toBe(400);
      expect(render(page.data)).toContain("Dieser Link ist ungültig");
    }
    const forged = createUnsubscribeToken(
      { shop: SIMULATOR_SHOP, email: "ada.kowalska@example.com", followUpId: followUp.id, category: "marketing" },
      { current: "guessed-secret", previous: [] },
    );
    expect((await post(forged, form({ intent: "unsubscribe", scope: "all" }).body, form({}).headers)).response.status).toBe(400);
    expect(await prisma.suppression.count()).toBe(0);
    expect(await prisma.auditLog.count()).toBe(0);
    expect(ADA().defaultEmailAddress!.marketingState).toBe("SUBSCRIBED");
  });

  it("shows the page in the language asked for, with headers that keep the token private", async () => {
    const token = tokenFor(await followUpFor(ADA()));
    const polish = await get(token, { language: "pl-PL,pl;q=0.9,en;q=0.8" });
    expect(polish.response.status).toBe(200);
    expect(polish.response.headers.get("Cache-Control")).toBe("no-store");
    expect(polish.response.headers.get("Referrer-Policy")).toBe("no-referrer");
    expect(route.headers({} as never)).toMatchObject({ "Referrer-Policy": "no-referrer" });
    expect(polish.data).toMatchObject({ kind: "ready", lang: "pl", shopName: "Juniper & Pine", maskedEmail: "a***@example.com", unsubscribed: null });
    const html = render(polish.data);
    expect(html).toContain('lang="pl"');
    expect(html).toContain("Wypisz mnie z tego rodzaju e-maili");
    expect(html).toContain("Wypisz mnie ze wszystkich e-maili od Juniper &amp; Pine");
    expect(html).not.toContain("ada.kowalska@example.com");

    const german = await get(token, { query: "?lang=de", language: "pl" });
    expect(german.data.lang).toBe("de");
    expect(render(german.data)).toContain("Von dieser Art E-Mail abmelden");
    // Both choices post back to the page itself: no action URL, nothing to redirect to.
    expect(render(german.data)).not.toMatch(/action=|href=/);
  });

  it("escapes what it shows and reflects nothing from the request", async () => {
    const token = tokenFor(await followUpFor(ADA()));
    await prisma.shop.update({ where: { domain: SIMULATOR_SHOP }, data: { name: '<img src=x onerror="alert(1)">' } });
    try {
      const { data } = await get(token, { query: "?lang=%3Cscript%3Ealert(1)%3C/script%3E", language: "<script>" });
      expect(data.lang).toBe("en");
      const html = render(data, { kind: "unsubscribed", scope: "marketing" });
      expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
      expect(html).not.toContain("<img");
      expect(html).not.toContain("<script");
    } finally {
      await prisma.shop.update({ where: { domain: SIMULATOR_SHOP }, data: { name: "Juniper & Pine" } });
    }
  });

  it("unsubscribes from all: suppression, Shopify consent UNSUBSCRIBED, and back again on resubscribe", async () => {
    const followUp = await followUpFor(ADA());
    const token = tokenFor(followUp);
    const { body, headers } = form({ intent: "unsubscribe", scope: "all" });
    const { response, data } = await post(token, body, headers);
    expect(response.status).toBe(200);
    expect(data).toEqual({ kind: "unsubscribed", scope: "all" });
    expect(await prisma.suppression.findMany({ select: { scope: true, reason: true } })).toEqual([{ scope: "all", reason: "unsubscribed" }]);
    expect(ADA().defaultEmailAddress!.marketingState).toBe("UNSUBSCRIBED");
    expect(admin.requests.filter((r) => r.operationName === "CustomerEmailConsentUpdate").at(-1)?.variables).toMatchObject({
      input: { customerId: ADA().id, emailMarketingConsent: { marketingState: "UNSUBSCRIBED" } },
    });
    expect(await prisma.customerConsent.findFirst()).toMatchObject({ customerId: ADA().id, marketingState: "UNSUBSCRIBED" });
    expect((await prisma.auditLog.findMany({ orderBy: { at: "asc" } })).map((a) => a.action)).toEqual([
      "email.unsubscribed",
      "consent.shopify_unsubscribed",
    ]);

    const page = await get(token);
    expect(page.data).toMatchObject({ unsubscribed: "all" });
    const html = render(page.data);
    expect(html).toContain("Done. You&#x27;re unsubscribed from all emails from Juniper &amp; Pine.");
    expect(html).toContain("Resubscribe");

    const again = await post(token, form({ intent: "resubscribe" }).body, form({}).headers);
    expect(again.data).toEqual({ kind: "resubscribed" });
    expect(await prisma.suppression.count()).toBe(0);
    expect(ADA().defaultEmailAddress!.marketingState).toBe("SUBSCRIBED");
    expect((await prisma.auditLog.findMany({ orderBy: { at: "asc" } })).map((a) => a.action).slice(2)).toEqual([
      "email.resubscribed",
      "consent.shopify_resubscribed",
    ]);
  });

  it("does not subscribe in Shopify on resubscribe someone who was never subscribed there", async () => {
    const token = tokenFor(await followUpFor(BEN()));
    await post(token, form({ intent: "unsubscribe", scope: "all" }).body, form({}).headers);
    expect(BEN().defaultEmailAddress!.marketingState).toBe("UNSUBSCRIBED");
    await post(token, form({ intent: "resubscribe" }).body, form({}).headers);
    expect(await prisma.suppression.count()).toBe(0);
    expect(BEN().defaultEmailAddress!.marketingState).toBe("UNSUBSCRIBED");
  });

  it("keeps the suppression when Shopify is down and copies it to Shopify on a later retry", async () => {
    const followUp = await followUpFor(ADA());
    await admin.setDown(true);
    try {
      const { response } = await post(tokenFor(followUp), form({ intent: "unsubscribe", scope: "all" }).body, form({}).headers);
      expect(response.status).toBe(200);
    } finally {
      await admin.setDown(false);
    }
    const row = await prisma.suppression.findFirstOrThrow();
    expect(row).toMatchObject({ scope: "all", reason: "unsubscribed" });
    expect(JSON.parse(row.detail!)).toMatchObject({ shopifySync: "pending", customerId: ADA().id, attempts: 1 });
    expect(await prisma.consentWriteBack.findFirstOrThrow()).toMatchObject({ customerId: ADA().id, marketingState: "UNSUBSCRIBED", attempts: 1 });
    expect(ADA().defaultEmailAddress!.marketingState).toBe("SUBSCRIBED");
    const failed = await prisma.auditLog.findFirstOrThrow({ where: { action: "consent.shopify_sync_failed" } });
    expect(JSON.parse(failed.detail!)).toMatchObject({ customerId: ADA().id, willRetry: true });

    // Not due yet: each row waits for its own backoff.
    expect(await retryPendingConsentSyncs({ prisma })).toMatchObject({ attempted: 0 });
    const later = new Date(Date.now() + 10 * 60_000);
    expect(await retryPendingConsentSyncs({ prisma, now: () => later })).toEqual({ attempted: 1, done: 1, pending: 0, failed: 0 });
    expect(ADA().defaultEmailAddress!.marketingState).toBe("UNSUBSCRIBED");
    // A write that waited carries the time of the click, not of the retry.
    const clicked = await prisma.auditLog.findFirstOrThrow({ where: { action: "email.unsubscribed" } });
    const sentAt = (consentWrites().at(-1)!.variables as { input: { emailMarketingConsent: { consentUpdatedAt?: string } } }).input.emailMarketingConsent.consentUpdatedAt;
    expect(Math.abs(Date.parse(sentAt ?? "") - clicked.at.getTime())).toBeLessThan(1_000);
    expect(JSON.parse((await prisma.suppression.findFirstOrThrow()).detail!)).toMatchObject({ shopifySync: "done" });
    expect(await retryPendingConsentSyncs({ prisma, now: () => later })).toMatchObject({ attempted: 0 });
  });

  it("suppresses a guest's address without a Shopify customer to change", async () => {
    const followUp = await followUpFor(null);
    await post(tokenFor(followUp), form({ intent: "unsubscribe", scope: "all" }).body, form({}).headers);
    const row = await prisma.suppression.findFirstOrThrow();
    expect(row).toMatchObject({ email: "guest@example.com", scope: "all" });
    expect(JSON.parse(row.detail!)).toMatchObject({ shopifySync: "no_customer" });
  });

  it("treats a one-click on a service email as leaving everything, the only scope that stops it", async () => {
    const followUp = await followUpFor(BEN());
    // Leaving marketing earlier does not count as unsubscribed on a service email's page.
    await oneClick(tokenFor(followUp, "marketing"));
    expect((await get(tokenFor(followUp, "service"))).data).toMatchObject({ unsubscribed: null });
    const { data } = await oneClick(tokenFor(followUp, "service"));
    expect(data).toEqual({ kind: "unsubscribed", scope: "all" });
    const page = await get(tokenFor(followUp, "service"));
    const html = render(page.data);
    expect(html).toContain("This email was about your order.");
    expect(html).not.toContain("Unsubscribe from this kind of email");
  });
  const FAST_RETRY = { maxAttempts: 20, baseDelayMs: 40, maxDelayMs: 200 };
  // Short waits through the configuration, for the attempt the click makes as for the retries.
  const fastRetries = () => {
    process.env.CONSENT_WRITE_BACK_BACKOFF_MS = "40";
  };
  afterEach(() => {
    delete process.env.CONSENT_WRITE_BACK_BACKOFF_MS;
  });
  const resubscribeForm = form({ intent: "resubscribe" });

  it("retries a one-click's write-back while Shopify answers 503, and it lands after Shopify recovers", async () => {
    fastRetries();
    const token = tokenFor(await followUpFor(ADA()));
    admin.failFor(3_000);
    const started = Date.now();
    expect((await oneClick(token)).response.status).toBe(200);
    expect(ADA().defaultEmailAddress!.marketingState).toBe("SUBSCRIBED");
    const waiting = await prisma.consentWriteBack.findFirstOrThrow();
    expect(waiting).toMatchObject({ marketingState: "UNSUBSCRIBED", attempts: 1 });
    expect(waiting.lastError).toMatch(/HTTP 503/);
    let passes = 0;
    await vi.waitFor(
      async () => {
        passes += 1;
        await retryPendingConsentSyncs({ prisma, retry: FAST_RETRY });
        expect(ADA().defaultEmailAddress!.marketingState).toBe("UNSUBSCRIBED");
      },
      { timeout: 8_000, interval: 50 },
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(3_000);
    expect(passes).toBeGreaterThan(1);
    expect(await prisma.consentWriteBack.count()).toBe(0);
    expect(JSON.parse((await prisma.suppression.findFirstOrThrow()).detail!)).toMatchObject({ shopifySync: "done", previousState: "SUBSCRIBED" });
    expect(consentWrites().at(-1)!.variables).toMatchObject({ input: { emailMarketingConsent: { marketingState: "UNSUBSCRIBED" } } });
  });

  it("retries a write-back Shopify throttles", async () => {
    fastRetries();
    const token = tokenFor(await followUpFor(ADA()));
    admin.throttleNext(4);
    await oneClick(token);
    expect(await prisma.consentWriteBack.findFirstOrThrow()).toMatchObject({ attempts: 1 });
    expect((await prisma.consentWriteBack.findFirstOrThrow()).lastError).toMatch(/Throttled/);
    await vi.waitFor(
      async () => {
        await retryPendingConsentSyncs({ prisma, retry: FAST_RETRY });
        expect(ADA().defaultEmailAddress!.marketingState).toBe("UNSUBSCRIBED");
      },
      { timeout: 5_000, interval: 50 },
    );
  });

  it("keeps a write-back through a restart: the housekeeping of a process started later writes it", async () => {
    fastRetries();
    const token = tokenFor(await followUpFor(ADA()));
    await admin.setDown(true);
    try {
      await oneClick(token);
    } finally {
      await admin.setDown(false);
    }
    expect(ADA().defaultEmailAddress!.marketingState).toBe("SUBSCRIBED");
    // Only the database carries it over to the next process.
    expect(await prisma.consentWriteBack.count()).toBe(1);
    startHousekeeping(
      prisma,
      loadConfig({ ...process.env, CONSENT_RETRY_INTERVAL_MS: "50", CONSENT_WRITE_BACK_BACKOFF_MS: "1", RECONCILE_START_DELAY_MS: "600000" }),
    );
    try {
      await vi.waitFor(() => expect(ADA().defaultEmailAddress!.marketingState).toBe("UNSUBSCRIBED"), { timeout: 5_000, interval: 50 });
      await vi.waitFor(async () => expect(await prisma.consentWriteBack.count()).toBe(0));
    } finally {
      await stopBackgroundWork();
    }
  });

  it("writes a resubscribe as SUBSCRIBED at the opt-in level the customer had, retrying it while Shopify is down", async () => {
    fastRetries();
    ADA().defaultEmailAddress!.marketingOptInLevel = "CONFIRMED_OPT_IN";
    const token = tokenFor(await followUpFor(ADA()));
    await oneClick(token);
    expect(ADA().defaultEmailAddress!.marketingState).toBe("UNSUBSCRIBED");
    admin.failFor(2_000);
    await post(token, resubscribeForm.body, resubscribeForm.headers);
    expect(await prisma.suppression.count()).toBe(0);
    expect(ADA().defaultEmailAddress!.marketingState).toBe("UNSUBSCRIBED");
    expect(await prisma.consentWriteBack.findFirstOrThrow()).toMatchObject({ marketingState: "SUBSCRIBED", optInLevel: "CONFIRMED_OPT_IN", attempts: 1 });
    await vi.waitFor(
      async () => {
        await retryPendingConsentSyncs({ prisma, retry: FAST_RETRY });
        expect(ADA().defaultEmailAddress!.marketingState).toBe("SUBSCRIBED");
      },
      { timeout: 5_000, interval: 50 },
    );
    expect(ADA().defaultEmailAddress!.marketingOptInLevel).toBe("CONFIRMED_OPT_IN");
    expect(consentWrites().at(-1)!.variables).toMatchObject({
      input: { customerId: ADA().id, emailMarketingConsent: { marketingState: "SUBSCRIBED", marketingOptInLevel: "CONFIRMED_OPT_IN" } },
    });
  });

  it("never lets an older unsubscribe overtake a later resubscribe, nor an older resubscribe a later unsubscribe", async () => {
    const token = tokenFor(await followUpFor(ADA()));
    // An unsubscribe Shopify has not taken yet, then the resubscribe: Shopify must end SUBSCRIBED.
    await admin.setDown(true);
    try {
      await oneClick(token);
      await post(token, resubscribeForm.body, resubscribeForm.headers);
    } finally {
      await admin.setDown(false);
    }
    const writes = consentWrites().length;
    await retryPendingConsentSyncs({ prisma, retry: FAST_RETRY, now: () => new Date(Date.now() + 3_600_000) });
    expect(ADA().defaultEmailAddress!.marketingState).toBe("SUBSCRIBED");
    expect(consentWrites()).toHaveLength(writes);
    expect(await prisma.consentWriteBack.count()).toBe(0);

    // Unsubscribed in Shopify, a resubscribe waiting, then unsubscribed again: UNSUBSCRIBED wins.
    await oneClick(token);
    expect(ADA().defaultEmailAddress!.marketingState).toBe("UNSUBSCRIBED");
    admin.failFor(60_000);
    try {
      await post(token, resubscribeForm.body, resubscribeForm.headers);
      expect(await prisma.consentWriteBack.findFirstOrThrow()).toMatchObject({ marketingState: "SUBSCRIBED" });
      await new Promise((r) => setTimeout(r, 5));
      await oneClick(token);
      const newest = await prisma.consentWriteBack.findFirstOrThrow();
      expect(newest).toMatchObject({ marketingState: "UNSUBSCRIBED" });
      // A wish older than the one waiting (a late request) changes nothing.
      expect(
        await requestConsentWriteBack(prisma, { shop: SIMULATOR_SHOP, customerId: ADA().id, marketingState: "SUBSCRIBED", requestedAt: new Date(newest.requestedAt.getTime() - 1) }),
      ).toBeNull();
      expect(await prisma.consentWriteBack.findFirstOrThrow()).toMatchObject({ id: newest.id, marketingState: "UNSUBSCRIBED" });
    } finally {
      admin.failFor(0);
    }
    // Shopify already says UNSUBSCRIBED: the waiting resubscribe was replaced, never written.
    const before = consentWrites().length;
    await retryPendingConsentSyncs({ prisma, retry: FAST_RETRY, now: () => new Date(Date.now() + 3_600_000) });
    expect(ADA().defaultEmailAddress!.marketingState).toBe("UNSUBSCRIBED");
    expect(consentWrites()).toHaveLength(before);
    expect(await prisma.consentWriteBack.count()).toBe(0);
  });

  it("leaves a change made in Shopify after the click alone", async () => {
    const token = tokenFor(await followUpFor(ADA()));
    await admin.setDown(true);
    try {
      await post(token, form({ intent: "unsubscribe", scope: "all" }).body, form({}).headers);
    } finally {
      await admin.setDown(false);
    }
    // The customer subscribed again at the till after the click; Shopify's newer answer stands.
    ADA().defaultEmailAddress!.marketingUpdatedAt = new Date(Date.now() + 60_000).toISOString();
    const writes = consentWrites().length;
    await retryPendingConsentSyncs({ prisma, retry: FAST_RETRY, now: () => new Date(Date.now() + 3_600_000) });
    expect(consentWrites()).toHaveLength(writes);
    expect(ADA().defaultEmailAddress!.marketingState).toBe("SUBSCRIBED");
    expect(await prisma.consentWriteBack.count()).toBe(0);
  });

  it("gives up on a write-back Shopify refuses, and keeps the suppression", async () => {
    const followUp = await followUpFor({ id: "gid://shopify/Customer/999999", email: "gone@example.com" });
    await oneClick(tokenFor(followUp));
    expect(await prisma.suppression.count()).toBe(1);
    expect(await prisma.consentWriteBack.count()).toBe(0);
    expect(JSON.parse((await prisma.suppression.findFirstOrThrow()).detail!)).toMatchObject({ shopifySync: "failed" });
  });
});
