// Sends due follow-ups. Claims are atomic conditional updates, so any number of dispatchers
// can share one database; a claim is a lease, so a dispatcher killed mid-send loses nothing.
import { randomUUID } from "node:crypto";
import type { Flow, FlowStep, Prisma, PrismaClient, Shop } from "@prisma/client";
import type { RecommendedProduct } from "~/domain/recommendations.types";
import { DEFAULT_RETRY_POLICY, nextAttempt, type RetryPolicy } from "~/domain/retry";
import { isTemplateId, TEMPLATES } from "~/domain/templates";
import { FollowUpNotApplicableError } from "~/email/compose";
import { SendError, type MailTransport } from "~/adapters/mail/transport";
import { exitsOnNewOrder, type EmailCategory } from "~/domain/flows";
import { describeSkipReason, SKIP_REASON_STATUS, skipFields, type SkipReason } from "~/domain/skip-reasons";
import { isSuppressed } from "../consent/suppressions.server";
import { claimFollowUp, readOrder, writeWhileClaimed } from "./dispatch-sql.server";
import { evaluateExitRules, type ExitState, type MarketingConsentState } from "~/domain/exit-rules";
import { checkFrequencyCap, DEFAULT_FREQUENCY_CAP } from "~/domain/frequency-cap";
import { assignVariant } from "~/domain/ab-test";
import { evaluateConditions, missingFacts } from "~/domain/conditions";
import { orderContext } from "~/domain/scheduling";
import type { OrderLineItem } from "~/domain/order-facts";
import {
  factsFromOrderRow,
  flowConditions,
  flowExitRules,
  orderProductIds,
  shopDefaultSendWindow,
  shopFrequencyCap,
  stepContent,
  stepSendWindow,
  stepVariants,
  triggerTime,
} from "~/domain/stored-rows";
import { nextAllowedTime } from "~/domain/send-window";
import { stepTimeZone } from "~/domain/step-timing";
import { logger as rootLogger, type Logger } from "~/platform/logger.server";
import { dispatchObserved, followUpSkipped } from "~/platform/metrics.server";

export interface RecommendationRequest {
  shop: string;
  productIds: string[];
  currencyCode: string;
  countryCode: string | null;
  shopCurrency: string | null;
}

// What the renderer gets for one follow-up: the step as the merchant wrote it ({{ variables }}
// unfilled) and the values of this order, shop and customer. See app/email/follow-up.server.ts.
export interface RenderRequest {
  followUpId: string;
  template: string;
  subject: string;
  previewText: string | null;
  content: Record<string, unknown> | null;
  // FlowStep.variants (JSON) and the follow-up's variant key, when the step has an A/B test.
  variants: string | null;
  variantKey: string | null;
  // A discount code made for this follow-up on an earlier attempt: reused, never made twice.
  discountCode: string | null;
  dueAt: Date;
  shop: {
    domain: string;
    name: string;
    url: string;
    logoUrl: string | null;
    address: string | null;
    primaryLocale: string | null;
    timeZone: string | null;
    brand: string | null;
  };
  customer: { id: string | null; firstName: string | null; ordersCount: number | null };
  order: {
    name: string;
    currency: string;
    locale: string | null;
    totalPrice: string | null;
    countryCode: string | null;
    productIds: string[];
    lineItems: string | null;
  };
  recommendations: RecommendedProduct[];
  utm: { source: string; medium: string; campaign: string; content?: string };
  unsubscribeUrl: string | null;
}

export interface DispatcherDeps {
  prisma: PrismaClient;
  transport: MailTransport;
  recommend: (req: RecommendationRequest) => Promise<RecommendedProduct[]>;
  // Returns the filled subject with the HTML and text; a FollowUpNotApplicableError skips the follow-up.
  render: (req: RenderRequest) => Promise<{ subject: string; html: string; text: string }>;
  now?: () => Date;
  retryPolicy?: RetryPolicy;
  // How long a claim lasts before another dispatcher may take the follow-up again.
  leaseMs?: number;
  // Attempts that wait for the Admin API before sending without recommendations.
  recommendationAttempts?: number;
  defaultFromEmail?: string | null;
  logger?: Logger;
  workerId?: string;
  // The customer's email marketing state, asked just before a marketing send when the shop
  // requires consent (the exit rules decide). Without it, consent is not checked.
  checkConsent?: (req: ConsentRequest) => Promise<ConsentAnswer>;
  // Told at the start of a pass which customers' consent its marketing emails will ask for, so
  // the reads can share requests (checkConsent still decides each one).
  prefetchConsent?: (shop: string, customerIds: string[]) => void;
  // Product facts (type, tags, collections) and customer facts (tags, order count) for entry
  // conditions that need them, read from the Admin API once per order.
  lookupFacts?: (req: FactsRequest) => Promise<FactsAnswer>;
  // List-Unsubscribe headers and the footer link for one recipient of one follow-up.
  unsubscribe?: (req: UnsubscribeRequest) => { pageUrl: string; headers: Record<string, string> } | null;
  // A shop with its own SendGrid key sends through it.
  transportFor?: (shop: Shop) => MailTransport;
  streams?: Partial<Record<EmailCategory, { ipPool?: string; asmGroupId?: number }>>;
  // How long after an unanswered hand-over to SendGrid (a worker killed mid-send, a timeout) to
  // wait for SendGrid's events before sending again. 0: send again at once.
  handoverEventWaitMs?: number;
}

