import { describe, expect, it } from "vitest";
import {
  applyVariant,
  conditionHolds,
  fillBlocks,
  fillVariables,
  parseBrand,
  parseContent,
  InvalidContentError,
  resolveLocaleVersion,
  validateBrand,
  validateContent,
  type ContentFacts,
  type EmailContent,
} from "~/domain/content";
import { defaultContent, TEMPLATE_CATEGORY, TEMPLATE_IDS, TEMPLATES, templateDefinition } from "~/domain/templates";
import { EMAIL_LANGUAGES, emailStrings, pickEmailLanguage } from "~/i18n/emails";
import { TEMPLATE_CATEGORY as FLOW_TEMPLATE_CATEGORY } from "~/domain/flows";
import { stepContent } from "~/email/compose";

const facts: ContentFacts = { productTypes: ["Candle"], productTags: ["soy", "Gift"], firstTimeCustomer: true, countryCode: "PL" };

describe("template registry", () => {
  it("has the five templates, each marketing or service, with defaults in every language", () => {
    expect([...TEMPLATE_IDS]).toEqual(["thank-you", "care-guide", "review-request", "cross-sell", "replenishment"]);
    expect(TEMPLATE_CATEGORY).toEqual({
      "thank-you": "marketing",
      "care-guide": "service",
      "review-request": "marketing",
      "cross-sell": "marketing",
      replenishment: "marketing",
    });
    expect(FLOW_TEMPLATE_CATEGORY).toBe(TEMPLATE_CATEGORY);
    expect(TEMPLATES["cross-sell"].needs).toEqual({ recommendations: true, discount: true, purchasedProducts: false });
    expect(TEMPLATES["review-request"].needs.purchasedProducts).toBe(true);
    for (const id of TEMPLATE_IDS) {
      for (const lang of EMAIL_LANGUAGES) {
        const content = defaultContent(id, lang);
        // The defaults are valid merchant content themselves.
        expect(validateContent(content), `${id}/${lang}`).toEqual([]);
        expect(content.blocks.some((b) => b.type === "products")).toBe(true);
      }
    }
    expect(() => templateDefinition("newsletter")).toThrow(/no email template "newsletter".*thank-you, care-guide/);
  });

  it("translates every fixed string, and not into English", () => {
    const en = emailStrings("en");
    for (const lang of EMAIL_LANGUAGES.filter((l) => l !== "en")) {
      const strings = emailStrings(lang);
      expect(Object.keys(strings).sort()).toEqual(Object.keys(en).sort());
      for (const [key, value] of Object.entries(strings)) {
        expect(value, `${lang}.${key}`).toBeTruthy();
        expect(value, `${lang}.${key}`).not.toBe(en[key as keyof typeof en]);
      }
    }
  });
});

describe("language of the email", () => {
  it.each([
    ["pl-PL", "en", "pl"],
    ["de_AT", "fr", "de"],
    ["FR", null, "fr"],
    ["pt-BR", "es", "es"],
    ["pt-BR", "ja", "en"],
    [null, "pl", "pl"],
    [null, null, "en"],
    ["", "de-DE", "de"],
  ])("customer %j, shop %j -> %s", (customerLocale, shopLocale, lang) => {
    expect(pickEmailLanguage({ customerLocale, shopLocale })).toBe(lang);
  });
});

describe("variables", () => {
  it("fills values as plain text, uses the merchant's fallback, and tidies empty ones", () => {
    expect(fillVariables('Hi {{ customer.first_name | default: "there" }}!', { "customer.first_name": "Ada" })).toBe("Hi Ada!");
    expect(fillVariables('Hi {{ customer.first_name | default: "there" }}!', { "customer.first_name": "  " })).toBe("Hi there!");
    expect(fillVariables("Hi {{ customer.first_name }}, thanks", {})).toBe("Hi, thanks");
    expect(fillVariables('{{ shop.name | default: "a \\"quoted\\" shop" }}', {})).toBe('a "quoted" shop');
    expect(fillVariables("{{order.name}} from {{ shop.name }}", { "order.name": "#7", "shop.name": "<b>Salt</b>" })).toBe(
      "#7 from <b>Salt</b>",
    );
    // A value that looks like a variable is not filled again.
    expect(fillVariables("{{ customer.first_name }}", { "customer.first_name": "{{ shop.name }}", "shop.name": "X" })).toBe(
      "{{ shop.name }}",
    );
    expect(fillVariables("Line one\n\nLine {{ order.name }}", { "order.name": "#1" }, { multiline: true })).toBe(
      "Line one\n\nLine #1",
    );
  });
});

