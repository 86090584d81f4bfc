import { describe, expect, it } from "vitest";
import { toPlainText } from "@react-email/render";
import type { PrismaClient } from "@prisma/client";
import { EMAIL_SIZE_LIMIT_BYTES, renderFollowUp, textOptions } from "~/email/render.server";
import { composeEmail, FollowUpNotApplicableError } from "~/email/compose";
import { PREVIEW_DISCOUNT_CODE, type PreviewOrder, type PreviewShop } from "~/email/preview.server";
import { previewStep } from "~/services/flows/flow-editor.server";
import { TEMPLATE_IDS, type TemplateId } from "~/domain/templates";
import { EMAIL_LANGUAGES, emailStrings } from "~/i18n/emails";
import { SAFE_FONTS, validateBrand } from "~/domain/content";
import { SAMPLE_PURCHASED, SAMPLE_SHOP } from "../../emails/samples";
import { sampleFollowUpInput } from "../helpers/sample-email";
import CareGuideEmail from "../../emails/care-guide";
import CrossSellEmail from "../../emails/cross-sell";
import ReplenishmentEmail from "../../emails/replenishment";
import ReviewRequestEmail from "../../emails/review-request";
import ThankYouEmail from "../../emails/thank-you";

function decode(s: string): string {
  return s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&amp;/g, "&");
}
function visibleText(html: string): string {
  return decode(html.replace(/<!--[\s\S]*?-->/g, "").replace(/<[^>]+>/g, " "))
    .replace(/\s+/g, " ")
    .trim();
}
function hrefs(html: string): string[] {
  return [...html.matchAll(/<a\b[^>]*\shref="([^"]*)"/g)].map((m) => decode(m[1]));
}

const LOCALES = { en: "en-US", pl: "pl-PL", de: "de-DE", fr: "fr-FR", es: "es-ES" } as const;

describe("every template in every language", () => {
  for (const template of TEMPLATE_IDS) {
    for (const lang of EMAIL_LANGUAGES) {
      it(`${template} in ${lang}: HTML and text, translated, under the size limit`, async () => {
        const email = await renderFollowUp(sampleFollowUpInput(template, { customerLocale: LOCALES[lang] }));
        const strings = emailStrings(lang);
        expect(email.lang).toBe(lang);
        expect(email.html).toMatch(new RegExp(`<html[^>]*\\blang="${lang}"`));
        expect(Buffer.byteLength(email.html)).toBeLessThan(EMAIL_SIZE_LIMIT_BYTES);
        expect(email.html).toContain("max-width:600px");
        expect(email.subject.length).toBeGreaterThan(5);
        expect(email.subject).not.toContain("{{");
        const text = visibleText(email.html);
        expect(text).not.toContain("{{");
        expect(text).toContain(strings.orderLine.replace("{order}", "#1042"));
        expect(text).toContain(strings.unsubscribe);
        expect(text).toContain(strings.visitStore);
        // The text part says the same without markup.
        expect(email.text).not.toMatch(/<\/?[a-z][^>]*>/i);
        expect(email.text).toContain("#1042");
        expect(email.text).toContain(strings.unsubscribe);
        const productButton = {
          "thank-you": strings.viewProduct,
          "cross-sell": strings.viewProduct,
          "care-guide": strings.viewProduct,
          "review-request": strings.writeReview,
          replenishment: strings.reorder,
        }[template];
        expect(text).toContain(productButton);
        if (lang !== "en") expect(text).not.toContain(emailStrings("en").unsubscribePrompt);
      });
    }
  }

  it("shows prices and dates in the customer's regional form", async () => {
    const de = await renderFollowUp(sampleFollowUpInput("cross-sell", { customerLocale: "de-DE" }));
    expect(visibleText(de.html)).toContain("32,50 $");
    expect(visibleText(de.html)).toContain("Gültig bis 12. Dezember 2026 für eine Bestellung.");
    expect(visibleText(de.html)).toContain("15 % Rabatt auf Ihre nächste Bestellung");
    const en = await renderFollowUp(sampleFollowUpInput("cross-sell", { customerLocale: "en-US" }));
    expect(visibleText(en.html)).toContain("Valid until December 12, 2026, for one order.");
  });

  it("each component has preview props for email dev", () => {
    for (const component of [ThankYouEmail, CareGuideEmail, ReviewRequestEmail, CrossSellEmail, ReplenishmentEmail]) {
      expect(component.PreviewProps.orderName).toBe("#1042");
      expect(component.PreviewProps.heading).not.toContain("{{");
    }
  });

  it("the preview props are what the app composes for the sample order, so email dev shows what is sent", () => {
    const components = {
      "thank-you": ThankYouEmail,
      "care-guide": CareGuideEmail,
      "review-request": ReviewRequestEmail,
      "cross-sell": CrossSellEmail,
      replenishment: ReplenishmentEmail,
    };
    for (const template of TEMPLATE_IDS) {
      expect(components[template].PreviewProps).toEqual(composeEmail(sampleFollowUpInput(template)).props);
    }
  });
});

