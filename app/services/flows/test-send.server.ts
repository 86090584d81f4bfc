// A merchant's test send: one step rendered with a sample or a recent order, sent through the
// shop's own transport to the merchant. Recorded as a FollowUp with isTest = true, so it shows in
// Messages but never in counts or analytics, and never reaches the dispatcher (it is born sent).
import { randomUUID } from "node:crypto";
import type { PrismaClient, Shop } from "@prisma/client";
import type { MailTransport } from "~/adapters/mail/transport";
import { createSendGridTransport } from "~/adapters/mail/sendgrid.server";
import { audit } from "../compliance/audit.server";
import { shopSendGridKey } from "../shop/secrets.server";
import { config } from "~/platform/config.server";
import { emailProblem } from "../shop/settings.server";
import { isTemplateId, TEMPLATES } from "~/domain/templates";
import { SAMPLE_ORDER } from "../../../emails/samples";
import { findPreviewOrder, previewRecommendations, previewStep, TEST_ORDER_SOURCE, VariantNotFoundError, type RenderedStep, type StepDraft } from "./flow-editor.server";

// The order row test sends of a shop hang on when no real order is chosen.
const SAMPLE_ORDER_ID = "afterglow-test-order";

export type TestSendResult =
  | { ok: true; followUpId: string; to: string; messageId: string | null }
  | { ok: false; field: "to" | "form"; error: string; followUpId?: string };

// The same choice the dispatcher makes: the shop's own SendGrid key, else the app's transport
// (the runtime's, which the route hands in).
export function transportForShop(shop: Shop, appTransport: () => MailTransport): MailTransport {
  const mail = config().mail;
  const key = shopSendGridKey(shop, { encryptionKeys: mail.encryptionKeys });
  if (key) return createSendGridTransport({ apiKey: key, baseUrl: mail.sendgridApiUrl ?? undefined });
  return appTransport();
}

export async function sendTestEmail({
  prisma,
  shop: shopDomain,
  flow,
  step,
  orderId = null,
  locale = null,
  variantKey = null,
  to = null,
  actor,
  transport,
  appTransport,
  now = new Date(),
}: {
  prisma: PrismaClient;
  shop: string;
  flow: { id: string | null; key: string };
  step: StepDraft;
  orderId?: string | null;
  // The A/B variant the merchant is previewing; null: the step itself.
  variantKey?: string | null;
  locale?: string | null;
  to?: string | null;
  actor: string;
  transport?: MailTransport;
  // The app's own transport, for shops without their own SendGrid key.
  appTransport: () => MailTransport;
  now?: Date;
}): Promise<TestSendResult> {
  const shop = await prisma.shop.findUnique({ where: { domain: shopDomain } });
  if (!shop) return { ok: false, field: "form", error: `The shop ${shopDomain} is not connected to Afterglow; reinstall the app.` };
  const recipient = (to?.trim() || shop.email || "").toLowerCase();
  if (!recipient) return { ok: false, field: "to", error: "Enter the address to send the test to." };
  const problem = emailProblem(recipient, { required: true });
  if (problem) return { ok: false, field: "to", error: problem };
  const fromEmail = shop.senderEmail || config().mail.fromEmail || shop.email;
  if (!fromEmail) return { ok: false, field: "form", error: "Set a sender address in Settings first." };

  const real = await findPreviewOrder(prisma, { shop: shopDomain, orderId });
  if (orderId && !real) return { ok: false, field: "form", error: "That order is not one of this shop's orders." };
  // With a real order, the test shows what the customer would get, recommendations included.
  const needsProducts = !isTemplateId(step.template) || TEMPLATES[step.template].needs.recommendations;
  const recommendations = real && needsProducts ? (await previewRecommendations({ prisma, shop, real })).products : undefined;
  let rendered: RenderedStep;
  try {
    rendered = await previewStep({ prisma, shop, flowKey: flow.key, step, order: real, locale, variantKey, recommendations, dueAt: now });
  } catch (err) {
    if (err instanceof VariantNotFoundError) return { ok: false, field: "form", error: err.message };
    throw err;
  }

  const orderRow =
    real ??
    (await prisma.order.upsert({
      where: { shop_orderId: { shop: shopDomain, orderId: SAMPLE_ORDER_ID } },
      create: {
        shop: shopDomain,
        orderId: SAMPLE_ORDER_ID,
        name: `${SAMPLE_ORDER.name} (sample)`,
        firstName: SAMPLE_ORDER.customer.firstName,
        currency: SAMPLE_ORDER.currency,
        totalPrice: "0.00",
        productIds: "[]",
        orderedAt: now,
        sourceName: TEST_ORDER_SOURCE,
      },
      update: {},
    }));
  // A test never takes the (shop, order, flow, step) slot of the real follow-up.
  const followUp = await prisma.followUp.create({
    data: {
      shop: shopDomain,
      orderRef: orderRow.id,
      orderId: `test:${randomUUID()}`,
      flowId: flow.id ?? "unsaved",
      stepId: step.id ?? "unsaved",
      stepKey: step.key,
      template: step.template,
      category: step.category,
      isTest: true,
      variant: variantKey,
      recipient,
      status: "sending",
      dueAt: now,
      nextAttemptAt: now,
      attempts: 1,
    },
  });
  const via = transport ?? transportForShop(shop, appTransport);
  try {
    const result = await via.send({
      shop: shopDomain,
      followUpId: followUp.id,
      to: { email: recipient },
      from: { email: fromEmail, name: shop.senderName ?? shop.name ?? undefined },
      ...(shop.replyTo ? { replyTo: { email: shop.replyTo } } : {}),
      subject: `[Test] ${rendered.subject}`,
      html: rendered.html,
      text: rendered.text,
      categories: ["afterglow", "test"],
      customArgs: { followUpId: followUp.id, shop: shopDomain, flow: flow.key, step: step.key, test: "1" },
    });
    await prisma.$transaction(async (tx) => {
      await tx.followUp.update({
        where: { id: followUp.id },
        data: { status: "sent", sentAt: now, messageId: result.messageId, transport: result.transport },
      });
      await tx.shop.update({ where: { domain: shopDomain }, data: { testSentAt: now } });
      await audit(tx, { shop: shopDomain, actor, action: "test_send.sent", detail: { followUpId: followUp.id, flowId: flow.id, stepKey: step.key } });
    });
    return { ok: true, followUpId: followUp.id, to: recipient, messageId: result.messageId };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    await prisma.followUp.update({ where: { id: followUp.id }, data: { status: "failed", lastError: `Test send failed: ${why}` } });
    await prisma.followUpEvent.create({ data: { followUpId: followUp.id, type: "failed", detail: `Test send failed: ${why}` } });
    return { ok: false, field: "form", error: `The test email could not be sent: ${why}`, followUpId: followUp.id };
  }
}