export interface ConsentRequest {
  shop: string;
  customerId: string | null;
  email: string;
  category: EmailCategory;
  // The shop's settings.
  marketingConsentRequired: boolean;
  serviceEmailsAllowed: boolean;
}

export interface ConsentAnswer {
  state: MarketingConsentState | null; // null: no consent known for this address
  note?: string | null; // where the answer came from, when the merchant should know
}

export interface FactsRequest {
  shop: string;
  productIds: string[] | null; // null: not needed
  customerId: string | null; // null: not needed
}

export interface FactsAnswer {
  products?: Map<string, { productType: string | null; tags: string[]; collectionIds: string[] }>;
  customer?: { tags: string[]; numberOfOrders: number } | null;
}

export interface UnsubscribeRequest {
  shop: string;
  email: string;
  followUpId: string;
  category: EmailCategory;
  lang: string | null;
}

export interface DispatchSummary {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
  skipped: number;
}

const JOB_CACHE_MS = 1_000;

type Outcome = "sent" | "retried" | "failed" | "skipped" | "returned" | "lost";

// What became of one follow-up handed over by id, and when a queue should look at it again.
export interface SingleDispatch {
  outcome: Outcome | "not-due" | "held" | "done" | "gone";
  lookAgainAt: Date | null;
}

interface Claim {
  id: string;
  token: string;
  attempt: number;
}

// The order is read when the follow-up is delivered, not with the claim: it may change meanwhile.
type ClaimedFollowUp = Prisma.FollowUpGetPayload<object> & { claim: Claim };
type OrderRow = Prisma.OrderGetPayload<object>;

// Shop and flow state read once per pass: a pass lasts well under a second.
interface PassCache {
  shops: Map<string, Promise<Shop | null>>;
  steps: Map<string, Promise<(FlowStep & { flow: Flow }) | null>>;
}

