// The shop the admin benchmark opens: the store simulator's shop, connected as the CLI connects
// it, with five flows and 100,000 follow-ups (BENCH_FOLLOW_UPS) over 120 days in every status
// (scheduled, sent, skipped and cancelled with their reasons, failed with SendGrid's error),
// their orders, timelines, SendGrid events, attributions, suppressions, outbox emails, data
// requests and the analytics rollups. Small parts go through the app's services; the bulk rows
// are inserted as the dispatcher and the event webhook write them (skipFields, the same columns).
import type { PrismaClient } from "@prisma/client";
import { connectShop, storeOfflineToken } from "../app/services/shop/shops.server";
import { importFlows } from "../app/services/flows/flows.server";
import { rollUpAnalytics } from "../app/services/analytics/rollup.server";
import { checkDeliverabilityHealth } from "../app/services/events/deliverability-health.server";
import { receiveCustomersDataRequest } from "../app/services/compliance/data-request.server";
import { receiveCustomersRedact } from "../app/services/compliance/customer-redact.server";
import { reclaimDone } from "../app/services/compliance/reclaim.server";
import { renderFollowUp } from "../app/email/render.server";
import { skipFields, type SkipReason } from "../app/domain/skip-reasons";
import { dayOf } from "../app/domain/analytics";
import { seededRng } from "../app/domain/bandit";
import { defaultFlows, type FlowDefinition } from "../app/domain/flows";
import { SIMULATOR_ACCESS_TOKEN, SIMULATOR_SHOP, type SeedStore } from "../simulator/store";
import { clickAttribution, recordEngagement, Seeder, statementRunner } from "./bulk-insert";

export const SENDER_DOMAIN = "juniperandpine.example";
const DAYS = 120;
const CUSTOMERS = 20_000;
const DATA_REQUESTS = 12;
const REDACTIONS = 2;
const FIRST_NAMES = ["Maya", "Ada", "Jonas", "Zofia", "Luca", "Amira", "Noah", "Hana", "Olek", "Inès"];
const DOMAINS = ["gmail.com", "outlook.com", "yahoo.com", "icloud.com", "juniper-mail.example"];

const customerOf = (n: number) => ({
  customerId: `gid://shopify/Customer/${700_000 + n}`,
  email: `customer${n}@${DOMAINS[n % DOMAINS.length]}`,
  firstName: FIRST_NAMES[n % FIRST_NAMES.length],
});

// Beside the default thank-you: a two-step review request, a service care guide, an A/B-tested
// cross-sell, and a replenishment reminder that is turned off.
const EXTRA_FLOWS: FlowDefinition[] = [
  {
    key: "review",
    name: "Review request",
    trigger: "order_fulfilled",
    active: true,
    steps: [
      { key: "review", delay: { amount: 7, unit: "days" }, template: "review-request", subject: "How is {{ order.name }} treating you?" },
      { key: "reminder", delay: { amount: 7, unit: "days" }, template: "review-request", subject: "A minute for a review, {{ customer.first_name }}?" },
    ],
  },
  {
    key: "care-guide",
    name: "Care guide",
    trigger: "order_delivered",
    active: true,
    steps: [{ key: "care", delay: { amount: 1, unit: "days" }, template: "care-guide", category: "service", subject: "Getting the most from your order" }],
  },
  {
    key: "cross-sell",
    name: "Cross-sell with a code",
    trigger: "order_paid",
    active: true,
    steps: [
      {
        key: "offer",
        delay: { amount: 3, unit: "days" },
        template: "cross-sell",
        subject: "Something to go with {{ order.name }}",
        variants: {
          id: "offer-subject",
          variants: [
            { key: "a", weight: 50 },
            { key: "b", weight: 50, subject: "10% off what goes with it" },
          ],
        },
      },
    ],
  },
  {
    key: "replenishment",
    name: "Time to restock",
    trigger: "order_created",
    active: false,
    steps: [{ key: "restock", delay: { amount: 30, unit: "days" }, template: "replenishment", subject: "Running low?" }],
  },
];

export interface SeededShop {
  shop: string;
  followUps: number;
  orders: number;
  events: number;
  suppressions: number;
  dataRequests: number;
  flowId: string;
  // A sent follow-up, for the message page.
  sentFollowUpId: string;
  seconds: number;
}