describe("validateContent", () => {
  const messages = (input: unknown) => validateContent(input).map((p) => `${p.path}: ${p.message}`);

  it("accepts full content with conditions, links, locales and settings", () => {
    const content: EmailContent = {
      subject: "Thanks {{ customer.first_name | default: \"friend\" }}",
      previewText: "Order {{ order.name }}",
      heading: "Hello",
      blocks: [
        { type: "text", text: "Total {{ order.total }}" },
        { type: "button", text: "Shop", url: "{{ shop.url }}/collections/all" },
        { type: "links", heading: "FAQ", links: [{ text: "Care", url: "https://shop.example/faq#care" }] },
        { type: "conditional", when: { productTypes: ["Candle"], customer: "first_time", countries: ["PL"] }, blocks: [{ type: "products" }] },
        { type: "discount" },
      ],
      reviewAnchor: "#judgeme_product_reviews",
      discount: { percentage: 15, expiresInDays: 30 },
      consumables: { productTags: ["refill"] },
      locales: { pl: { subject: "Dzięki" }, "pt-BR": { heading: "Olá" } },
    };
    expect(validateContent(content)).toEqual([]);
    expect(parseContent(JSON.stringify(content))).toEqual(content);
  });

  it("names the field and says what is wrong", () => {
    expect(
      messages({
        subject: "Hi {{ customer.name }}",
        heading: "Hi {{ customer.first_name",
        previewText: "x".repeat(201),
        blocks: [
          { type: "text", text: "{{ order.name | upper }}" },
          { type: "button", text: "Go", url: "javascript:alert(1)" },
          { type: "button", text: "Go", url: "{{ customer.first_name }}" },
          { type: "links", links: [{ text: "FAQ", url: "faq.html" }] },
          { type: "video" },
          { type: "conditional", when: { weather: "sunny" }, blocks: [] },
          { type: "conditional", when: { countries: ["Poland"] }, blocks: [] },
        ],
        discount: { percentage: 150, expiresInDays: 0.5 },
        locales: { polish: {}, de: { subject: "{{ shop.owner }}" } },
        colour: "red",
      }),
    ).toEqual([
      '/colour: Unknown setting "colour". Allowed here: subject, previewText, heading, blocks, reviewAnchor, discount, consumables, locales.',
      expect.stringMatching(/^\/subject: Unknown variable "customer\.name"\. Use one of: customer\.first_name, order\.name/),
      "/previewText: Too long: 201 characters, at most 200.",
      '/heading: "{{" at character 4 is never closed: end the variable with "}}".',
      '/blocks/0/text: "{{ order.name | upper }}" is not a variable. Write it like {{ customer.first_name }} or {{ customer.first_name | default: "there" }}.',
      "/blocks/1/url: Links must start with https:// (or http://), not javascript:.",
      "/blocks/2/url: A link may start with {{ shop.url }} or {{ product.url }}, not {{ customer.first_name }}.",
      '/blocks/3/links/0/url: "faq.html" is not a full web address; it must start with https://.',
      '/blocks/4/type: Unknown block type "video". Use one of: text, button, image, links, products, discount, conditional.',
      '/blocks/5/when/weather: Unknown setting "weather". Allowed here: productTypes, productTags, customer, countries.',
      "/blocks/5/when: Choose at least one of: product types, product tags, customer, countries.",
      '/blocks/6/when/countries: "Poland" is not a two-letter country code such as US or PL.',
      "/discount/percentage: The discount percentage must be between 1 and 100.",
      "/discount/expiresInDays: The number of days the code stays valid must be between 1 and 365.",
      '/locales/polish: "polish" is not a locale such as pl, de or pt-BR.',
      expect.stringMatching(/^\/locales\/de\/subject: Unknown variable "shop\.owner"/),
    ]);
  });

  it("throws one error listing every problem from parseContent", () => {
    expect(() => parseContent({ subject: "" })).toThrow(InvalidContentError);
    expect(() => parseContent('{"blocks":[{"type":"text","text":"{{"}]}')).toThrow(/\/blocks\/0\/text: "\{\{" at character 1 is never closed/);
  });
});

