// Turns a template, the merchant's content and one order's values into what the email
// component renders: the content version for the customer's locale, defaults for what the
// merchant left out, variables filled as plain text, conditional blocks decided.
// Pure (no server, no React); renderFollowUp renders what it returns.
import {
  applyVariant,
  fillBlocks,
  fillVariables,
  fontStack,
  resolveLocaleVersion,
  type Brand,
  type ContentFacts,
  type EmailContent,
  type VariableValues,
} from "../domain/content";
import { defaultContent, templateDefinition, type TemplateId } from "../domain/templates";
import { ratingLinks, reviewAnchor, type ReviewApp } from "../domain/review-links";
import { emailLanguageOf, emailStrings, fillEmailString, pickEmailLanguage, type EmailLanguage } from "../i18n/emails";
import { formatMoney } from "../../emails/format";
import type { FollowUpEmailProps, PurchasedProduct, RecommendedProduct } from "../../emails/types";
import type { UtmTags } from "../../emails/utm";

// Everything one follow-up email is made of, gathered before rendering (prepare.server.ts).
export interface FollowUpInput {
  template: TemplateId;
  // The step's content (its subject and preview text included) and the A/B variant's override.
  content: EmailContent | null;
  variant?: EmailContent | null;
  customerLocale: string | null;
  shopLocale: string | null;
  brand?: Brand | null;
  shop: { name: string; url: string; logoUrl?: string | null; address?: string | null; timeZone?: string | null };
  customer: { firstName: string | null; firstTimeCustomer?: boolean | null };
  order: { name: string; currency: string; totalPrice?: string | null; countryCode?: string | null };
  purchased: PurchasedProduct[];
  recommendations: RecommendedProduct[];
  discount?: { code: string; percentage: number; endsAt: Date | null } | null;
  utm: UtmTags;
  unsubscribeUrl?: string | null;
  // A review request: the shop's review app and anchor override (Settings > Reviews), and the
  // products to ask about (null: every purchased product; the send leaves out those asked already).
  review?: { app: ReviewApp; shopAnchor: string | null; productIds: string[] | null } | null;
}

export interface ComposedEmail {
  subject: string;
  previewText: string;
  lang: EmailLanguage;
  // The merchant's locale version used, if any (e.g. "pl").
  contentLocale: string | null;
  props: FollowUpEmailProps;
}

/** The follow-up does not apply to this order (e.g. a replenishment reminder without consumables). */
export class FollowUpNotApplicableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FollowUpNotApplicableError";
  }
}

const fold = (s: string) => s.trim().toLowerCase();

function withAnchor(url: string | null, anchor: string): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    parsed.hash = anchor;
    return parsed.toString();
  } catch {
    return null;
  }
}