describe("locale fallback", () => {
  const content = {
    subject: "Thanks from the base",
    heading: "Base heading",
    locales: { pl: { subject: "Dzięki z wersji polskiej", heading: "Nagłówek" } },
  };

  it("uses the customer's version, then the shop's, then the base; fixed strings follow the customer", async () => {
    const pl = await renderFollowUp(sampleFollowUpInput("thank-you", { content, customerLocale: "pl-PL", shopLocale: "en" }));
    expect(pl).toMatchObject({ subject: "Dzięki z wersji polskiej", lang: "pl", contentLocale: "pl" });
    expect(visibleText(pl.html)).toContain("Nagłówek");
    expect(visibleText(pl.html)).toContain("Zamówienie #1042");

    const viaShop = await renderFollowUp(sampleFollowUpInput("thank-you", { content, customerLocale: "ja-JP", shopLocale: "pl" }));
    expect(viaShop).toMatchObject({ subject: "Dzięki z wersji polskiej", lang: "pl", contentLocale: "pl" });

    const base = await renderFollowUp(sampleFollowUpInput("thank-you", { content, customerLocale: "de-DE", shopLocale: "en" }));
    expect(base).toMatchObject({ subject: "Thanks from the base", lang: "de", contentLocale: null });
    expect(visibleText(base.html)).toContain("Bestellung #1042");

    const none = await renderFollowUp(sampleFollowUpInput("thank-you", { content: null, customerLocale: "it-IT", shopLocale: "ja" }));
    expect(none).toMatchObject({ subject: "Thank you for your order #1042", lang: "en" });
  });

  it("falls back to the template's default, in the email's language, for what the merchant left out", async () => {
    const fr = await renderFollowUp(
      sampleFollowUpInput("review-request", { content: { heading: "Votre avis compte" }, customerLocale: "fr-CA" }),
    );
    expect(fr.subject).toBe("Que pensez-vous de votre Cedar & Sage Soy Candle\u00a0?");
    expect(visibleText(fr.html)).toContain("Votre avis compte");
  });
});

