// The send step, for a follow-up that passed every gate: recommendations, render, the hand-over
// mark, the transport's send and the record of what it answered.
import type { RecommendedProduct } from "~/domain/recommendations.types";
import { orderProductIds, stepContent } from "~/domain/stored-rows";
import { isTemplateId, TEMPLATES } from "~/domain/templates";
import { FollowUpNotApplicableError } from "~/email/compose";
import { routeSend, SendError } from "~/adapters/mail/transport";
import { failureCodeOfTransportError } from "~/domain/failure-codes";
import { writeWhileClaimed } from "./dispatch-sql.server";
import { renderCustomer, renderShop, stepUtm } from "./render-request";
import { decodedOnce, type Delivery } from "./gates.server";
import type { FollowUpRecords } from "./records.server";
import { shopTriggers, type FlowTriggerFireInput } from "../flow-triggers/fires.server";
import { reviewProductsFor, type ReviewProductsDecision } from "./review-requests.server";
import type { Outcome } from "./types";

export interface SendStepSettings {
  records: FollowUpRecords;
  // Attempts that wait for the Admin API before sending without recommendations.
  recommendationAttempts: number;
  workerId: string;
  signal?: AbortSignal;
}

export async function sendFollowUp(d: Delivery, { records, recommendationAttempts, workerId, signal }: SendStepSettings): Promise<Outcome> {
  const { ctx, followUp, log: flog } = d;
  const { deps, prisma, now } = ctx;
  const claim = followUp.claim;
  const shop = d.shop!;
  const step = d.step!;
  const order = d.order!;
  const category = d.category!;
  const variantKey = d.variantKey ?? null;
  const sender = d.sender!;

  const links =
    deps.unsubscribe?.({
      shop: followUp.shop,
      email: followUp.recipient!,
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
      orderId: order.orderId,
      customerId: order.customerId,
      productIds,
      currencyCode: order.currency,
      countryCode: order.countryCode,
      shopCurrency: order.shopCurrency ?? shop.currencyCode,
    });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    if (claim.attempt < recommendationAttempts) {
      flog.warn("recommendations unavailable; will retry the follow-up", { attempt: claim.attempt, err });
      return records.retryOrFail(claim, { error: `Recommendations could not be loaded: ${why}`, code: "shopify_unavailable" });
    }
    // The email is still worth sending; a thank-you without products beats none.
    flog.warn("recommendations unavailable after retries; sending without them", { attempt: claim.attempt, err });
    await records.event(claim.id, "recommendations_unavailable", `Sent without recommendations: ${why}`);
  }

  // A review request asks only about products not asked about lately and not yet reviewed.
  let review: ReviewProductsDecision | null = null;
  if (followUp.template === "review-request") {
    review = await reviewProductsFor({
      prisma,
      shop: followUp.shop,
      email: followUp.recipient!,
      customerId: order.customerId,
      productIds,
      lineItems: order.lineItems,
      now: now(),
      reviewAppFor: deps.reviewAppFor,
      isTest: followUp.isTest,
      log: flog,
    });
    if (review.kind === "skip") return records.skip(claim, review.reason);
    if (review.note) await records.event(claim.id, "review_app_unavailable", review.note);
  }

  let rendered: { subject: string; html: string; text: string };
  try {
    rendered = await deps.render({
      followUpId: followUp.id,
      template: followUp.template,
      subject: step.subject,
      previewText: step.previewText,
      content: decodedOnce(d, step, stepContent),
      variants: step.variants,
      variantKey,
      discountCode: followUp.discountCode,
      dueAt: followUp.dueAt,
      shop: renderShop(shop),
      customer: renderCustomer(order),
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
      utm: stepUtm({ flowKey: step.flow.key, stepKey: step.key, variantKey }),
      unsubscribeUrl: links?.pageUrl ?? null,
      review: review?.kind === "ask" ? review.review : null,
    });
  } catch (err) {
    if (err instanceof FollowUpNotApplicableError) return records.skip(claim, { code: "not_applicable", why: err.message });
    const why = err instanceof Error ? err.message : String(err);
    flog.error("rendering failed", { err });
    return records.retryOrFail(claim, { error: `The email could not be rendered: ${why}`, code: "template_error" });
  }

  // A worker shutting down hands back what it has not sent yet, without counting an attempt.
  if (signal?.aborted) {
    const ok = await records.handBack(claim, {
      until: now(),
      ev: { type: "returned", detail: `${workerId} shut down before sending; the follow-up went back to the queue.` },
    });
    return ok ? "returned" : "lost";
  }

  // Whether "Follow-up sent" is to be written with the send: never for a test send, and not even
  // looked at for a shop whose workflows do not use it (read once a pass, before the hand-over, so
  // a failing read can never stand between the provider's answer and its record).
  if (!followUp.isTest && !d.cache.flowTriggers.has(followUp.shop)) d.cache.flowTriggers.set(followUp.shop, shopTriggers(prisma, followUp.shop));
  const listens = !followUp.isTest && (await d.cache.flowTriggers.get(followUp.shop)!).has("follow-up-sent");

  // The provider is chosen before the mark, and the mark names it: if this worker dies before
  // recording the answer, the next attempt knows which provider may have the email already, and
  // sends only there (handedOverTo pins it; a pinned follow-up never fails over).
  const pinnedTo = followUp.handedOverTo;
  const transport = routeSend(deps.transportFor?.(shop) ?? deps.transport, { pinnedTo, preferred: shop.mailProvider });
  const handedOverAt = now();
  const handedOver = await writeWhileClaimed(prisma, {
    id: claim.id,
    token: claim.token,
    at: handedOverAt,
    data: { handedOverAt, handedOverTo: transport.name },
    release: false,
  });
  if (handedOver !== 1) return "lost";

  try {
    const stream = deps.streams?.[category] ?? {};
    const result = await transport.send({
      shop: followUp.shop,
      followUpId: followUp.id,
      to: { email: followUp.recipient!, ...(order.firstName ? { name: order.firstName } : {}) },
      from: sender.from,
      ...(sender.replyTo ? { replyTo: sender.replyTo } : {}),
      subject: rendered.subject,
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
    // "Follow-up sent" for Shopify Flow, with the subject the customer received.
    const flowTrigger: FlowTriggerFireInput | undefined = !listens
      ? undefined
      : {
          shop: followUp.shop,
          factKey: `followUp:${followUp.id}`,
          followUpId: followUp.id,
          onlyIfSent: true,
          fact: {
            trigger: "follow-up-sent",
            subject: rendered.subject,
            orderId: order.orderId,
            customerId: order.customerId,
            flowName: step.flow.name,
            step: { position: step.position, template: step.template },
          },
        };
    const ok = await records.whileLeaseHolds(followUp, () =>
      records.finish(
        claim,
        { status: "sent", sentAt, messageId: result.messageId, transport: result.transport, lastError: null, variant: variantKey, handedOverAt: null },
        null,
        flowTrigger,
        review?.kind === "ask" && !followUp.isTest ? (at) => review.rows(followUp.id, at) : undefined,
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
    // The provider answered with an error (or was never reached): it did not take the email,
    // and the pin goes back to what it was. Without an answer (a timeout, a reset connection) it
    // may have, and the mark stays: the follow-up is pinned to this provider.
    const refused = err instanceof SendError && !err.mayHaveSent ? { handedOverAt: null, handedOverTo: pinnedTo } : {};
    if (err instanceof SendError && err.kind === "permanent") {
      const detail = `${err.message}${err.details ? ` (${err.details})` : ""}`;
      flog.warn("send failed permanently", { status: err.status, err });
      return records.fail(claim, { detail, code: failureCodeOfTransportError(err), fields: { variant: variantKey, ...refused } });
    }
    const why = err instanceof Error ? err.message : String(err);
    flog.warn("send failed; will retry", { status: err instanceof SendError ? err.status : undefined, err });
    return records.retryOrFail(claim, {
      error: `Sending failed: ${why}`,
      code: err instanceof SendError ? failureCodeOfTransportError(err) : "unknown",
      notBefore: err instanceof SendError ? err.retryAt : null,
      fields: refused,
    });
  }
}
