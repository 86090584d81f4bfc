import { plainTextSelectors, render } from "@react-email/render";
import { compile } from "html-to-text";
import { createElement, type ComponentType } from "react";
import CareGuideEmail from "../../emails/care-guide";
import CrossSellEmail from "../../emails/cross-sell";
import ReplenishmentEmail from "../../emails/replenishment";
import ReviewRequestEmail from "../../emails/review-request";
import { sampleComposeInput } from "../../emails/samples";
import ThankYouEmail from "../../emails/thank-you";
import type { FollowUpEmailProps, PurchasedProduct, ThankYouEmailProps } from "../../emails/types";
import { parseBrand, validateBrand, validateContent, type Brand, type ContentProblem, type EmailContent } from "../domain/content";
import type { RecommendedProduct } from "../domain/recommendations.types";
import { isTemplateId, TEMPLATE_IDS, type TemplateId } from "../domain/templates";
import type { EmailLanguage } from "../i18n/emails";
import { composeEmail, stepContent, type ComposeInput } from "./compose";

// Gmail clips messages over 102 KB behind "View entire message", hiding the footer and its
// unsubscribe link. Counted in decimal kilobytes, the stricter reading of that limit.
export const EMAIL_SIZE_LIMIT_BYTES = 102_000;

export class EmailTooLargeError extends Error {
  constructor(
    message: string,
    readonly sizeBytes: number,
    readonly limitBytes: number,
  ) {
    super(message);
    this.name = "EmailTooLargeError";
  }
}

export interface RenderedEmail {
  html: string;
  text: string;
}

export interface RenderedFollowUp extends RenderedEmail {
  subject: string;
  previewText: string;
  lang: EmailLanguage;
  // The merchant's locale version used (e.g. "pl"), or null for the base version.
  contentLocale: string | null;
}

const COMPONENTS: Record<TemplateId, ComponentType<FollowUpEmailProps>> = {
  "thank-you": ThankYouEmail,
  "care-guide": CareGuideEmail,
  "review-request": ReviewRequestEmail,
  "cross-sell": CrossSellEmail,
  replenishment: ReplenishmentEmail,
};

export const textOptions = {
  // html-to-text upper-cases headings by default, which reads as shouting in a text part.
  selectors: [
    { selector: "h1", options: { uppercase: false } },
    { selector: "h2", options: { uppercase: false } },
  ],
};

// What react-email's toPlainText(html, textOptions) does, with the options compiled once:
// toPlainText compiles them on every call, which costs more than converting the email.
export const htmlToText = compile({ wordwrap: false, ...textOptions, selectors: [...plainTextSelectors, ...textOptions.selectors] });

/**
 * Renders any follow-up: the step's content (and the A/B variant's override) in the customer's
 * locale version, the shop's brand, the order's values, recommendations and discount code.
 * Returns the filled subject and preview text with the HTML and its text part.
 */
export async function renderFollowUpEmail(input: ComposeInput): Promise<RenderedFollowUp> {
  const composed = composeEmail(input);
  const html = await render(createElement(COMPONENTS[input.template], composed.props));
  assertUnderSizeLimit(html, `The ${input.template} email for order ${input.order.name} of ${input.shop.name}`);
  // Converting the rendered HTML gives the same text as render({ plainText: true }) without a second React render.
  const text = htmlToText(html);
  return {
    subject: composed.subject,
    previewText: composed.previewText,
    lang: composed.lang,
    contentLocale: composed.contentLocale,
    html,
    text,
  };
}

/** The thank-you email with its default English content (kept for callers that have only these props). */
export async function renderThankYouEmail(props: ThankYouEmailProps): Promise<RenderedEmail> {
  const { html, text } = await renderFollowUpEmail({
    template: "thank-you",
    content: props.previewText ? { previewText: props.previewText } : null,
    customerLocale: null,
    shopLocale: null,
    brand: { accentColor: props.shop.accentColor ?? null },
    shop: props.shop,
    customer: { firstName: props.customer.firstName ?? null },
    order: { name: props.order.name, currency: props.order.currency },
    purchased: [],
    recommendations: props.recommendations,
    utm: props.utm,
    unsubscribeUrl: props.unsubscribeUrl ?? null,
  });
  return { html, text };
}

// ---- Live preview for the admin editor ----

/** What the editor knows about the shop; `brand` may be the stored JSON text of Shop.brand. */
export interface PreviewShop {
  name: string;
  storefrontUrl?: string | null;
  domain?: string | null; // myshopify.com domain, when there is no storefront URL
  logoUrl?: string | null;
  address?: string | null;
  primaryLocale?: string | null;
  ianaTimezone?: string | null;
  brand?: Brand | string | null;
}