describe("image blocks", () => {
  const picture = { type: "image", url: "https://cdn.shopify.com/s/files/care.jpg", alt: "Trimming a wick", link: "{{ shop.url }}/pages/care" };

  it("accept an https picture with alt text and an optional link", () => {
    expect(validateContent({ blocks: [picture] })).toEqual([]);
    expect(validateContent({ blocks: [{ type: "image", url: "https://cdn.example/a.png", alt: "A candle" }] })).toEqual([]);
  });

  it("refuse a picture that is not https, has no alt text or an unusable link, at the field", () => {
    expect(validateContent({ blocks: [{ ...picture, url: "http://cdn.example/a.png" }] })).toEqual([
      { path: "/blocks/0/url", message: "Pictures must come from an https:// address, not http:." },
    ]);
    expect(validateContent({ blocks: [{ ...picture, url: "{{ product.url }}" }] })[0].path).toBe("/blocks/0/url");
    expect(validateContent({ blocks: [{ type: "image", alt: "x" }] })).toEqual([{ path: "/blocks/0/url", message: "A picture needs its https:// address." }]);
    expect(validateContent({ blocks: [{ ...picture, alt: "  " }] }).map((p) => p.path)).toEqual(["/blocks/0/alt"]);
    expect(validateContent({ blocks: [{ ...picture, link: "javascript:alert(1)" }] }).map((p) => p.path)).toEqual(["/blocks/0/link"]);
    expect(validateContent({ blocks: [{ ...picture, width: 300 }] })).toEqual([
      { path: "/blocks/0/width", message: "Unknown setting \"width\". Allowed here: type, url, alt, link." },
    ]);
    expect(validateContent({ locales: { pl: { blocks: [{ ...picture, alt: "" }] } } }).map((p) => p.path)).toEqual(["/locales/pl/blocks/0/alt"]);
  });

  it("fill the alt text and link, and leave out a link that goes nowhere", () => {
    expect(fillBlocks([picture as never], { "shop.url": "https://shop.example" }, facts)).toEqual([
      { type: "image", url: "https://cdn.shopify.com/s/files/care.jpg", alt: "Trimming a wick", link: "https://shop.example/pages/care" },
    ]);
    expect(fillBlocks([picture as never], {}, facts)).toEqual([{ type: "image", url: "https://cdn.shopify.com/s/files/care.jpg", alt: "Trimming a wick", link: null }]);
  });
});

describe("conditional blocks", () => {
  it("shows a block only when every condition set holds (any value of a list)", () => {
    expect(conditionHolds({ productTypes: ["candle", "Soap"] }, facts)).toBe(true);
    expect(conditionHolds({ productTags: ["gift"] }, facts)).toBe(true);
    expect(conditionHolds({ productTags: ["wood"] }, facts)).toBe(false);
    expect(conditionHolds({ customer: "first_time", countries: ["pl"] }, facts)).toBe(true);
    expect(conditionHolds({ customer: "returning" }, facts)).toBe(false);
    expect(conditionHolds({ customer: "first_time" }, { ...facts, firstTimeCustomer: null })).toBe(false);
    expect(conditionHolds({ productTypes: ["Candle"], countries: ["DE"] }, facts)).toBe(false);
  });

  it("fills nested blocks and drops links that end up going nowhere", () => {
    const blocks = fillBlocks(
      [
        { type: "text", text: "Hi {{ customer.first_name }}" },
        {
          type: "conditional",
          when: { productTypes: ["Candle"] },
          blocks: [
            { type: "text", text: "Trim the wick.\n\nBurn 2 hours." },
            { type: "conditional", when: { customer: "returning" }, blocks: [{ type: "text", text: "Welcome back" }] },
          ],
        },
        { type: "conditional", when: { productTypes: ["Knife"] }, blocks: [{ type: "text", text: "Sharpen it" }] },
        { type: "button", text: "See it", url: "{{ product.url }}" },
        { type: "button", text: "Shop", url: "{{ shop.url }}/collections/all" },
      ],
      { "customer.first_name": "Ada", "shop.url": "https://shop.example" },
      facts,
    );
    expect(blocks).toEqual([
      { type: "text", paragraphs: ["Hi Ada"] },
      { type: "text", paragraphs: ["Trim the wick.", "Burn 2 hours."] },
      { type: "button", text: "Shop", url: "https://shop.example/collections/all" },
    ]);
  });
});