export function createDispatcher(deps: DispatcherDeps) {
  const prisma = deps.prisma;
  const now = deps.now ?? (() => new Date());
  const policy = deps.retryPolicy ?? DEFAULT_RETRY_POLICY;
  const leaseMs = deps.leaseMs ?? 120_000;
  const handoverEventWaitMs = deps.handoverEventWaitMs ?? 0;
  const recommendationAttempts = deps.recommendationAttempts ?? 3;
  const workerId = deps.workerId ?? `dispatcher-${process.pid}-${randomUUID().slice(0, 8)}`;
  const log = (deps.logger ?? rootLogger).child({ component: "dispatcher", workerId });

  async function event(followUpId: string, type: string, detail: string | null, at = now()) {
    await prisma.followUpEvent.create({ data: { followUpId, type, detail, at } });
  }

  // Claims a batch in one conditional UPDATE: a row is taken only if it is still due (or its
  // lease ran out) at that instant, so two dispatchers never take the same follow-up. Rows
  // another dispatcher took meanwhile simply do not match.
  async function claimDue(limit: number, only?: string): Promise<ClaimedFollowUp[]> {
    if (only) return claimOne(only);
    const at = now();
    const due = {
      OR: [
        { status: "scheduled", nextAttemptAt: { lte: at } },
        { status: "sending", leaseUntil: { lt: at } },
      ],
    };
    // Another dispatcher may take the very rows we picked between our read and our update;
    // then pick again rather than report that nothing is due.
    let candidates: { id: string; status: string }[] = [];
    const token = randomUUID();
    for (let round = 0; round < 5; round++) {
      candidates = await prisma.followUp.findMany({
        where: due,
        orderBy: { nextAttemptAt: "asc" },
        take: limit,
        select: { id: true, status: true },
      });
      if (candidates.length === 0) return [];
      const { count } = await prisma.followUp.updateMany({
        where: { id: { in: candidates.map((c) => c.id) }, ...due },
        data: claimData(token, at),
      });
      if (count > 0) break;
    }
    const claimed = await prisma.followUp.findMany({ where: { claimToken: token } });
    const reclaimed = new Set(candidates.filter((c) => c.status === "sending").map((c) => c.id));
    await noteReclaimed(claimed.filter((f) => reclaimed.has(f.id)), at);
    return claimed.map((f) => ({ ...f, claim: { id: f.id, token, attempt: f.attempts } }));
  }

  // One follow-up (a queue job): one conditional UPDATE ... RETURNING when it is simply due,
  // a second only when it is not, to take it over from a claim whose lease ran out.
  async function claimOne(id: string): Promise<ClaimedFollowUp[]> {
    const at = now();
    const token = randomUUID();
    const leaseUntil = new Date(at.getTime() + leaseMs);
    let claimed = await claimFollowUp(prisma, { id, token, at, leaseUntil, reclaim: false });
    if (claimed.length === 0) {
      claimed = await claimFollowUp(prisma, { id, token, at, leaseUntil, reclaim: true });
      await noteReclaimed(claimed, at);
    }
    return claimed.map((f) => ({ ...f, claim: { id: f.id, token, attempt: f.attempts } }));
  }

  function claimData(token: string, at: Date) {
    return { status: "sending", claimToken: token, leaseUntil: new Date(at.getTime() + leaseMs), attempts: { increment: 1 } };
  }

  async function noteReclaimed(taken: { id: string }[], at: Date) {
    if (taken.length === 0) return;
    await prisma.followUpEvent.createMany({
      data: taken.map((f) => ({
        followUpId: f.id,
        type: "reclaimed",
        detail: `The previous claim's lease expired; taken by ${workerId}.`,
        at,
      })),
    });
  }

  // Every end state is written only while we still hold the claim.
  // `ev` null: the row itself is the record (a sent follow-up carries sentAt and the message id).
  async function finish(
    claim: Claim,
    data: Record<string, unknown>,
    ev: { type: string; detail: string | null } | null,
  ): Promise<boolean> {
    const count = await writeWhileClaimed(prisma, { id: claim.id, token: claim.token, at: now(), data, release: true });
    if (count === 1 && ev) await event(claim.id, ev.type, ev.detail);
    if (count !== 1) log.warn("lost the claim before finishing", { followUpId: claim.id, outcome: ev?.type ?? "sent" });
    return count === 1;
  }

  // SendGrid has accepted the email: a passing database outage must not keep us from recording
  // it, or the lease would run out and the follow-up go out twice. Retry while the lease holds.
  async function whileLeaseHolds(followUp: ClaimedFollowUp, write: () => Promise<boolean>): Promise<boolean> {
    const until = (followUp.leaseUntil?.getTime() ?? Date.now() + leaseMs) - 1_000;
    for (let delay = 100; ; delay = Math.min(delay * 2, 2_000)) {
      try {
        return await write();
      } catch (err) {
        if (Date.now() + delay > until) throw err;
        log.warn("recording a sent follow-up failed; trying again", { followUpId: followUp.id, err });
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  // Every follow-up that is not sent keeps the reason a merchant reads and its code.
  async function skip(claim: Claim, reason: SkipReason): Promise<Outcome> {
    const status = SKIP_REASON_STATUS[reason.code];
    followUpSkipped(reason.code);
    const fields = skipFields(reason);
    return (await finish(claim, { status, ...fields }, { type: status, detail: fields.skipReason })) ? "skipped" : "lost";
  }

  async function fail(claim: Claim, detail: string, extra: Record<string, unknown> = {}): Promise<Outcome> {
    const fields = skipFields({ code: "send_failed", error: detail, attempts: claim.attempt });
    const ok = await finish(claim, { status: "failed", lastError: detail, ...fields, ...extra }, { type: "failed", detail });
    return ok ? "failed" : "lost";
  }

  async function retryOrFail(claim: Claim, error: string, notBefore?: Date | null, extra: Record<string, unknown> = {}): Promise<Outcome> {
    const decision = nextAttempt({ attempt: claim.attempt, now: now(), policy, notBefore });
    if (decision.retry && decision.at) {
      const ok = await finish(
        claim,
        { status: "scheduled", nextAttemptAt: decision.at, lastError: error, ...extra },
        { type: "retry", detail: `${error} Next attempt at ${decision.at.toISOString()}.` },
      );
      return ok ? "retried" : "lost";
    }
    return fail(claim, `${error} Gave up after ${claim.attempt} attempts.`, extra);
  }

  // The last attempt handed the email to SendGrid and never recorded the answer: its worker died
  // between the two, or the request timed out. SendGrid may well have it, and SendGrid has no
  // idempotency key, so its events decide: any event for this follow-up means it was accepted.
  // Until they could have arrived, wait instead of sending a second copy. Null: send.
  async function settleHandover(followUp: ClaimedFollowUp, flog: Logger): Promise<Outcome | null> {
    const claim = followUp.claim;
    const handedOverAt = followUp.handedOverAt!;
    const seen = await prisma.messageEvent.findFirst({
      where: { followUpId: followUp.id },
      orderBy: { occurredAt: "asc" },
      select: { event: true, messageId: true, occurredAt: true },
    });
    if (seen) {
      flog.info("SendGrid had accepted the follow-up; recorded from its events, not sent again", { event: seen.event });
      const ok = await finish(
        claim,
        {
          status: "sent",
          sentAt: handedOverAt,
          // sg_message_id is the X-Message-Id followed by SendGrid's own suffix.
          messageId: seen.messageId ? seen.messageId.split(".")[0] : null,
          transport: "sendgrid",
          lastError: null,
          handedOverAt: null,
        },
        {
          type: "confirmed",
          detail: `SendGrid accepted this email at ${handedOverAt.toISOString()}, but the attempt that sent it stopped before recording it. SendGrid's ${seen.event} event shows it arrived, so it was not sent again.`,
        },
      );
      return ok ? "sent" : "lost";
    }
    const waitUntil = new Date(handedOverAt.getTime() + handoverEventWaitMs);
    if (now() < waitUntil) {
      const ok = await finish(
        claim,
        { status: "scheduled", nextAttemptAt: waitUntil, attempts: claim.attempt - 1 },
        {
          type: "awaiting_sendgrid",
          detail:
            `The last attempt handed this email to SendGrid at ${handedOverAt.toISOString()} and stopped before recording SendGrid's answer. ` +
            `Waiting until ${waitUntil.toISOString()} for SendGrid's events before sending again, so the customer does not get it twice.`,
        },
      );
      return ok ? "returned" : "lost";
    }
    flog.warn("no SendGrid event for an unanswered hand-over; sending again", { handedOverAt: handedOverAt.toISOString() });
    await event(
      claim.id,
      "resending",
      `No SendGrid event arrived for the attempt handed over at ${handedOverAt.toISOString()}; sending again.`,
    );
    return null;
  }

  // The customer's first order after the trigger, other than this one; cancelled orders do not count.
  async function orderedAgainAt({ order, after }: { order: OrderRow; after: Date }): Promise<Date | null> {
    const who = order.customerId ? { customerId: order.customerId } : order.email ? { email: order.email } : null;
    if (!who) return null;
    const again = await prisma.order.findFirst({
      where: { shop: order.shop, ...who, id: { not: order.id }, cancelledAt: null, orderedAt: { gt: after } },
      orderBy: { orderedAt: "asc" },
      select: { orderedAt: true },
    });
    return again?.orderedAt ?? null;
  }

  // Reads what the conditions need from the Admin API and keeps it on the order, so each order
  // is looked up once (Order.productFactsAt).
  async function lookUpOrderFacts({
    order,
    missing,
  }: {
    order: OrderRow;
    missing: { product: boolean; customer: boolean };
  }): Promise<OrderRow> {
    if (!deps.lookupFacts) throw new Error("no Admin API lookup is configured for product and customer facts");
    const facts = factsFromOrderRow(order);
    const answer = await deps.lookupFacts({
      shop: order.shop,
      productIds: missing.product ? facts.productIds : null,
      customerId: missing.customer ? order.customerId : null,
    });
    const data: Prisma.OrderUpdateInput = {};
    if (missing.product && answer.products) {
      const items: OrderLineItem[] = facts.lineItems.map((item) => {
        const p = item.productId ? answer.products!.get(item.productId) : undefined;
        return { ...item, productType: p?.productType ?? null, productTags: p?.tags ?? [], collectionIds: p?.collectionIds ?? [] };
      });
      data.lineItems = JSON.stringify(items);
      data.productFactsAt = now();
    }
    if (missing.customer && answer.customer) {
      // Shopify counts the customer's orders now; orders placed after this one do not make it a repeat.
      const later = await prisma.order.count({
        where: { shop: order.shop, customerId: order.customerId, orderedAt: { gt: order.orderedAt } },
      });
      data.customerTags = JSON.stringify(answer.customer.tags);
      data.customerOrdersCount = Math.max(1, answer.customer.numberOfOrders - later);
    }
    return prisma.order.update({ where: { id: order.id }, data });
  }

  async function deliver(followUp: ClaimedFollowUp, cache: PassCache, signal?: AbortSignal): Promise<Outcome> {
    const claim = followUp.claim;
    const flog = log.child({ shop: followUp.shop, orderId: followUp.orderId, followUpId: followUp.id });

    if (followUp.handedOverAt) {
      const settled = await settleHandover(followUp, flog);
      if (settled) return settled;
    }

    if (claim.attempt > policy.maxAttempts) {
      // Crashed or stuck on every attempt (e.g. killed mid-send each time).
      return fail(claim, `Gave up after ${policy.maxAttempts} attempts; the last one did not finish.`);
    }

    // Re-checked just before sending: things change between scheduling and the due time.
    if (!cache.shops.has(followUp.shop))
      cache.shops.set(followUp.shop, prisma.shop.findUnique({ where: { domain: followUp.shop } }));
    const shop = await cache.shops.get(followUp.shop)!;
    if (!shop || shop.uninstalledAt) return skip(claim, { code: "app_uninstalled" });
    if (!shop.sendingEnabled) return skip(claim, { code: "sending_disabled" });
    // Paused for deliverability: held (no attempt used) until the merchant resumes sending.
    if (shop.sendingPausedAt) {
      const held = `Held: sending is paused (${shop.sendingPausedReason ?? "deliverability"}). Resume it on the Analytics page.`;
      const at = new Date(now().getTime() + 15 * 60_000);
      return (await finish(claim, { status: "scheduled", nextAttemptAt: at, attempts: claim.attempt - 1, lastError: held }, null)) ? "retried" : "lost";
    }
    // Read again now, not with the claim: orders/cancelled or orders/updated may have landed a moment ago.
    let current = await readOrder(prisma, followUp.orderRef);
    if (!current) return skip(claim, { code: "order_cancelled" });
    if (!cache.steps.has(followUp.stepId))
      cache.steps.set(followUp.stepId, prisma.flowStep.findUnique({ where: { id: followUp.stepId }, include: { flow: true } }));
    const step = await cache.steps.get(followUp.stepId)!;
    if (!step) return skip(claim, { code: "step_deleted" });
    if (!followUp.recipient) return skip(claim, { code: "no_email" });
    const category = (step.category === "service" ? "service" : "marketing") as EmailCategory;
    const marketing = category === "marketing";

    // Exit rules. Those that need no Admin API call go first, so a cancelled, refunded or
    // suppressed follow-up costs no consent read.
    const exitRules = flowExitRules(step.flow);
    const suppression = await isSuppressed(prisma, { shop: followUp.shop, email: followUp.recipient, marketing });
    const triggeredAt = triggerTime(step.flow.trigger, current);
    const consentRequired = marketing && shop.marketingConsentRequired && !!deps.checkConsent;
    const state: ExitState = {
      orderCancelledAt: current.cancelledAt,
      refundedFully: !!current.refundedAt || current.financialStatus === "refunded",
      customerOrderedAgainAt: null,
      suppression: suppression ? { scope: suppression.scope === "marketing" ? "marketing" : "all", reason: suppression.reason } : null,
      marketingConsent: "SUBSCRIBED",
      marketingConsentRequired: consentRequired,
      serviceEmailsAllowed: shop.serviceEmailsAllowed,
      triggeredAt,
    };
    const early = evaluateExitRules({ step: { category }, flow: { exitOnNewOrder: false }, state, timeZone: shop.ianaTimezone });
    if (early.exit) return skip(claim, early.detail);
    if (!step.flow.active) return skip(claim, { code: "flow_turned_off", flowName: step.flow.name });

    // A retry or a late pass can land outside the step's send window (its own, else the shop's
    // default): wait for it to open, without counting an attempt.
    const sendWindow = step.sendWindow !== null ? stepSendWindow(step) : shopDefaultSendWindow(shop);
    if (sendWindow) {
      const window = nextAllowedTime({
        at: now(),
        window: sendWindow,
        timeZone: stepTimeZone({ customerTimeZone: null, shopTimeZone: shop.ianaTimezone }),
      });
      if (window.moved) {
        const ok = await finish(
          claim,
          { status: "scheduled", nextAttemptAt: window.at, attempts: claim.attempt - 1 },
          { type: "moved", detail: window.reason },
        );
        return ok ? "retried" : "lost";
      }
    }

    // Entry conditions, with the Admin API's product and customer facts when they need them.
    const conditions = flowConditions(step.flow);
    if (conditions) {
      const facts = factsFromOrderRow(current);
      const missing = missingFacts({ conditions, order: { ...facts, productFactsKnown: !!current.productFactsAt } });
      if (missing.product || missing.customer) {
        try {
          current = await lookUpOrderFacts({ order: current, missing });
        } catch (err) {
          const why = err instanceof Error ? err.message : String(err);
          flog.warn("order facts for entry conditions unavailable; will retry", { attempt: claim.attempt, err });
          return retryOrFail(claim, `The flow's conditions could not be checked: ${why}`);
        }
      }
      const result = evaluateConditions({ conditions, order: orderContext(factsFromOrderRow(current)) });
      if (!result.matched) return skip(claim, { code: "conditions_not_met", failed: result.explanation });
    }

    const exitOnNewOrder = exitsOnNewOrder(exitRules, category);
    if (exitOnNewOrder) state.customerOrderedAgainAt = await orderedAgainAt({ order: current, after: triggeredAt });
    if (consentRequired) {
      const consent = await deps.checkConsent!({
        shop: followUp.shop,
        customerId: current.customerId,
        email: followUp.recipient,
        category,
        marketingConsentRequired: shop.marketingConsentRequired,
        serviceEmailsAllowed: shop.serviceEmailsAllowed,
      });
      state.marketingConsent = consent.state;
      state.consentNote = consent.note ?? null;
    }
    const exit = evaluateExitRules({ step: { category }, flow: { exitOnNewOrder }, state, timeZone: shop.ianaTimezone });
    if (exit.exit) return skip(claim, exit.detail);

    // Smart sending: test sends are never capped and never count.
    if (marketing && !followUp.isTest) {
      const cap = shopFrequencyCap(shop) ?? DEFAULT_FREQUENCY_CAP;
      if (cap.enabled) {
        const at = now();
        const recent = await prisma.followUp.findMany({
          where: {
            shop: followUp.shop,
            recipient: followUp.recipient,
            category: "marketing",
            status: "sent",
            isTest: false,
            sentAt: { gt: new Date(at.getTime() - cap.periodHours * 3_600_000) },
          },
          select: { sentAt: true },
        });
        const decision = checkFrequencyCap({
          recentMarketingSends: recent.map((r) => r.sentAt!),
          now: at,
          cap,
          category,
          timeZone: shop.ianaTimezone,
        });
        if (!decision.allowed) return skip(claim, decision.detail);
      }
    }

    // A/B test: the same follow-up always gets the same variant, recorded on it when sent.
    const abTest = stepVariants(step);
    const variantKey = abTest ? assignVariant({ test: abTest, followUpId: followUp.id }) : null;
    const variant = abTest?.variants.find((v) => v.key === variantKey) ?? null;

    const fromEmail = shop.senderEmail ?? deps.defaultFromEmail ?? shop.email;
    if (!fromEmail) return fail(claim, "No sender address: set the shop's sender email (or AFTERGLOW_FROM_EMAIL).");

    const order = current;
    const links =
      deps.unsubscribe?.({
        shop: followUp.shop,
        email: followUp.recipient,
        followUpId: followUp.id,
        category,
        lang: order.locale,
      }) ?? null;
    const productIds = orderProductIds(order);
    let recommendations: RecommendedProduct[] = [];
    // Templates without a product grid (care guide, review request, replenishment) need none.
    const needsRecommendations = !isTemplateId(followUp.template) || TEMPLATES[followUp.template].needs.recommendations;
    if (needsRecommendations) try {
      recommendations = await deps.recommend({
        shop: followUp.shop,
        productIds,
        currencyCode: order.currency,
        countryCode: order.countryCode,
        shopCurrency: order.shopCurrency ?? shop.currencyCode,
      });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      if (claim.attempt < recommendationAttempts) {
        flog.warn("recommendations unavailable; will retry the follow-up", { attempt: claim.attempt, err });
        return retryOrFail(claim, `Recommendations could not be loaded: ${why}`);
      }
      // The email is still worth sending; a thank-you without products beats none.
      flog.warn("recommendations unavailable after retries; sending without them", { attempt: claim.attempt, err });
      await event(claim.id, "recommendations_unavailable", `Sent without recommendations: ${why}`);
    }

    const storefront = shop.storefrontUrl ?? `https://${shop.domain}`;
    let rendered: { subject: string; html: string; text: string };
    try {
      rendered = await deps.render({
        followUpId: followUp.id,
        template: followUp.template,
        subject: step.subject,
        previewText: step.previewText,
        content: stepContent(step),
        variants: step.variants,
        variantKey,
        discountCode: followUp.discountCode,
        dueAt: followUp.dueAt,
        shop: {
          domain: shop.domain,
          name: shop.name ?? shop.domain,
          url: storefront,
          logoUrl: shop.logoUrl,
          address: shop.address,
          primaryLocale: shop.primaryLocale,
          timeZone: shop.ianaTimezone,
          brand: shop.brand,
        },
        customer: { id: order.customerId, firstName: order.firstName, ordersCount: order.customerOrdersCount },
        order: {
          name: order.name,
          currency: order.currency,
          locale: order.locale,
          totalPrice: order.totalPrice,
          countryCode: order.countryCode,
          productIds,
          lineItems: order.lineItems,
        },
        recommendations,
        utm: { source: "afterglow", medium: "email", campaign: step.flow.key, content: variantKey ? `${step.key}-${variantKey}` : step.key },
        unsubscribeUrl: links?.pageUrl ?? null,
      });
    } catch (err) {
      if (err instanceof FollowUpNotApplicableError) return skip(claim, { code: "not_applicable", why: err.message });
      const why = err instanceof Error ? err.message : String(err);
      flog.error("rendering failed", { err });
      return retryOrFail(claim, `The email could not be rendered: ${why}`);
    }
    const subject = rendered.subject;

    // A worker shutting down hands back what it has not sent yet, without counting an attempt.
    if (signal?.aborted) {
      const ok = await finish(
        claim,
        { status: "scheduled", nextAttemptAt: now(), attempts: claim.attempt - 1 },
        { type: "returned", detail: `${workerId} shut down before sending; the follow-up went back to the queue.` },
      );
      return ok ? "returned" : "lost";
    }

    // Marked before the request: if this worker dies before recording SendGrid's answer, the
    // next attempt knows SendGrid may have the email already.
    const handedOverAt = now();
    const handedOver = await writeWhileClaimed(prisma, { id: claim.id, token: claim.token, at: handedOverAt, data: { handedOverAt }, release: false });
    if (handedOver !== 1) return "lost";

    try {
      const transport = deps.transportFor?.(shop) ?? deps.transport;
      const stream = deps.streams?.[category] ?? {};
      const result = await transport.send({
        shop: followUp.shop,
        followUpId: followUp.id,
        to: { email: followUp.recipient, ...(order.firstName ? { name: order.firstName } : {}) },
        from: { email: fromEmail, name: shop.senderName ?? shop.name ?? undefined },
        ...(shop.replyTo ? { replyTo: { email: shop.replyTo } } : {}),
        subject,
        html: rendered.html,
        text: rendered.text,
        categories: ["afterglow", category, `flow:${step.flow.key}`],
        ...(links ? { headers: links.headers } : {}),
        ...(stream.ipPool ? { ipPool: stream.ipPool } : {}),
        ...(stream.asmGroupId ? { asmGroupId: stream.asmGroupId } : {}),
        customArgs: {
          followUpId: followUp.id,
          shop: followUp.shop,
          flow: step.flow.key,
          step: step.key,
          ...(variantKey ? { variant: variantKey } : {}),
        },
      });
      const sentAt = now();
      const ok = await whileLeaseHolds(followUp, () =>
        finish(
          claim,
          { status: "sent", sentAt, messageId: result.messageId, transport: result.transport, lastError: null, variant: variantKey, handedOverAt: null },
          null,
        ),
      );
      flog.info("follow-up sent", {
        transport: result.transport,
        messageId: result.messageId,
        attempt: claim.attempt,
        lateMs: sentAt.getTime() - followUp.dueAt.getTime(),
        recommendations: recommendations.length,
      });
      return ok ? "sent" : "lost";
    } catch (err) {
      // SendGrid answered with an error: it did not take the email. Without an answer (a timeout,
      // a reset connection) it may have, and the hand-over mark stays.
      const refused = err instanceof SendError && err.status !== undefined ? { handedOverAt: null } : {};
      if (err instanceof SendError && err.kind === "permanent") {
        const detail = `${err.message}${err.details ? ` (${err.details})` : ""}`;
        flog.warn("send failed permanently", { status: err.status, err });
        return fail(claim, detail, { variant: variantKey, ...refused });
      }
      const why = err instanceof Error ? err.message : String(err);
      flog.warn("send failed; will retry", { status: err instanceof SendError ? err.status : undefined, err });
      return retryOrFail(claim, `Sending failed: ${why}`, err instanceof SendError ? err.retryAt : null, refused);
    }
  }

  async function runOnce({ limit = 50 }: { limit?: number } = {}): Promise<DispatchSummary> {
    const summary: DispatchSummary = { claimed: 0, sent: 0, retried: 0, failed: 0, skipped: 0 };
    const claimed = await claimDue(limit);
    summary.claimed = claimed.length;
    const cache: PassCache = { shops: new Map(), steps: new Map() };
    if (deps.prefetchConsent && deps.checkConsent) await prefetchConsent(claimed, cache);
    for (const followUp of claimed) {
      let outcome: Outcome;
      try {
        outcome = await deliver(followUp, cache);
      } catch (err) {
        // Not a send error (a bug, a bad setting): retried with backoff like one, and kept with
        // its error when attempts run out. If even that write fails, the lease expiring retries it.
        const why = err instanceof Error ? err.message : String(err);
        log.error("dispatch failed unexpectedly", { followUpId: followUp.id, err });
        outcome = await retryOrFail(followUp.claim, `Unexpected error: ${why}`).catch(() => "lost" as const);
      }
      if (outcome !== "lost") summary[outcome === "returned" ? "retried" : outcome] += 1;
      dispatchObserved({ shop: followUp.shop, outcome, dueAt: followUp.dueAt, at: now() });
    }
    return summary;
  }

  // The marketing emails of shops that require consent: whose consent they will ask for. A
  // failure here only loses the head start; each send still asks.
  async function prefetchConsent(claimed: ClaimedFollowUp[], cache: PassCache) {
    try {
      const marketing = claimed.filter((f) => f.category !== "service" && !f.isTest);
      for (const shopDomain of new Set(marketing.map((f) => f.shop))) {
        if (!cache.shops.has(shopDomain)) cache.shops.set(shopDomain, prisma.shop.findUnique({ where: { domain: shopDomain } }));
        const shop = await cache.shops.get(shopDomain)!;
        if (!shop || shop.uninstalledAt || !shop.sendingEnabled || !shop.marketingConsentRequired) continue;
        const orders = await prisma.order.findMany({
          where: { id: { in: marketing.filter((f) => f.shop === shopDomain).map((f) => f.orderRef) } },
          select: { customerId: true },
        });
        const customerIds = orders.flatMap((o) => (o.customerId ? [o.customerId] : []));
        if (customerIds.length > 1) deps.prefetchConsent!(shopDomain, customerIds);
      }
    } catch (err) {
      log.warn("consent reads not started ahead; each send asks on its own", { err });
    }
  }

  // Jobs come one follow-up at a time: shop and step rows are shared between jobs for a moment,
  // so a burst does not read the same rows once per email. A change reaches sends within it.
  let sharedCache: { at: number; cache: PassCache } | null = null;
  function jobCache(): PassCache {
    const at = Date.now();
    if (!sharedCache || at - sharedCache.at > JOB_CACHE_MS) sharedCache = { at, cache: { shops: new Map(), steps: new Map() } };
    return sharedCache.cache;
  }

  // One follow-up by id, for queues that hand out single follow-ups (a BullMQ job): the same
  // conditional claim as a batch, so a job that runs twice, or beside a poller, still sends once.
  async function dispatchFollowUp({ id, signal }: { id: string; signal?: AbortSignal }): Promise<SingleDispatch> {
    const [followUp] = await claimDue(1, id);
    if (!followUp) {
      const row = await prisma.followUp.findUnique({ where: { id }, select: { status: true, nextAttemptAt: true, leaseUntil: true } });
      if (!row) return { outcome: "gone", lookAgainAt: null };
      if (row.status === "scheduled") return { outcome: "not-due", lookAgainAt: row.nextAttemptAt };
      // Another dispatcher holds it; if that one dies, the lease runs out and it is ours to take.
      if (row.status === "sending") return { outcome: "held", lookAgainAt: row.leaseUntil };
      return { outcome: "done", lookAgainAt: null };
    }
    let outcome: Outcome;
    try {
      outcome = await deliver(followUp, jobCache(), signal);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      log.error("dispatch failed unexpectedly", { followUpId: id, err });
      outcome = await retryOrFail(followUp.claim, `Unexpected error: ${why}`).catch(() => "lost" as const);
    }
    if (outcome === "retried" || outcome === "returned") {
      const row = await prisma.followUp.findUnique({ where: { id }, select: { nextAttemptAt: true } });
      return { outcome, lookAgainAt: row?.nextAttemptAt ?? now() };
    }
    // Lost: someone else finished or holds it; its lease says when to look again.
    if (outcome === "lost") return { outcome, lookAgainAt: new Date(now().getTime() + leaseMs) };
    return { outcome, lookAgainAt: null };
  }

  // Drains everything due now (used by `dispatch --once` and the demo).
  async function drain({ limit = 50 }: { limit?: number } = {}): Promise<DispatchSummary> {
    const total: DispatchSummary = { claimed: 0, sent: 0, retried: 0, failed: 0, skipped: 0 };
    for (;;) {
      const s = await runOnce({ limit });
      for (const k of Object.keys(total) as (keyof DispatchSummary)[]) total[k] += s[k];
      if (s.claimed === 0) return total;
    }
  }

  return { runOnce, drain, dispatchFollowUp, workerId };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