describe("merchant content in the email", () => {
  it("fills variables with fallbacks in subject, preview and blocks", async () => {
    const content = {
      subject: 'For you, {{ customer.first_name | default: "friend" }}: {{ order.total }}',
      previewText: "{{ product.title }} at {{ shop.name }}",
      blocks: [{ type: "text" as const, text: 'Hello {{ customer.first_name | default: "friend" }}' }],
    };
    const named = await renderFollowUp(sampleFollowUpInput("thank-you", { content }));
    expect(named.subject).toBe("For you, Maya: $86.50");
    expect(named.previewText).toBe("Cedar & Sage Soy Candle at Juniper & Pine");
    const anonymous = await renderFollowUp(sampleFollowUpInput("thank-you", { content, customer: { firstName: null } }));
    expect(anonymous.subject).toBe("For you, friend: $86.50");
    expect(visibleText(anonymous.html)).toContain("Hello friend");
  });

  it("shows a merchant's picture at most 600 px wide with its alt text, linked; the text part says the alt text and link", async () => {
    const content = {
      blocks: [
        { type: "text" as const, text: "How to trim the wick:" },
        { type: "image" as const, url: "https://cdn.shopify.com/s/files/wick.jpg", alt: "Trimming a wick to 5 mm", link: "{{ shop.url }}/pages/care" },
        { type: "image" as const, url: "https://cdn.shopify.com/s/files/jar.jpg", alt: "An empty jar, cleaned" },
      ],
    };
    const email = await renderFollowUp(sampleFollowUpInput("care-guide", { content }));
    const img = /<img[^>]*src="https:\/\/cdn\.shopify\.com\/s\/files\/wick\.jpg"[^>]*>/.exec(email.html)?.[0] ?? "";
    expect(img).toContain('alt="Trimming a wick to 5 mm"');
    expect(img).toContain('width="600"');
    expect(img).toMatch(/style="[^"]*width:100%;max-width:600px;height:auto/);
    const linked = /<a[^>]*href="([^"]*)"[^>]*>\s*<img[^>]*wick\.jpg/.exec(email.html);
    expect(decode(linked?.[1] ?? "")).toMatch(/^https:\/\/juniper-and-pine\.myshopify\.com\/pages\/care\?utm_source=afterglow/);
    expect(email.text).toMatch(/How to trim the wick:\s+Trimming a wick to 5 mm https:\/\/juniper-and-pine\.myshopify\.com\/pages\/care\?utm_source=afterglow\S*\s+An empty jar, cleaned/);
    expect(email.text).not.toContain("wick.jpg");
  });

  it("care guide: shows the blocks for the order's product types and tags only", async () => {
    const email = await renderFollowUp(sampleFollowUpInput("care-guide"));
    const text = visibleText(email.html);
    expect(text).toContain("Candles: on the first light");
    expect(text).toContain("Wood: wash by hand");
    const candleOnly = await renderFollowUp(sampleFollowUpInput("care-guide", { purchased: [SAMPLE_PURCHASED[0]] }));
    expect(visibleText(candleOnly.html)).toContain("Candles: on the first light");
    expect(visibleText(candleOnly.html)).not.toContain("Wood: wash by hand");
    // FAQ links, tagged for attribution.
    expect(hrefs(email.html).find((h) => h.includes("/pages/faq") && h.endsWith("#candles"))).toMatch(
      /utm_campaign=care-guide.*#candles$/,
    );
  });

  it("shows first-time and country blocks by the order", async () => {
    const content = {
      blocks: [
        { type: "conditional" as const, when: { customer: "first_time" as const }, blocks: [{ type: "text" as const, text: "Welcome aboard" }] },
        { type: "conditional" as const, when: { customer: "returning" as const }, blocks: [{ type: "text" as const, text: "Welcome back" }] },
        { type: "conditional" as const, when: { countries: ["PL"] }, blocks: [{ type: "text" as const, text: "Darmowa dostawa" }] },
      ],
    };
    const first = visibleText((await renderFollowUp(sampleFollowUpInput("thank-you", { content }))).html);
    expect(first).toContain("Welcome aboard");
    expect(first).not.toContain("Welcome back");
    expect(first).not.toContain("Darmowa dostawa");
    const returningPl = visibleText(
      (
        await renderFollowUp(
          sampleFollowUpInput("thank-you", {
            content,
            customer: { firstName: "Ola", firstTimeCustomer: false },
            order: { name: "#1043", currency: "PLN", countryCode: "PL" },
          }),
        )
      ).html,
    );
    expect(returningPl).toContain("Welcome back");
    expect(returningPl).toContain("Darmowa dostawa");
  });

  it("review request: links each purchased product to its review section, with five stars before the button", async () => {
    const standard = await renderFollowUp(sampleFollowUpInput("review-request"));
    const links = hrefs(standard.html).filter((h) => h.includes("/products/"));
    // Per product: five star links (rating 1–5), then the "Write a review" button without a rating.
    expect(links).toHaveLength(12);
    expect(links.map((l) => new URL(l).searchParams.get("rating"))).toEqual(["1", "2", "3", "4", "5", null, "1", "2", "3", "4", "5", null]);
    for (const link of links) {
      expect(link).toMatch(/#reviews$/);
      expect(new URL(link).searchParams.get("utm_campaign")).toBe("review-request");
    }
    expect(standard.html).toContain('aria-label="Rate 5 out of 5"');
    expect(standard.text).toMatch(/^Rate 1 out of 5: https:\/\/\S+\?rating=1&utm_source=\S+#reviews$/m);
    const custom = await renderFollowUp(sampleFollowUpInput("review-request", { content: { reviewAnchor: "#judgeme_product_reviews" } }));
    expect(hrefs(custom.html).filter((h) => h.endsWith("#judgeme_product_reviews"))).toHaveLength(12);
    // The shop's review app gives the anchor when the step sets none; the step's wins.
    const judgeme = await renderFollowUp(sampleFollowUpInput("review-request", { review: { app: "judgeme", shopAnchor: null, productIds: null } }));
    expect(hrefs(judgeme.html).filter((h) => h.endsWith("#judgeme_product_reviews"))).toHaveLength(12);
    const only = await renderFollowUp(sampleFollowUpInput("review-request", { review: { app: "custom", shopAnchor: "#r", productIds: [SAMPLE_PURCHASED[1].id] } }));
    expect(hrefs(only.html).filter((h) => h.endsWith("#r")).map((h) => new URL(h).pathname)).toEqual(Array(6).fill(new URL(SAMPLE_PURCHASED[1].url!).pathname));
  });

  it("replenishment: lists only the consumables, and does not apply to an order without any", async () => {
    const email = await renderFollowUp(sampleFollowUpInput("replenishment"));
    expect(visibleText(email.html)).toContain("Cedar & Sage Soy Candle");
    expect(visibleText(email.html)).not.toContain("Walnut Serving Board");
    expect(email.subject).toBe("Time to restock your Cedar & Sage Soy Candle?");
    await expect(renderFollowUp(sampleFollowUpInput("replenishment", { purchased: [SAMPLE_PURCHASED[1]] }))).rejects.toThrow(
      FollowUpNotApplicableError,
    );
    const byTag = await renderFollowUp(
      sampleFollowUpInput("replenishment", { content: { consumables: { productTags: ["WOOD"] } } }),
    );
    expect(visibleText(byTag.html)).toContain("Walnut Serving Board");
  });

  it("cross-sell: shows the code in HTML and text", async () => {
    const email = await renderFollowUp(sampleFollowUpInput("cross-sell"));
    expect(visibleText(email.html)).toContain("THANKS-7QK2M9XD");
    expect(email.text).toContain("THANKS-7QK2M9XD");
    const without = await renderFollowUp(sampleFollowUpInput("cross-sell", { discount: null }));
    expect(visibleText(without.html)).not.toContain("off your next order");
  });
});