describe("locale versions", () => {
  const content: EmailContent = {
    subject: "Thanks",
    heading: "Hello",
    locales: { pl: { subject: "Dzięki" }, "de-CH": { subject: "Merci vielmal" }, de: { subject: "Danke", heading: "Hallo" } },
  };

  it.each([
    ["pl-PL", "en", "pl", { subject: "Dzięki", heading: "Hello" }],
    ["de-CH", "en", "de-CH", { subject: "Merci vielmal", heading: "Hello" }],
    ["de-AT", "en", "de", { subject: "Danke", heading: "Hallo" }],
    ["ja", "pl", "pl", { subject: "Dzięki", heading: "Hello" }],
    ["ja", "it", null, { subject: "Thanks", heading: "Hello" }],
    [null, null, null, { subject: "Thanks", heading: "Hello" }],
  ])("customer %j, shop %j -> version %j", (customerLocale, shopLocale, locale, fields) => {
    expect(resolveLocaleVersion({ content, customerLocale, shopLocale })).toEqual({ fields, locale });
  });

  it("lets an A/B variant replace the fields it sets, in every locale", () => {
    const merged = applyVariant(content, { subject: "Variant B" });
    expect(resolveLocaleVersion({ content: merged, customerLocale: "pl", shopLocale: null }).fields).toEqual({
      subject: "Variant B",
      heading: "Hello",
    });
    expect(resolveLocaleVersion({ content: merged, customerLocale: "en", shopLocale: null }).fields.subject).toBe("Variant B");
    expect(applyVariant(content, null)).toBe(content);
  });

  it("treats a step subject left at the English default as unset, so it is translated", () => {
    expect(stepContent({ template: "thank-you", subject: "Thank you for your order {{ order.name }}", previewText: null, content: null })).toBeNull();
    expect(stepContent({ template: "thank-you", subject: "Our thanks", previewText: null, content: { heading: "Hi" } })).toEqual({
      subject: "Our thanks",
      heading: "Hi",
    });
  });
});

describe("brand", () => {
  it("accepts an https logo, a #rrggbb accent and a safe font", () => {
    expect(validateBrand({ logoUrl: "https://cdn.example/logo.png", accentColor: "#2F5D50", font: "Georgia" })).toEqual([]);
    expect(validateBrand(null)).toEqual([]);
  });

  it("refuses what would be unsafe or unreadable, with the reason", () => {
    expect(validateBrand({ logoUrl: "http://cdn.example/logo.png", accentColor: "red;background:url(x)", font: "Comic Sans MS", size: 3 })).toEqual([
      { path: "/size", message: 'Unknown setting "size". Allowed here: logoUrl, accentColor, font.' },
      { path: "/logoUrl", message: "The logo must be an https:// image address." },
      { path: "/accentColor", message: '"red;background:url(x)" is not a colour like #2f5d50 (a # and six hex digits).' },
      {
        path: "/font",
        message:
          'Unknown font "Comic Sans MS". Choose one that every mail client has: System, Arial, Helvetica, Verdana, Tahoma, Trebuchet MS, Georgia, Times New Roman, Courier New.',
      },
    ]);
    expect(validateBrand({ accentColor: "#abc" })[0].path).toBe("/accentColor");
  });

  it("keeps only the valid parts of a stored brand", () => {
    expect(parseBrand('{"logoUrl":"javascript:x","accentColor":"#112233","font":"Papyrus"}')).toEqual({ accentColor: "#112233" });
    expect(parseBrand("not json")).toEqual({});
    expect(parseBrand(null)).toEqual({});
  });
});
