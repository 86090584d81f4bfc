// A merchant's test send: one step rendered with a sample or a recent order, sent through the
// shop's own transport to the merchant. Recorded as a FollowUp with isTest = true, so it shows in
// Messages but never in counts or analytics, and never reaches the dispatcher (it is born sent).
// It goes only to the store's own addresses, never to a suppressed one, and at most
// TEST_SENDS_PER_HOUR times an hour per shop: otherwise anyone with the app installed could mail
// anyone through Afterglow's SendGrid account.
import { senderAddress } from "~/domain/sender";
import { randomUUID } from "node:crypto";
import type { PrismaClient, Shop } from "@prisma/client";
import { routeSend, SendError, type MailTransport } from "~/adapters/mail/transport";
import { failureCodeOfTransportError } from "~/domain/failure-codes";
import { createSendGridTransport } from "~/adapters/mail/sendgrid.server";
import { audit } from "../compliance/audit.server";
import { shopSendGridKey } from "../shop/secrets.server";
import { verifiedSenderDomain } from "../shop/domain-authentication.server";
import { config } from "~/platform/config.server";
import { emailProblem } from "../shop/settings.server";
import { isTemplateId, TEMPLATES } from "~/domain/templates";
import { TEST_SEND_WINDOW_MS, testRecipients, testSendAllowance } from "~/domain/test-send";
import { adminClientForShop, fetchShopAddresses } from "~/adapters/shopify-admin/index.server";
import { isSuppressed } from "../consent/suppressions.server";
import { SAMPLE_ORDER } from "../../../emails/samples";
import {
  findPreviewOrder,
  previewRecommendations,
  previewStep,
  stepProblems,
  TEST_ORDER_SOURCE,
  UnrenderableStepError,
  VariantNotFoundError,
  type FlowProblem,
  type RenderedStep,
  type StepDraft,
} from "./flow-editor.server";

// The order row test sends of a shop hang on when no real order is chosen.
const SAMPLE_ORDER_ID = "afterglow-test-order";

// status: 400 for what the merchant can correct, 429 with retryAt when the hour's tests are used
// up, 502 when Shopify or the mail service did not answer.
export type TestSendResult =
  | { ok: true; followUpId: string; to: string; messageId: string | null }
  | { ok: false; status: 400 | 429 | 502; error: string; problems: FlowProblem[]; retryAt?: Date; followUpId?: string };

const refused = (status: 400 | 429 | 502, error: string, path: string | null, extra: { retryAt?: Date; followUpId?: string } = {}): TestSendResult => ({
  ok: false,
  status,
  error,
  problems: path ? [{ path, message: error }] : [],
  ...extra,
});

// A customer locale like "pl" or "pt-BR".
const LOCALE_SHAPE = /^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$/;

// Where a test may go: the store's own addresses, read from Shopify as the merchant waits (one
// quick try), and the signed-in staff member's when the session knows it.
export async function allowedTestRecipients({
  prisma,
  shop,
  staffEmail = null,
}: {
  prisma: PrismaClient;
  shop: string;
  staffEmail?: string | null;
}): Promise<string[]> {
  const client = await adminClientForShop({ prisma, shop, maxRetries: 0, timeoutMs: 5_000 });
  return testRecipients({ ...(await fetchShopAddresses(client)), staffEmail });
}

const hhmm = (d: Date) => d.toISOString().slice(11, 16);

