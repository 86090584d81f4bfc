import { render, toPlainText } from "@react-email/render";
import { createElement } from "react";
import ThankYouEmail from "../../emails/thank-you";
import type { ThankYouEmailProps } from "../../emails/types";

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

const textOptions = {
  // html-to-text upper-cases headings by default, which reads as shouting in a text part.
  selectors: [
    { selector: "h1", options: { uppercase: false } },
    { selector: "h2", options: { uppercase: false } },
  ],
};

export async function renderThankYouEmail(props: ThankYouEmailProps): Promise<RenderedEmail> {
  const html = await render(createElement(ThankYouEmail, props));
  assertUnderSizeLimit(html, `Thank-you email for order ${props.order.name} of ${props.shop.name}`);
  // Converting the rendered HTML gives the same text as render({ plainText: true }) without a second React render.
  const text = toPlainText(html, textOptions);
  return { html, text };
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