export function composeEmail(input: FollowUpInput): ComposedEmail {
  const definition = templateDefinition(input.template);
  const lang = pickEmailLanguage({ customerLocale: input.customerLocale, shopLocale: input.shopLocale });
  // Prices and dates in the customer's own regional form when their language is the email's.
  const locale =
    input.customerLocale && emailLanguageOf(input.customerLocale) === lang ? input.customerLocale.replace(/_/g, "-") : lang;
  const safeLocale = Intl.NumberFormat.supportedLocalesOf([locale]).length ? locale : lang;

  const merged = applyVariant(input.content, input.variant);
  const version = resolveLocaleVersion({
    content: merged,
    customerLocale: input.customerLocale,
    shopLocale: input.shopLocale,
  });
  const defaults = defaultContent(input.template, lang);
  const fields = { ...defaults, ...version.fields };

  let purchased = input.purchased;
  if (input.template === "replenishment" && merged?.consumables) {
    const types = (merged.consumables.productTypes ?? []).map(fold);
    const tags = (merged.consumables.productTags ?? []).map(fold);
    purchased = purchased.filter(
      (p) => (p.productType && types.includes(fold(p.productType))) || p.tags.some((t) => tags.includes(fold(t))),
    );
    if (purchased.length === 0) {
      throw new FollowUpNotApplicableError(
        `Order ${input.order.name} has no consumable products (types: ${types.join(", ") || "none"}; tags: ${tags.join(", ") || "none"}), so there is nothing to remind about.`,
      );
    }
  }
  const strings = emailStrings(lang);
  const isReviewRequest = input.template === "review-request";
  const asked = isReviewRequest ? input.review?.productIds : null;
  if (asked) purchased = purchased.filter((p) => asked.includes(p.id));
  const anchor = reviewAnchor({ app: input.review?.app ?? "custom", shopAnchor: input.review?.shopAnchor, stepAnchor: merged?.reviewAnchor });
  const listed = purchased.map((p) => ({
    ...p,
    linkUrl: isReviewRequest ? withAnchor(p.url, anchor) : p.url,
    ...(isReviewRequest
      ? {
          ratingLinks: ratingLinks({ productUrl: p.url, anchor }).map((l) => ({
            ...l,
            label: fillEmailString(strings.rateStars, { rating: String(l.rating) }),
          })),
        }
      : {}),
  }));

  const first = purchased[0];
  const percent = input.discount
    ? new Intl.NumberFormat(safeLocale, { style: "percent", maximumFractionDigits: 0 }).format(input.discount.percentage / 100)
    : null;
  const expiresOn = input.discount?.endsAt
    ? new Intl.DateTimeFormat(safeLocale, { dateStyle: "long", timeZone: input.shop.timeZone ?? "UTC" }).format(
        input.discount.endsAt,
      )
    : null;
  let total: string | null = null;
  if (input.order.totalPrice) {
    try {
      total = formatMoney({ amount: input.order.totalPrice, currencyCode: input.order.currency }, safeLocale);
    } catch {
      total = null;
    }
  }
  const values: VariableValues = {
    "customer.first_name": input.customer.firstName,
    "order.name": input.order.name,
    "order.total": total,
    "shop.name": input.shop.name,
    "shop.url": input.shop.url,
    "product.title": first?.title,
    "product.type": first?.productType,
    "product.url": first?.url,
    "discount.code": input.discount?.code,
    "discount.percentage": percent,
    "discount.expires_on": expiresOn,
  };
  const facts: ContentFacts = {
    productTypes: input.purchased.map((p) => p.productType).filter((t): t is string => Boolean(t)),
    productTags: input.purchased.flatMap((p) => p.tags),
    firstTimeCustomer: input.customer.firstTimeCustomer ?? null,
    countryCode: input.order.countryCode ?? null,
  };

  // A merchant line that fills to nothing falls back to the template's own words.
  const fillLine = (text: string | undefined, fallback: string) =>
    (text !== undefined ? fillVariables(text, values) : "") || fillVariables(fallback, values);
  const subject = fillLine(fields.subject, defaults.subject);
  const previewText = fillLine(fields.previewText, defaults.previewText);
  const heading = fillLine(fields.heading, defaults.heading);
  const blocks = fillBlocks(fields.blocks, values, facts);

  const brand = input.brand ?? {};
  const props: FollowUpEmailProps = {
    template: definition.id,
    lang,
    locale: safeLocale,
    shop: {
      name: input.shop.name,
      url: input.shop.url,
      logoUrl: brand.logoUrl ?? input.shop.logoUrl ?? null,
      address: input.shop.address ?? null,
      accentColor: brand.accentColor ?? null,
      fontFamily: brand.font ? fontStack(brand.font) : null,
    },
    orderName: input.order.name,
    previewText,
    heading,
    blocks,
    labels: {
      orderLine: fillEmailString(strings.orderLine, { order: input.order.name }),
      recommendationsHeading: strings.recommendationsHeading,
      viewProduct: strings.viewProduct,
      purchasedHeading: strings.purchasedHeading,
      writeReview: strings.writeReview,
      reorder: strings.reorder,
      visitStore: strings.visitStore,
      unsubscribePrompt: strings.unsubscribePrompt,
      unsubscribe: strings.unsubscribe,
    },
    recommendations: definition.needs.recommendations ? input.recommendations : [],
    purchased: listed,
    discount:
      input.discount && definition.needs.discount
        ? {
            code: input.discount.code,
            percentage: input.discount.percentage,
            expiresOn,
            heading: fillEmailString(strings.discountHeading, { percent: percent! }),
            codeLabel: strings.discountCodeLabel,
            terms: expiresOn ? fillEmailString(strings.discountValidUntil, { date: expiresOn }) : strings.discountOneOrder,
          }
        : null,
    utm: input.utm,
    unsubscribeUrl: input.unsubscribeUrl ?? null,
  };
  return { subject, previewText, lang, contentLocale: version.locale, props };
}

/**
 * A stored step's content as one object: FlowStep.subject and previewText are the base version's
 * subject and preview text unless the content sets its own. A subject still equal to the
 * template's English default counts as unset, so customers get the default in their language.
 */
export function stepContent({
  template,
  subject,
  previewText,
  content,
}: {
  template: TemplateId;
  subject: string | null;
  previewText: string | null;
  content: EmailContent | null;
}): EmailContent | null {
  const english = defaultContent(template, "en");
  const merged: EmailContent = { ...(content ?? {}) };
  if (merged.subject === undefined && subject && subject.trim() !== english.subject) merged.subject = subject;
  if (merged.previewText === undefined && previewText && previewText.trim() !== english.previewText)
    merged.previewText = previewText;
  return Object.keys(merged).length ? merged : null;
}
