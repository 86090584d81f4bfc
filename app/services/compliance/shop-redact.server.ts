// shop/redact (48 hours after uninstall): every row of the shop is deleted, and its authenticated
// domain in SendGrid with them; one audit row and the request itself stay as proof of erasure,
// with the shop's domain and counts only.
import type { Prisma } from "@prisma/client";
import { shopSettingsChanged } from "../flows/flows.server";
import { removeShopDomainFromSendGrid } from "../shop/domain-authentication.server";
import { xMessageIdCandidates } from "~/domain/sendgrid-events";
import { audit } from "./audit.server";
import { reclaimErasedSpace } from "./reclaim.server";
import {
  chunks,
  openRequest,
  type ComplianceOutcome,
  type ComplianceWebhookArgs,
} from "./requests.server";

export async function receiveShopRedact({ prisma, delivery, payload, now = new Date() }: ComplianceWebhookArgs): Promise<ComplianceOutcome> {
  const request = await openRequest({ prisma, delivery, payload, now, needsCustomer: false });
  if (request.kind === "answered") return request.outcome;
  const { id } = request;

  const shop = delivery.shop;
  // First, while the shop's SendGrid key is still stored; whatever SendGrid answers, the rows go.
  await removeShopDomainFromSendGrid({ prisma, shop });
  const counts = await prisma.$transaction(
    async (tx) => {
      const counts = await eraseShop(tx, shop, id);
      const { count } = await tx.complianceRequest.updateMany({
        where: { id, status: "received" },
        data: { status: "completed", report: JSON.stringify({ removed: counts }), completedAt: now },
      });
      // The proof of erasure: the domain, when, and how many rows went. Nothing about anyone.
      if (count === 1) {
        await audit(tx, { shop, actor: "shopify", action: "shop.redacted", detail: { requestId: id, removed: counts }, at: now });
      }
      return counts;
    },
    { maxWait: 10_000, timeout: 60_000 },
  );
  reclaimErasedSpace(prisma, delivery.shop);
  shopSettingsChanged();
  return { kind: "completed", requestId: id, counts };
}

async function eraseShop(tx: Prisma.TransactionClient, shop: string, keepRequestId: string): Promise<Record<string, number>> {
  // Events that arrived without a shop still belong to this shop's follow-ups, by id or by
  // SendGrid's message id; one that only carries an address of this shop's customers goes too.
  // Shop-less events are few: they are read once and matched here.
  const followUps = await tx.followUp.findMany({ where: { shop }, select: { id: true, messageId: true, recipient: true } });
  let messageEvents = (await tx.messageEvent.deleteMany({ where: { shop } })).count;
  const followUpIds = new Set(followUps.map((f) => f.id));
  const messageIds = new Set(followUps.map((f) => f.messageId).filter((m): m is string => !!m));
  const addresses = new Set(
    [
      ...followUps.map((f) => f.recipient),
      ...(await tx.order.findMany({ where: { shop, email: { not: null } }, select: { email: true } })).map((o) => o.email!),
      ...(await tx.customerConsent.findMany({ where: { shop, email: { not: null } }, select: { email: true } })).map((c) => c.email!),
      ...(await tx.suppression.findMany({ where: { shop }, select: { email: true } })).map((x) => x.email),
    ].map((e) => e.trim().toLowerCase()),
  );
  const shopless = await tx.messageEvent.findMany({ where: { shop: null }, select: { id: true, followUpId: true, messageId: true, email: true } });
  const theirs = shopless.filter(
    (e) =>
      (e.followUpId && followUpIds.has(e.followUpId)) ||
      xMessageIdCandidates(e.messageId).some((id) => messageIds.has(id)) ||
      (e.email && addresses.has(e.email.toLowerCase())),
  );
  for (const part of chunks(theirs.map((e) => e.id))) {
    messageEvents += (await tx.messageEvent.deleteMany({ where: { id: { in: part } } })).count;
  }
  const counts: Record<string, number> = { messageEvents };
  counts.followUpEvents = (await tx.followUpEvent.deleteMany({ where: { followUp: { shop } } })).count;
  counts.followUps = (await tx.followUp.deleteMany({ where: { shop } })).count;
  counts.orders = (await tx.order.deleteMany({ where: { shop } })).count;
  counts.outboxMessages = (await tx.outboxMessage.deleteMany({ where: { shop } })).count;
  counts.flowSteps = (await tx.flowStep.deleteMany({ where: { flow: { shop } } })).count;
  counts.flows = (await tx.flow.deleteMany({ where: { shop } })).count;
  counts.suppressions = (await tx.suppression.deleteMany({ where: { shop } })).count;
  counts.consents = (await tx.customerConsent.deleteMany({ where: { shop } })).count;
  await tx.consentWriteBack.deleteMany({ where: { shop } });
  counts.flowTriggers = (await tx.flowTriggerFire.deleteMany({ where: { shop } })).count;
  await tx.flowTriggerUse.deleteMany({ where: { shop } });
  counts.webhookDeliveries = (await tx.webhookDelivery.deleteMany({ where: { shop } })).count;
  counts.complianceRequests = (await tx.complianceRequest.deleteMany({ where: { shop, id: { not: keepRequestId } } })).count;
  // Staff names and emails are in the audit details and sessions; the shop is gone, so are they.
  counts.auditLog = (await tx.auditLog.deleteMany({ where: { shop } })).count;
  counts.sessions = (await tx.session.deleteMany({ where: { shop } })).count;
  // Analytics: rollups, attributions, what the recommendation engine learned, health.
  await tx.dailyStat.deleteMany({ where: { shop } });
  await tx.dailyDomainStat.deleteMany({ where: { shop } });
  await tx.attribution.deleteMany({ where: { shop } });
  await tx.recommendationSourceStat.deleteMany({ where: { shop } });
  await tx.deliverabilityHealth.deleteMany({ where: { shop } });
  await tx.senderDomain.deleteMany({ where: { shop } });
  await tx.marketingActivityReport.deleteMany({ where: { shop } });
  await tx.marketingEngagementReport.deleteMany({ where: { shop } });
  await tx.marketingSync.deleteMany({ where: { shop } });
  await tx.flowActionRun.deleteMany({ where: { shop } });
  await tx.flowActionStep.deleteMany({ where: { shop } });
  // Billing: the plan's subscriptions and the monthly counts.
  await tx.planSubscription.deleteMany({ where: { shop } });
  await tx.monthlyEmailCount.deleteMany({ where: { shop } });
  await tx.countedEmail.deleteMany({ where: { shop } });
  await tx.thankYouPageSetting.deleteMany({ where: { shop } });
  await tx.shopReviewSetting.deleteMany({ where: { shop } });
  await tx.reviewRequest.deleteMany({ where: { shop } });
  counts.shop = (await tx.shop.deleteMany({ where: { domain: shop } })).count;
  return counts;
}