export async function seedAdminShop({
  prisma,
  databaseUrl,
  store,
  followUps,
  now = new Date(),
  log = (line: string) => console.log(line),
}: {
  prisma: PrismaClient;
  databaseUrl: string;
  store: SeedStore;
  followUps: number;
  now?: Date;
  log?: (line: string) => void;
}): Promise<SeededShop> {
  const started = Date.now();
  const shop = SIMULATOR_SHOP;
  const timeZone = store.shop.ianaTimezone;
  const currency = store.shop.currencyCode;
  await storeOfflineToken({ prisma, shop, accessToken: SIMULATOR_ACCESS_TOKEN });
  await connectShop({
    prisma,
    shop,
    profile: { name: store.shop.name, email: store.shop.email, ianaTimezone: timeZone, currencyCode: currency, storefrontUrl: store.shop.primaryDomain.url },
  });
  await prisma.shop.update({ where: { domain: shop }, data: { senderName: store.shop.name, senderEmail: `hello@${SENDER_DOMAIN}`, testSentAt: now } });
  await importFlows(prisma, shop, { version: 1, flows: [...defaultFlows(), ...EXTRA_FLOWS] });
  const flows = await prisma.flow.findMany({ where: { shop }, include: { steps: { orderBy: { position: "asc" } } }, orderBy: { createdAt: "asc" } });
  const thankYou = flows.find((f) => f.key === "thank-you")!;
  // Each order gets the thank-you and one step of another flow, in turn.
  const others = flows.filter((f) => f.key !== "thank-you" && f.active).flatMap((flow) => flow.steps.map((step) => ({ flow, step })));
  const products = store.products.filter((p) => p.status === "ACTIVE" && p.onlineStoreUrl);

  const runner = statementRunner(databaseUrl, prisma);
  const seeder = new Seeder(runner.exec, runner.dialect, ["Order", "FollowUp", "FollowUpEvent", "MessageEvent", "Attribution", "Suppression", "OutboxMessage"]);
  const rng = seededRng(7);
  const nowMs = now.getTime();
  const suppressed = new Set<string>();
  let events = 0;
  let attributions = 0;
  let suppressions = 0;
  let sentFollowUpId = "";
  const suppress = async (email: string, reason: string, scope: "all" | "marketing", source: string | null, at: Date) => {
    if (suppressed.has(`${email}|${scope}`)) return;
    suppressed.add(`${email}|${scope}`);
    suppressions += 1;
    await seeder.add("Suppression", { id: `sup${suppressions}`, shop, email, scope, reason, source, detail: null, createdAt: at });
  };

  const orders = Math.ceil(followUps / 2);
  try {
    for (let i = 0; i < orders; i++) {
      const n = Math.floor(rng() * CUSTOMERS);
      const customer = customerOf(n);
      const orderRef = `ord${i}`;
      const orderId = `gid://shopify/Order/${5_000_000 + i}`;
      // Newer orders are the higher numbers, as in Shopify.
      const orderedAt = new Date(nowMs - DAYS * 86_400_000 + Math.floor(((i + rng()) / orders) * DAYS * 86_400_000));
      const lines = [products[i % products.length], products[(i * 7 + 3) % products.length]].slice(0, 1 + (i % 2));
      const cancelled = rng() < 0.02;
      await seeder.add("Order", {
        id: orderRef,
        shop,
        orderId,
        name: `#${1001 + i}`,
        customerId: customer.customerId,
        email: customer.email,
        firstName: customer.firstName,
        locale: "en",
        countryCode: ["US", "PL", "DE", "GB"][i % 4],
        currency,
        totalPrice: (20 + (i % 180)).toFixed(2),
        subtotalPrice: (15 + (i % 180)).toFixed(2),
        shopCurrency: currency,
        totalPriceShop: (20 + (i % 180)).toFixed(2),
        productIds: JSON.stringify(lines.map((p) => p.id)),
        lineItems: JSON.stringify(lines.map((p) => ({ productId: p.id, variantId: p.variants[0].id, title: p.title, vendor: p.vendor ?? null, quantity: 1 }))),
        sourceName: "web",
        financialStatus: "paid",
        paidAt: orderedAt,
        cancelledAt: cancelled ? new Date(orderedAt.getTime() + 3600_000) : null,
        orderedAt,
        createdAt: orderedAt,
        updatedAt: orderedAt,
      });

      for (let k = 0; k < 2 && i * 2 + k < followUps; k++) {
        const { flow, step } = k === 0 ? { flow: thankYou, step: thankYou.steps[0] } : others[i % others.length];
        const id = `fu${i * 2 + k}`;
        const delayMs = step.delayAmount * { minutes: 60_000, hours: 3_600_000, days: 86_400_000, days_at: 86_400_000 }[step.delayUnit as "days"];
        const dueAt = new Date(orderedAt.getTime() + delayMs * (step.position + 1));
        const variant = step.variants ? (rng() < 0.5 ? "a" : "b") : null;
        const base = {
          id,
          shop,
          orderRef,
          orderId,
          flowId: flow.id,
          stepId: step.id,
          stepKey: step.key,
          template: step.template,
          category: step.category,
          variant,
          isTest: false,
          recipient: customer.email,
          dueAt,
          nextAttemptAt: dueAt,
          createdAt: orderedAt,
        };
        let reason: SkipReason | null = null;
        const roll = rng();
        if (cancelled) reason = { code: "order_cancelled", cancelReason: "customer" };
        else if (dueAt.getTime() > nowMs) reason = null;
        else if (roll < 0.04)
          reason = { code: "frequency_cap", maxSends: 1, periodHours: 16, sentInPeriod: 1, nextAllowedAt: new Date(dueAt.getTime() + 6 * 3600_000), timeZone };
        else if (roll < 0.07) reason = { code: "no_marketing_consent", consentState: "NOT_SUBSCRIBED" };
        else if (roll < 0.09) reason = { code: "ordered_again", orderedAt: new Date(dueAt.getTime() - 86_400_000), timeZone };
        else if (roll < 0.1) reason = { code: "suppressed", suppression: "hard_bounce", scope: "all" };
        else if (roll < 0.11) reason = { code: "unsubscribed", scope: "marketing", source: "suppression" };
        else if (roll < 0.14)
          reason = { code: "send_failed", error: "SendGrid answered 403: The from address does not match a verified Sender Identity.", attempts: 5 };

        if (dueAt.getTime() > nowMs && !cancelled) {
          await seeder.add("FollowUp", { ...base, status: "scheduled", attempts: 0, updatedAt: orderedAt });
          continue;
        }
        if (reason) {
          const fields = skipFields(reason);
          const status = reason.code === "send_failed" ? "failed" : reason.code === "order_cancelled" ? "cancelled" : "skipped";
          const at = reason.code === "order_cancelled" ? new Date(orderedAt.getTime() + 3600_000) : dueAt;
          const lastError = reason.code === "send_failed" ? reason.error : null;
          await seeder.add("FollowUp", { ...base, status, attempts: reason.code === "send_failed" ? 5 : 1, lastError, ...fields, updatedAt: at });
          if (reason.code === "send_failed") {
            for (let a = 1; a < 5; a++) {
              await seeder.add("FollowUpEvent", {
                id: `${id}-r${a}`,
                followUpId: id,
                type: "retry",
                detail: `${reason.error} Next attempt at ${new Date(dueAt.getTime() + a * 600_000).toISOString()}.`,
                at: new Date(dueAt.getTime() + (a - 1) * 600_000),
              });
            }
          }
          await seeder.add("FollowUpEvent", { id: `${id}-e`, followUpId: id, type: status, detail: status === "failed" ? lastError : fields.skipReason, at });
          continue;
        }
        const messageId = `sg${id}`;
        await seeder.add("FollowUp", { ...base, status: "sent", attempts: 1, transport: "sendgrid", messageId, sentAt: dueAt, updatedAt: dueAt });
        if (!sentFollowUpId && rng() < 0.5) sentFollowUpId = id;
        const ev = async (event: string, minutes: number, extra: Record<string, unknown> = {}) => {
          events += 1;
          const occurredAt = new Date(dueAt.getTime() + minutes * 60_000);
          await seeder.add("MessageEvent", {
            id: `ev${events}`,
            sgEventId: `sgev${events}`,
            dedupeKey: `${messageId}:${event}:${events}`,
            shop,
            followUpId: id,
            messageId,
            event,
            email: customer.email,
            reason: null,
            detail: null,
            machineOpen: false,
            occurredAt,
            receivedAt: occurredAt,
            ...extra,
          });
        };
        const engagement = await recordEngagement({
          rng,
          bounceRate: 0.015,
          openAfterMinutes: 45,
          event: (event, minutes, extra) =>
            ev(event, minutes, {
              ...extra,
              ...(event === "bounce" ? { reason: "550 5.1.1 The email account that you tried to reach does not exist." } : {}),
              ...(event === "click" ? { detail: JSON.stringify({ url: `${store.shop.primaryDomain.url}/products/x?ag_src=related` }) } : {}),
            }),
          attribute: async () => {
            attributions += 1;
            const at = new Date(dueAt.getTime() + 3 * 3600_000);
            await seeder.add(
              "Attribution",
              clickAttribution({
                id: `att${attributions}`,
                shop,
                orderRef: `later${attributions}`,
                orderId: `gid://shopify/Order/${9_000_000 + attributions}`,
                followUp: { id, flowId: flow.id, stepKey: step.key, variant },
                currency,
                touchedAt: new Date(dueAt.getTime() + 46 * 60_000),
                orderedAt: at,
                day: dayOf(at, timeZone),
                createdAt: at,
              }),
            );
          },
        });
        if (engagement === "bounced") {
          await suppress(customer.email, "hard_bounce", "all", `sgev${events}`, dueAt);
          continue;
        }
        if (rng() < 0.004) {
          await ev("unsubscribe", 50);
          await suppress(customer.email, "unsubscribed", "marketing", "unsubscribe link", dueAt);
        } else if (rng() < 0.001) {
          await ev("spamreport", 50);
          await suppress(customer.email, "spam_report", "all", `sgev${events}`, dueAt);
        }
      }
      if (i > 0 && i % 10_000 === 0)
        log(`  ${(i * 2).toLocaleString("en-US")} follow-ups, ${events.toLocaleString("en-US")} events (${Math.round((Date.now() - started) / 1000)} s)`);
    }
    // Addresses the merchant added by hand.
    for (let m = 0; m < 300; m++) await suppress(`blocked${m}@${DOMAINS[m % DOMAINS.length]}`, "manual", "all", "merchant", new Date(nowMs - m * 3600_000));

    // The outbox as MAIL_TRANSPORT=outbox leaves it: the rendered email of the last sends.
    const rendered = await renderFollowUp({
      template: "thank-you",
      content: null,
      customerLocale: null,
      shopLocale: null,
      shop: { name: store.shop.name, url: store.shop.primaryDomain.url, address: "ul. Złota 44, Warszawa" },
      customer: { firstName: "Maya" },
      order: { name: "#1042", currency },
      purchased: [],
      recommendations: [],
      utm: { source: "afterglow", medium: "email", campaign: "thank-you" },
    });
    for (let o = 0; o < 40; o++) {
      await seeder.add("OutboxMessage", {
        id: `out${o}`,
        messageId: `outbox-${o}`,
        shop,
        followUpId: null,
        toAddress: customerOf(o).email,
        fromAddress: `${store.shop.name} <hello@${SENDER_DOMAIN}>`,
        subject: `Thank you for your order #${1001 + o}`,
        headers: JSON.stringify({ "List-Unsubscribe": "<https://afterglow.example.com/unsubscribe/x>" }),
        html: rendered.html,
        text: rendered.text,
        createdAt: new Date(nowMs - o * 600_000),
      });
    }
    await seeder.flush();
  } finally {
    runner.close();
  }
  log(`  rows written in ${Math.round((Date.now() - started) / 1000)} s; data requests, rollups…`);

  // Data requests and erasures through the compliance webhooks' own services.
  const compliance = Date.now();
  for (let d = 0; d < DATA_REQUESTS + REDACTIONS; d++) {
    const n = d * 97;
    const customer = customerOf(n);
    const mine = await prisma.order.findMany({ where: { shop, customerId: customer.customerId }, select: { orderId: true } });
    const payload = {
      shop_id: 1,
      shop_domain: shop,
      customer: { id: 700_000 + n, email: customer.email, phone: null },
      orders_requested: mine.map((o) => Number(o.orderId.split("/").pop())),
      orders_to_redact: mine.map((o) => Number(o.orderId.split("/").pop())),
      data_request: { id: 4000 + d },
    };
    const delivery = { shop, topic: d < DATA_REQUESTS ? "customers/data_request" : "customers/redact", webhookId: `bench-compliance-${d}` };
    if (d < DATA_REQUESTS) await receiveCustomersDataRequest({ prisma, delivery, payload, now: new Date(nowMs - (DATA_REQUESTS - d) * 86_400_000) });
    else await receiveCustomersRedact({ prisma, delivery, payload, now });
  }
  // An erasure rewrites the database file a moment later; done before any page is measured.
  await reclaimDone();
  log(`  ${DATA_REQUESTS} data requests and ${REDACTIONS} erasures answered in ${Math.round((Date.now() - compliance) / 1000)} s`);
  await rollUpAnalytics({ prisma, now });
  await checkDeliverabilityHealth({ prisma, now });

  const flowId = flows.find((f) => f.key === "review")!.id;
  return {
    shop,
    followUps,
    orders,
    events,
    suppressions,
    dataRequests: DATA_REQUESTS + REDACTIONS,
    flowId,
    sentFollowUpId,
    seconds: (Date.now() - started) / 1000,
  };
}