describe("escaping merchant and customer text", () => {
  const hostile = '<script>alert("x")</script> "><img src=x onerror=alert(1)>';

  it.each(TEMPLATE_IDS.map((t) => [t]))("%s renders hostile text inert in HTML and literal in text", async (template) => {
    const email = await renderFollowUp(
      sampleFollowUpInput(template as TemplateId, {
        content: {
          subject: `Hi ${hostile}`,
          heading: hostile,
          blocks: [
            { type: "text", text: `Note: ${hostile}\n\n{{ customer.first_name }}` },
            { type: "button", text: hostile, url: 'https://shop.example/x"><script>alert(3)</script>' },
            { type: "links", heading: hostile, links: [{ text: hostile, url: "https://shop.example/faq" }] },
            { type: "products", heading: hostile },
            ...(template === "replenishment" ? [] : []),
          ],
          ...(template === "replenishment" ? { consumables: { productTypes: ["Candle"] } } : {}),
        },
        customer: { firstName: '"><img src=y onerror=alert(2)>', firstTimeCustomer: true },
      }),
    );
    expect(email.html).not.toMatch(/<script/i);
    expect(email.html).not.toMatch(/<img[^>]*onerror/i);
    expect(email.html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(visibleText(email.html)).toContain(`Note: ${hostile}`);
    expect(email.text).toContain(`Note: ${hostile}`);
    expect(email.text).toContain('"><img src=y onerror=alert(2)>');
    // Subjects are plain text headers: kept literal, never HTML.
    expect(email.subject).toBe(`Hi ${hostile}`);
  });
});

describe("brand", () => {
  it("applies the accent colour to buttons and the safe font to the body", async () => {
    const email = await renderFollowUp(
      sampleFollowUpInput("review-request", {
        brand: { accentColor: "#c0ffee", font: "Georgia", logoUrl: "https://cdn.example/brand-logo.png" },
      }),
    );
    expect(email.html).toContain("background-color:#c0ffee");
    expect(email.html).toContain(`font-family:${SAFE_FONTS.Georgia.replace(/"/g, "&quot;")}`);
    expect(email.html).toContain('src="https://cdn.example/brand-logo.png"');
  });

  const BRAND = { logoUrl: "https://cdn.shopify.com/s/files/1/0001/files/juniper-logo.png?v=1", accentColor: "#8a2be2", font: "Verdana" } as const;
  const tagsOf = (html: string, name: string) => [...html.matchAll(new RegExp(`<${name}\\b[^>]*>`, "g"))].map((m) => m[0]);
  // React Email's Body puts the body's text styles on the cell that wraps the whole email.
  const bodyCell = (html: string) => tagsOf(html.slice(html.indexOf("<body")), "td")[0];

  it.each(TEMPLATE_IDS.map((t) => [t]))("%s carries the logo (store name as alt), the accent on buttons, links and the heading, and the font", async (template) => {
    const email = await renderFollowUp(sampleFollowUpInput(template, { brand: BRAND, shop: { ...SAMPLE_SHOP, logoUrl: null } }));
    const logo = tagsOf(email.html, "img").find((tag) => tag.includes(`src="${BRAND.logoUrl.replace(/&/g, "&amp;")}"`));
    expect(logo, "the logo in the header").toBeDefined();
    expect(logo).toContain(`alt="${SAMPLE_SHOP.name.replace(/&/g, "&amp;")}"`);
    // Buttons: every template shows at least one (products, reorder, review, recommendations).
    expect(tagsOf(email.html, "a").some((a) => a.includes("background-color:#8a2be2"))).toBe(true);
    // Links: the footer's store link; the heading's accent: the rule under it.
    expect(tagsOf(email.html, "a").some((a) => /[";]color:#8a2be2/.test(a) && !a.includes("background-color:#8a2be2"))).toBe(true);
    expect(tagsOf(email.html, "hr").some((hr) => hr.includes("border-top:3px solid #8a2be2"))).toBe(true);
    expect(bodyCell(email.html)).toContain(`font-family:${SAFE_FONTS.Verdana}`);
    // Nothing of the default accent is left.
    expect(email.html).not.toContain("#2f5d50");
  });

  it.each(TEMPLATE_IDS.map((t) => [t]))("%s without a brand shows the store name and the default accent and font", async (template) => {
    const email = await renderFollowUp(sampleFollowUpInput(template, { brand: null, shop: { ...SAMPLE_SHOP, logoUrl: null } }));
    expect(tagsOf(email.html, "img").some((tag) => tag.includes(`alt="${SAMPLE_SHOP.name.replace(/&/g, "&amp;")}"`))).toBe(false);
    expect(visibleText(email.html).startsWith(SAMPLE_SHOP.name) || visibleText(email.html).includes(` ${SAMPLE_SHOP.name} `)).toBe(true);
    expect(email.text.split("\n").find((line) => line.trim())).toContain(SAMPLE_SHOP.name);
    expect(tagsOf(email.html, "a").some((a) => a.includes("background-color:#2f5d50"))).toBe(true);
    expect(tagsOf(email.html, "hr").some((hr) => hr.includes("border-top:3px solid #2f5d50"))).toBe(true);
    expect(bodyCell(email.html)).toContain(`font-family:${SAFE_FONTS.System.replace(/"/g, "&quot;")}`);
  });

  it("the editor preview refuses bad content with the reasons; a stored brand it cannot use is left out", async () => {
    await expect(
      previewStep({
        prisma: noDatabase,
        shop: shopOf({ name: "Juniper & Pine", brand: JSON.stringify({ font: "Comic Sans MS", accentColor: "blue" }) }),
        flowKey: "after-purchase",
        step: stepOf({ template: "thank-you", content: { blocks: [{ type: "button", text: "Go", url: "javascript:x" }] } }),
        order: null,
      }),
    ).rejects.toThrow(/cannot be shown: \/blocks\/0\/url: /);
    const problems = validateBrand({ font: "Comic Sans MS", accentColor: "blue" });
    expect(problems.map((p) => p.path)).toEqual(["/accentColor", "/font"]);
    expect(problems[1].message).toMatch(/Unknown font "Comic Sans MS"/);
    const email = await previewStep({
      prisma: noDatabase,
      shop: shopOf({ name: "Juniper & Pine", brand: JSON.stringify({ font: "Comic Sans MS", accentColor: "blue" }) }),
      flowKey: "after-purchase",
      step: stepOf({ template: "thank-you" }),
      order: null,
    });
    expect(email.html).not.toContain("Comic Sans");
    expect(email.html).not.toContain("background-color:blue");
  });
});

// The preview reads the database only for a real order's products; these previews need none.
const noDatabase = {} as PrismaClient;

function shopOf(overrides: Partial<PreviewShop>): PreviewShop {
  return {
    domain: "salt-and-pine.myshopify.com",
    name: null,
    storefrontUrl: null,
    logoUrl: null,
    address: null,
    primaryLocale: null,
    ianaTimezone: null,
    brand: null,
    ...overrides,
  };
}

function stepOf(overrides: Partial<Parameters<typeof previewStep>[0]["step"]>): Parameters<typeof previewStep>[0]["step"] {
  return { key: "step-1", template: "thank-you", subject: "", previewText: "", content: null, ...overrides };
}

function orderOf(overrides: Partial<PreviewOrder>): PreviewOrder {
  return {
    name: "#77",
    customerId: null,
    firstName: null,
    locale: null,
    currency: "EUR",
    totalPrice: "40.00",
    countryCode: null,
    productIds: "[]",
    lineItems: null,
    customerOrdersCount: null,
    ...overrides,
  };
}

describe("the editor's preview", () => {
  it("renders a stored step with the sample order in the requested locale", async () => {
    const email = await previewStep({
      prisma: noDatabase,
      shop: shopOf({ name: "Salt & Pine", storefrontUrl: "https://salt.example", primaryLocale: "de", brand: '{"accentColor":"#123456"}' }),
      flowKey: "after-purchase",
      step: stepOf({
        template: "cross-sell",
        subject: "Für dich, {{ customer.first_name }}",
        content: { discount: { percentage: 20, expiresInDays: 7 }, locales: { es: { subject: "Para ti" } } },
      }),
      order: null,
      locale: "es-MX",
    });
    expect(email.subject).toBe("Para ti");
    expect(email.html).toMatch(/<html[^>]*\blang="es"/);
    expect(visibleText(email.html)).toContain("Salt & Pine");
    expect(email.html).toContain("background-color:#123456");

    const german = await previewStep({
      prisma: noDatabase,
      shop: shopOf({ name: "Salt & Pine", primaryLocale: "de" }),
      flowKey: "after-purchase",
      step: stepOf({ template: "cross-sell", subject: "Für dich, {{ customer.first_name }}" }),
      order: orderOf({ name: "#77", currency: "EUR", firstName: "Jonas", locale: null }),
    });
    expect(german.subject).toBe("Für dich, Jonas");
    expect(visibleText(german.html)).toContain("Bestellung #77");
  });

  it("shows a cross-sell with the step's own discount and a code that is clearly not real", async () => {
    const now = new Date("2026-11-28T12:00:00Z");
    const email = await previewStep({
      prisma: noDatabase,
      shop: shopOf({ name: "Salt & Pine", ianaTimezone: "Europe/Warsaw" }),
      flowKey: "after-purchase",
      step: stepOf({ template: "cross-sell", content: { discount: { percentage: 10, expiresInDays: 30 } } }),
      order: null,
      dueAt: now,
    });
    const text = visibleText(email.html);
    // 30 days after the preview, not the sample's 15 % until December 12.
    expect(text).toContain("10% off your next order");
    expect(text).toContain("Valid until December 28, 2026, for one order.");
    expect(text).toContain(PREVIEW_DISCOUNT_CODE);
    expect(text).not.toContain("15%");
    expect(text).not.toContain("December 12");
    expect(email.text).toContain(PREVIEW_DISCOUNT_CODE);
  });

  it("names an unknown template", async () => {
    await expect(
      previewStep({ prisma: noDatabase, shop: shopOf({ name: "X" }), flowKey: "f", step: stepOf({ template: "newsletter" }), order: null }),
    ).rejects.toThrow('There is no email template "newsletter"');
  });
});

describe("text part", () => {
  it("is exactly react-email's toPlainText of the HTML, with the options compiled once", async () => {
    for (const template of TEMPLATE_IDS) {
      const email = await renderFollowUp(sampleFollowUpInput(template, { customerLocale: "pl-PL" }));
      expect(email.text).toBe(toPlainText(email.html, textOptions));
      // Headings keep their case; links read as "text https://…" without brackets.
      expect(email.text).not.toMatch(/\[https?:/);
    }
  });
});