// The same choice the dispatcher makes: the shop's own SendGrid key, else the app's transport
// (the runtime's, which the route hands in).
export function transportForShop(shop: Shop, appTransport: () => MailTransport): MailTransport {
  if (shop.mailProvider === "postmark") return routeSend(appTransport(), { pinnedTo: null, preferred: "postmark" });
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
  stepPath = "/steps/0",
  staffEmail = null,
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
  // Where the step sits in the draft, so its problems name the editor's fields.
  stepPath?: string;
  // The signed-in staff member's address, when the session knows it: a test may go there too.
  staffEmail?: string | null;
  actor: string;
  transport?: MailTransport;
  // The app's own transport, for shops without their own SendGrid key.
  appTransport: () => MailTransport;
  now?: Date;
}): Promise<TestSendResult> {
  const shop = await prisma.shop.findUnique({ where: { domain: shopDomain } });
  if (!shop) return refused(400, `The shop ${shopDomain} is not connected to Afterglow; reinstall the app.`, null);

  // What the merchant can fix in the editor comes first: nothing is asked of Shopify for it.
  const problems = stepProblems(step, stepPath);
  if (locale && !LOCALE_SHAPE.test(locale)) problems.push({ path: "/testSend/locale", message: `"${locale.slice(0, 40)}" is not a language; choose one of the listed languages.` });
  if (variantKey && !step.variants?.variants?.some((v) => v.key === variantKey))
    problems.push({ path: "/testSend/variant", message: new VariantNotFoundError(String(step.key), variantKey).message });
  if (problems.length) {
    const error = `The test was not sent: ${problems.length === 1 ? problems[0].message : `${problems.length} problems need fixing first.`}`;
    return { ok: false, status: 400, error, problems };
  }
  const real = await findPreviewOrder(prisma, { shop: shopDomain, orderId });
  if (orderId && !real) return refused(400, "That order is not one of this shop's orders.", "/testSend/order");

  let allowed: string[];
  try {
    allowed = await allowedTestRecipients({ prisma, shop: shopDomain, staffEmail });
  } catch (err) {
    const why = err instanceof Error ? err.message.split("\n")[0] : String(err);
    return refused(502, `Shopify did not tell us your store's addresses, so no test was sent; try again in a moment. (${why})`, null);
  }
  if (!allowed.length) return refused(400, "Your store has no email address in Shopify to send a test to; add one under Settings > General in Shopify.", "/testSend/to");
  const asked = (to ?? "").trim().toLowerCase();
  const stored = shop.email?.toLowerCase() ?? "";
  const recipient = asked || (allowed.includes(stored) ? stored : allowed[0]);
  const problem = emailProblem(recipient, { required: true });
  if (problem) return refused(400, problem, "/testSend/to");
  if (!allowed.includes(recipient)) {
    return refused(400, `${recipient} is not one of your store's addresses. Test emails go only to ${allowed.join(", ")}.`, "/testSend/to");
  }
  const marketing = step.category !== "service";
  const suppressed = await isSuppressed(prisma, { shop: shopDomain, email: recipient, marketing });
  if (suppressed) {
    const scope = suppressed.scope === "all" ? "every email" : "marketing emails";
    return refused(
      400,
      `${recipient} is on your suppression list (${suppressed.reason}, ${scope}), so it gets no email from Afterglow, tests included. Remove it under Suppressions to test with it, or choose another address.`,
      "/testSend/to",
    );
  }
  const sender = senderAddress({ shop, appFromEmail: config().mail.fromEmail, verifiedDomain: await verifiedSenderDomain(prisma, shopDomain) });
  if (!sender) return refused(400, "Set a sender address in Settings first.", null);

  // With a real order, the test shows what the customer would get, recommendations included.
  const needsProducts = !isTemplateId(step.template) || TEMPLATES[step.template].needs.recommendations;
  const recommendations = real && needsProducts ? (await previewRecommendations({ prisma, shop, real })).products : undefined;
  let rendered: RenderedStep;
  try {
    rendered = await previewStep({ prisma, shop, flowKey: flow.key, step, order: real, locale, variantKey, recommendations, dueAt: now });
  } catch (err) {
    if (err instanceof VariantNotFoundError) return refused(400, err.message, "/testSend/variant");
    if (err instanceof UnrenderableStepError) {
      return { ok: false, status: 400, error: err.message, problems: err.problems.map((p) => ({ path: `${stepPath}${p.path}`, message: p.message })) };
    }
    throw err;
  }

  // Counted and recorded in one transaction that first writes the shop's row: concurrent test sends
  // of one shop (from any process) wait for each other, so the limit holds.
  const limit = config().mail.testSendsPerHour;
  const claim = await prisma.$transaction(async (tx) => {
    await tx.shop.update({ where: { domain: shopDomain }, data: { updatedAt: now } });
    const recent = await tx.followUp.findMany({
      where: { shop: shopDomain, isTest: true, dueAt: { gt: new Date(now.getTime() - TEST_SEND_WINDOW_MS) } },
      select: { dueAt: true },
    });
    const allowance = testSendAllowance({ limit, sentAt: recent.map((r) => r.dueAt), now });
    if (!allowance.allowed) return allowance;
    // The sample order is made here too, under the shop's row lock: two first tests cannot both create it.
    const orderRow =
      real ??
      (await tx.order.upsert({
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
    const followUp = await tx.followUp.create({
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
    return { allowed: true as const, followUp };
  });
  if (!claim.allowed) {
    // Shown to the minute, rounded up, so the time given is never too early.
    const nextAt = new Date(Math.ceil(claim.nextAt.getTime() / 60_000) * 60_000);
    return refused(
      429,
      `Your store sent ${limit} test emails in the last hour, the most an hour allows; you can send the next one at ${hhmm(nextAt)} UTC.`,
      null,
      { retryAt: claim.nextAt },
    );
  }
  const followUp = claim.followUp;
  const via = transport ?? transportForShop(shop, appTransport);
  try {
    const result = await via.send({
      shop: shopDomain,
      followUpId: followUp.id,
      to: { email: recipient },
      from: sender.from,
      ...(sender.replyTo ? { replyTo: sender.replyTo } : {}),
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
    // Kept with its code, as a follow-up's failure is: Messages words the cause from it.
    const code = err instanceof SendError ? failureCodeOfTransportError(err) : "unknown";
    await prisma.$transaction([
      prisma.followUp.update({ where: { id: followUp.id }, data: { status: "failed", lastError: `Test send failed: ${why}` } }),
      prisma.followUpEvent.create({ data: { followUpId: followUp.id, type: "failed", detail: `Test send failed: ${why}` } }),
      prisma.followUpFailure.create({ data: { followUpId: followUp.id, code, at: now } }),
    ]);
    return refused(502, `The test email could not be sent: ${why}`, null, { followUpId: followUp.id });
  }
}
