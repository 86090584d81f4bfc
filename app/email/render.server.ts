import { plainTextSelectors, render } from "@react-email/render";
import { compile } from "html-to-text";
import { createElement, type ComponentType } from "react";
import CareGuideEmail from "../../emails/care-guide";
import CrossSellEmail from "../../emails/cross-sell";
import ReplenishmentEmail from "../../emails/replenishment";
import ReviewRequestEmail from "../../emails/review-request";
import ThankYouEmail from "../../emails/thank-you";
import type { FollowUpEmailProps } from "../../emails/types";
import type { TemplateId } from "../domain/templates";
import type { EmailLanguage } from "../i18n/emails";
import { composeEmail, type FollowUpInput } from "./compose";

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

export interface RenderedFollowUp {
  html: string;
  text: string;
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
    // A merchant's picture says its alt text there (react-email skips every img); a link around it follows.
    { selector: "img[data-alt-in-text]", format: "altText" },
    // A review request's star says what it rates ("Rate 4 out of 5") and where it goes, one per line.
    { selector: "a[data-rating-label]", format: "ratingLink" },
  ],
  formatters: {
    altText: (elem: { attribs?: Record<string, string> }, _walk: unknown, builder: { addInline: (text: string) => void }) => {
      const alt = elem.attribs?.alt?.trim();
      if (alt) builder.addInline(alt);
    },
    ratingLink: (
      elem: { attribs?: Record<string, string> },
      _walk: unknown,
      builder: { addInline: (text: string) => void; addLineBreak: () => void },
    ) => {
      const label = elem.attribs?.["data-rating-label"]?.trim();
      const href = elem.attribs?.href;
      if (!label || !href) return;
      builder.addLineBreak();
      builder.addInline(`${label}: ${href}`);
    },
  },
};

// What react-email's toPlainText(html, textOptions) does, with the options compiled once:
// toPlainText compiles them on every call, which costs more than converting the email.
export const htmlToText = compile({ wordwrap: false, ...textOptions, selectors: [...plainTextSelectors, ...textOptions.selectors] });

/**
 * The one way a follow-up email is rendered, for the customer and for the merchant's preview,
 * test send and message page alike: the step's content (and the A/B variant's override) in the
 * customer's locale version, the shop's brand, the order's values, recommendations and discount
 * code, all gathered beforehand (prepare.server.ts). Asks nothing of Shopify and writes nothing.
 * Returns the filled subject and preview text with the HTML and its text part.
 */
export async function renderFollowUp(input: FollowUpInput): Promise<RenderedFollowUp> {
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