/** A real order to preview with; without one the sample order (Maya's #1042) is used. */
export interface PreviewOrder {
  name: string;
  currency: string;
  totalPrice?: string | null;
  countryCode?: string | null;
  locale?: string | null;
  firstName?: string | null;
  firstTimeCustomer?: boolean | null;
  purchased?: PurchasedProduct[];
  recommendations?: RecommendedProduct[];
}

export interface PreviewInput {
  shop: PreviewShop;
  // A stored FlowStep (content as its JSON text) or what the editor holds right now.
  step: {
    template: string;
    subject?: string | null;
    previewText?: string | null;
    content?: EmailContent | string | null;
  };
  // An A/B variant's content to preview instead of the step's fields it sets.
  variant?: EmailContent | null;
  // The customer locale to preview (e.g. "pl-PL"); default: the order's, else the shop's.
  locale?: string | null;
  order?: PreviewOrder | null;
}

export type PreviewResult =
  | { ok: true; email: RenderedFollowUp }
  | { ok: false; problems: ContentProblem[] };

/**
 * Renders what a customer would receive, for the editor: content problems come back as a list
 * (JSON pointers and plain-English messages) instead of an email.
 */
export async function renderPreview(input: PreviewInput): Promise<PreviewResult> {
  if (!isTemplateId(input.step.template)) {
    return {
      ok: false,
      problems: [{ path: "/template", message: `Unknown template "${input.step.template}". Choose one of: ${TEMPLATE_IDS.join(", ")}.` }],
    };
  }
  let content: unknown = input.step.content ?? null;
  if (typeof content === "string") {
    try {
      content = content.trim() ? JSON.parse(content) : null;
    } catch {
      return { ok: false, problems: [{ path: "", message: "The content is not valid JSON." }] };
    }
  }
  const brand = typeof input.shop.brand === "string" || input.shop.brand == null ? null : input.shop.brand;
  const problems = [
    ...validateContent(content),
    ...validateContent(input.variant ?? null).map((p) => ({ ...p, path: `/variant${p.path}` })),
    ...validateBrand(brand).map((p) => ({ ...p, path: `/brand${p.path}` })),
  ];
  if (problems.length) return { ok: false, problems };

  const template = input.step.template;
  const sample = sampleComposeInput(template);
  const order = input.order;
  const shop = input.shop;
  const email = await renderFollowUpEmail({
    ...sample,
    content: stepContent({
      template,
      subject: input.step.subject ?? null,
      previewText: input.step.previewText ?? null,
      content: content as EmailContent | null,
    }),
    variant: input.variant ?? null,
    customerLocale: input.locale ?? order?.locale ?? shop.primaryLocale ?? null,
    shopLocale: shop.primaryLocale ?? null,
    brand: brand ?? parseBrand(typeof shop.brand === "string" ? shop.brand : null),
    shop: {
      name: shop.name,
      url: shop.storefrontUrl ?? (shop.domain ? `https://${shop.domain}` : sample.shop.url),
      logoUrl: shop.logoUrl ?? null,
      address: shop.address ?? null,
      timeZone: shop.ianaTimezone ?? null,
    },
    ...(order
      ? {
          customer: { firstName: order.firstName ?? null, firstTimeCustomer: order.firstTimeCustomer ?? null },
          order: { name: order.name, currency: order.currency, totalPrice: order.totalPrice ?? null, countryCode: order.countryCode ?? null },
          purchased: order.purchased ?? [],
          recommendations: order.recommendations ?? [],
        }
      : {}),
    utm: { source: "afterglow", medium: "email", campaign: "preview" },
  });
  return { ok: true, email };
}

function assertUnderSizeLimit(html: string, what: string): void {
  const sizeBytes = Buffer.byteLength(html, "utf8");
  if (sizeBytes <= EMAIL_SIZE_LIMIT_BYTES) return;
  throw new EmailTooLargeError(
    `${what} is ${formatKb(sizeBytes)} (${sizeBytes} bytes), over Gmail's ${formatKb(EMAIL_SIZE_LIMIT_BYTES)} ` +
      `clipping limit (${EMAIL_SIZE_LIMIT_BYTES} bytes). Show fewer recommendations or shorter product titles.`,
    sizeBytes,
    EMAIL_SIZE_LIMIT_BYTES,
  );
}

function formatKb(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} KB`;
}
