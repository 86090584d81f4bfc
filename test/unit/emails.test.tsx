import { describe, expect, it } from "vitest";
import {
  EMAIL_SIZE_LIMIT_BYTES,
  EmailTooLargeError,
  renderFollowUp,
} from "../../app/email/render.server";
import { formatMoney } from "../../emails/format";
import type { EmailShop, RecommendedProduct } from "../../emails/types";
import { withUtm } from "../../emails/utm";
import { SAMPLE_PURCHASED, SAMPLE_RECOMMENDATIONS, SAMPLE_SHOP } from "../../emails/samples";

// A thank-you with the template's own English words, as these tests vary it.
interface ThankYouEmailProps {
  shop: EmailShop;
  customer: { firstName?: string | null };
  order: { name: string; currency: string };
  recommendations: RecommendedProduct[];
  utm: { source: string; medium: string; campaign: string; content?: string };
  unsubscribeUrl?: string | null;
  previewText?: string;
}

// Rendered by the one path, renderFollowUp, with no content of the merchant's.
function renderThankYou(props: ThankYouEmailProps) {
  return renderFollowUp({
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
}

// The sample order (emails/samples.ts), with the candle Maya bought also recommended so the
// grid has four products.
const storefront = SAMPLE_SHOP.url;
const [candle] = SAMPLE_PURCHASED;
const preview: ThankYouEmailProps = {
  shop: { name: SAMPLE_SHOP.name, url: SAMPLE_SHOP.url, logoUrl: SAMPLE_SHOP.logoUrl, address: SAMPLE_SHOP.address, accentColor: "#2f5d50" },
  customer: { firstName: "Maya" },
  order: { name: "#1042", currency: "USD" },
  recommendations: [
    {
      id: candle.id,
      title: candle.title,
      url: candle.url!,
      imageUrl: candle.imageUrl,
      imageAlt: candle.imageAlt,
      price: { amount: "24.0", currencyCode: "USD" },
      source: "complementary",
    },
    ...SAMPLE_RECOMMENDATIONS,
  ],
  utm: { source: "afterglow", medium: "email", campaign: "thank-you" },
  unsubscribeUrl: `${storefront}/apps/afterglow/unsubscribe?token=pv_3b1f9c2e`,
};
const UTM = { source: "afterglow", medium: "email", campaign: "thank-you" };

// React's output is regular enough to read with patterns: attributes are always double-quoted
// and their quotes escaped, and the email has no nested anchors.
function decodeEntities(s: string): string {
  return s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? decodeEntities(m[1]) : undefined;
}

function links(html: string): Array<{ href: string; text: string }> {
  return [...html.matchAll(/<a\b([^>]*)>([\s\S]*?)<\/a>/g)].map((m) => ({
    href: attr(m[1], "href") ?? "",
    text: visibleText(m[2]),
  }));
}

function images(html: string): string[] {
  return [...html.matchAll(/<img\b[^>]*>/g)].map((m) => m[0]);
}

// Visible text: tags removed, entities decoded, whitespace collapsed.
function visibleText(html: string): string {
  return decodeEntities(html.replace(/<!--[\s\S]*?-->/g, "").replace(/<[^>]+>/g, " "))
    .replace(/\s+/g, " ")
    .trim();
}

// Each grid Row is a table whose tbody and tr carry width:100%; counts product columns per row.
function gridRows(html: string): number[] {
  return [
    ...html.matchAll(/<tbody style="width:100%"><tr style="width:100%">([\s\S]*?)<\/tr><\/tbody>/g),
  ].map((m) => m[1].split('data-id="__react-email-column"').length - 1);
}

function productLinks(html: string): URL[] {
  return links(html)
    .filter((l) => l.href.includes("/products/"))
    .map((l) => new URL(l.href));
}

function product(n: number, overrides: Partial<RecommendedProduct> = {}): RecommendedProduct {
  return {
    id: `gid://shopify/Product/${n}`,
    title: `Product number ${n}`,
    url: `https://juniper-and-pine.myshopify.com/products/product-${n}`,
    imageUrl: `https://juniper-and-pine.myshopify.com/cdn/shop/files/product-${n}.jpg`,
    imageAlt: `Photo of product ${n}`,
    price: { amount: `${n}0.00`, currencyCode: "USD" },
    source: "related",
    ...overrides,
  };
}

function propsWith(overrides: Partial<ThankYouEmailProps>): ThankYouEmailProps {
  return { ...preview, ...overrides };
}

describe("thank-you email, preview example", () => {
  it("has realistic preview props", () => {
    expect(preview.shop.name).toBe("Juniper & Pine");
    expect(preview.recommendations).toHaveLength(4);
    expect(preview.customer.firstName).toBeTruthy();
    for (const p of preview.recommendations) {
      expect(p.imageUrl).toMatch(/^https:\/\//);
      expect(p.price.currencyCode).toBe(preview.order.currency);
    }
  });

  it("renders the greeting, order, products, prices, links and footer in the HTML", async () => {
    const { html } = await renderThankYou(preview);
    const text = visibleText(html);

    expect(html.startsWith("<!DOCTYPE html")).toBe(true);
    expect(html).toMatch(/<html[^>]*\blang="en"/);
    expect(text).toContain("Thank you, Maya");
    expect(text).toContain("Order #1042");
    expect(text).toContain("You might also like");
    for (const title of [
      "Cedar & Sage Soy Candle",
      "Linen Tea Towel Set",
      "Hand-thrown Stoneware Mug",
      "Beeswax Food Wraps (3-pack)",
    ]) {
      expect(text).toContain(title);
    }
    for (const price of ["$24.00", "$32.50", "$28.00", "$18.00"]) {
      expect(text).toContain(price);
    }
    expect(text).toContain("128 Alder Street, Portland, OR 97209, United States");

    // Preview text sits in the hidden preheader.
    expect(html).toMatch(/display:none[^>]*>Thank you for your order #1042 from Juniper &amp; Pine/);
  });

  it("tags every product link with UTM parameters and keeps the product's own query", async () => {
    const { html } = await renderThankYou(preview);
    const hrefs = productLinks(html);
    // Image and button per product.
    expect(hrefs).toHaveLength(8);
    for (const url of hrefs) {
      expect(url.searchParams.get("utm_source")).toBe("afterglow");
      expect(url.searchParams.get("utm_medium")).toBe("email");
      expect(url.searchParams.get("utm_campaign")).toBe("thank-you");
    }
    const paths = new Set(hrefs.map((u) => u.pathname));
    expect(paths).toEqual(
      new Set(preview.recommendations.map((p) => new URL(p.url).pathname)),
    );
    const mug = hrefs.find((u) => u.pathname === "/products/stoneware-mug");
    expect(mug?.searchParams.get("variant")).toBe("45012345678901");

    const buttons = links(html).filter((l) => l.text === "View product");
    expect(buttons).toHaveLength(4);
  });

  it("links the store (tagged) and the unsubscribe page (untagged) in the footer", async () => {
    const { html } = await renderThankYou(preview);
    const all = links(html);
    const store = all.find((l) => l.text === "Visit our store");
    expect(store).toBeDefined();
    const storeUrl = new URL(store!.href);
    expect(storeUrl.origin).toBe("https://juniper-and-pine.myshopify.com");
    expect(storeUrl.searchParams.get("utm_campaign")).toBe("thank-you");

    const unsubscribe = all.find((l) => l.text === "Unsubscribe");
    expect(unsubscribe?.href).toBe(preview.unsubscribeUrl);
  });

  it("uses a 2 x 2 grid, a 600 px container, inline styles and sized images with alt text", async () => {
    const { html } = await renderThankYou(preview);
    expect(gridRows(html)).toEqual([2, 2]);
    expect(html).toContain("max-width:600px");
    expect(html).not.toMatch(/\sclass(Name)?=/);
    expect(html).not.toContain("<style");

    const imgs = images(html);
    expect(imgs).toHaveLength(5); // logo + 4 products
    for (const img of imgs) {
      expect(attr(img, "alt")).toBeTruthy();
      expect(Number(attr(img, "width"))).toBeGreaterThan(0);
      expect(Number(attr(img, "height"))).toBeGreaterThan(0);
    }
    const logo = imgs.find((i) => attr(i, "src") === preview.shop.logoUrl);
    expect(attr(logo!, "alt")).toBe("Juniper & Pine");
    // No imageAlt on the mug: its title stands in.
    const mug = imgs.find((i) => attr(i, "src")?.includes("stoneware-mug"));
    expect(attr(mug!, "alt")).toBe("Hand-thrown Stoneware Mug");
  });

  it("is rendered in production mode, not pretty-printed", async () => {
    const { html } = await renderThankYou(preview);
    expect(html).not.toMatch(/>\n\s+</);
  });
});

describe("thank-you email, text part", () => {
  it("carries the same essentials without any markup", async () => {
    const { text } = await renderThankYou(preview);
    expect(text).not.toMatch(/<\/?[a-z!][^>]*>/i);
    expect(text).not.toContain("&amp;");
    expect(text).toContain("Thank you, Maya");
    expect(text).toContain("Order #1042");
    expect(text).toContain("Juniper & Pine");
    for (const p of preview.recommendations) {
      expect(text).toContain(p.title);
      // Product links also say which recommendation source they came from, for the analytics.
      expect(text).toContain(withUtm(p.url, { ...UTM, recommendationSource: p.source }));
      expect(new URL(withUtm(p.url, { ...UTM, recommendationSource: p.source })).searchParams.get("ag_src")).toBe(p.source);
    }
    for (const price of ["$24.00", "$32.50", "$28.00", "$18.00"]) {
      expect(text).toContain(price);
    }
    expect(text).toContain("128 Alder Street, Portland, OR 97209, United States");
    expect(text).toContain(preview.unsubscribeUrl!);
    // The hidden preheader is for inbox previews only.
    expect(text).not.toContain("Thank you for your order #1042 from");
  });
});

describe("thank-you email, variations", () => {
  it("leaves out the grid and its heading when there are no recommendations", async () => {
    const { html, text } = await renderThankYou(propsWith({ recommendations: [] }));
    expect(html).not.toContain("You might also like");
    expect(html).not.toContain("__react-email-column");
    expect(productLinks(html)).toHaveLength(0);
    expect(text).not.toContain("You might also like");
    expect(visibleText(html)).toContain("Thank you, Maya");
    expect(visibleText(html)).toContain("Unsubscribe");
  });

  it.each([
    [1, [1]],
    [2, [2]],
    [3, [2, 1]],
  ])("lays out %i recommendation(s) as rows of %j", async (count, rows) => {
    const recommendations = Array.from({ length: count }, (_, i) => product(i + 1));
    const { html, text } = await renderThankYou(propsWith({ recommendations }));
    expect(gridRows(html)).toEqual(rows);
    expect(html).toContain("You might also like");
    for (const p of recommendations) {
      expect(visibleText(html)).toContain(p.title);
      expect(text).toContain(formatMoney(p.price));
    }
    expect(productLinks(html)).toHaveLength(count * 2);
  });

  it("centres a lone last product at half width", async () => {
    const { html } = await renderThankYou(propsWith({ recommendations: [product(1)] }));
    expect(html).toMatch(/<table[^>]*width="50%"[^>]*><tbody style="width:100%">/);
  });

  it("shows the shop name in text when there is no logo", async () => {
    const { html, text } = await renderThankYou(
      propsWith({ shop: { ...preview.shop, logoUrl: null }, recommendations: [] }),
    );
    expect(images(html)).toHaveLength(0);
    expect(html).toMatch(/<p[^>]*>Juniper &amp; Pine<\/p>/);
    expect(text.trimStart().startsWith("Juniper & Pine")).toBe(true);
  });

  it.each([null, undefined, "", "   "])("greets with the written fallback when the first name is %j", async (firstName) => {
    const { html, text } = await renderThankYou(propsWith({ customer: { firstName } }));
    expect(visibleText(html)).toContain("Thank you, friend");
    expect(text).toContain("Thank you, friend");
  });

  it("shows products without an image or web URL, unlinked", async () => {
    const { html } = await renderThankYou(
      propsWith({
        recommendations: [
          product(1, { imageUrl: null }),
          product(2, { url: "javascript:alert(1)" }),
        ],
      }),
    );
    expect(visibleText(html)).toContain("Product number 1");
    expect(visibleText(html)).toContain("Product number 2");
    expect(html).not.toContain("javascript:");
    expect(productLinks(html)).toHaveLength(1); // product 1's button only
    expect(images(html).some((i) => attr(i, "src")?.includes("product-1"))).toBe(false);
  });

  it("leaves out the unsubscribe line when no URL is given, and refuses non-web ones", async () => {
    for (const unsubscribeUrl of [null, undefined, "javascript:alert(1)"]) {
      const { html } = await renderThankYou(propsWith({ unsubscribeUrl }));
      expect(visibleText(html)).not.toContain("Unsubscribe");
      expect(html).not.toContain("javascript:");
    }
  });

  it("uses a custom preview text when given", async () => {
    const { html } = await renderThankYou(propsWith({ previewText: "Your candle is on its way" }));
    expect(html).toMatch(/display:none[^>]*>Your candle is on its way/);
  });
});

describe("thank-you email, escaping", () => {
  const hostile = propsWith({
    customer: { firstName: '<script>alert("hi")</script> & Co' },
    shop: {
      ...preview.shop,
      name: "Salt & Pepper <b>Shop</b>",
      address: "1 Main St <script>steal()</script> & Sons",
      logoUrl: null,
      accentColor: "red;background:url(https://evil.example/x)",
    },
    recommendations: [
      product(1, {
        title: '<img src=x onerror="alert(1)"> Mugs & More',
        imageAlt: '"><script>alert(2)</script>',
      }),
    ],
  });

  it("escapes customer and merchant text in the HTML", async () => {
    const { html } = await renderThankYou(hostile);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain("<b>");
    expect(html).not.toContain("<img src=x");
    expect(html).not.toContain("evil.example");
    expect(html).toContain("&lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt; &amp; Co");
    expect(html).toContain("Salt &amp; Pepper &lt;b&gt;Shop&lt;/b&gt;");
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt; Mugs &amp; More");

    const text = visibleText(html);
    expect(text).toContain('Thank you, <script>alert("hi")</script> & Co');
    expect(text).toContain("1 Main St <script>steal()</script> & Sons");
    const img = images(html)[0];
    expect(attr(img, "alt")).toBe('"><script>alert(2)</script>');
  });

  it("keeps the text part literal", async () => {
    const { text } = await renderThankYou(hostile);
    expect(text).toContain('Thank you, <script>alert("hi")</script> & Co');
    expect(text).toContain("Salt & Pepper <b>Shop</b>");
  });
});

describe("thank-you email, size", () => {
  it("stays under Gmail's clipping limit with 4 long-titled products", async () => {
    const longTitle = "Hand-poured Cedar, Sage & Bergamot Soy Candle in Reusable Amber Glass ".repeat(4);
    const recommendations = Array.from({ length: 4 }, (_, i) =>
      product(i + 1, {
        title: `${longTitle}${i}`,
        imageAlt: longTitle,
        url: `https://juniper-and-pine.myshopify.com/products/${"very-long-handle-".repeat(10)}${i}?variant=4501234567890${i}`,
      }),
    );
    const { html } = await renderThankYou(propsWith({ recommendations }));
    expect(Buffer.byteLength(html, "utf8")).toBeLessThan(EMAIL_SIZE_LIMIT_BYTES);
    expect(visibleText(html)).toContain(`${longTitle.trim()} 0`.replace(/\s+/g, " "));
  });

  it("refuses to return HTML that Gmail would clip, naming the size", async () => {
    expect(EMAIL_SIZE_LIMIT_BYTES).toBeLessThanOrEqual(102 * 1024);
    const recommendations = Array.from({ length: 120 }, (_, i) => product(i + 1));
    const error = await renderThankYou(propsWith({ recommendations })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EmailTooLargeError);
    const tooLarge = error as EmailTooLargeError;
    expect(tooLarge.sizeBytes).toBeGreaterThan(EMAIL_SIZE_LIMIT_BYTES);
    expect(tooLarge.message).toContain(`${tooLarge.sizeBytes} bytes`);
    expect(tooLarge.message).toContain("#1042");
    expect(tooLarge.message).toMatch(/Gmail/);
  });
});

describe("withUtm", () => {
  const tags = { source: "afterglow", medium: "email", campaign: "thank-you" };

  it("adds the tags to a bare URL", () => {
    expect(withUtm("https://shop.example/products/mug", tags)).toBe(
      "https://shop.example/products/mug?utm_source=afterglow&utm_medium=email&utm_campaign=thank-you",
    );
  });

  it("adds utm_content when given and encodes values", () => {
    const url = new URL(
      withUtm("https://shop.example/", { ...tags, campaign: "summer & sun", content: "grid slot 1" }),
    );
    expect(url.searchParams.get("utm_campaign")).toBe("summer & sun");
    expect(url.searchParams.get("utm_content")).toBe("grid slot 1");
    expect(url.search).toContain("utm_campaign=summer%20%26%20sun");
  });

  it("keeps existing parameters byte for byte and the fragment", () => {
    expect(withUtm("https://shop.example/search?q=a%20b+c&variant=12#reviews", tags)).toBe(
      "https://shop.example/search?q=a%20b+c&variant=12&utm_source=afterglow&utm_medium=email&utm_campaign=thank-you#reviews",
    );
  });

  it("replaces utm parameters already on the URL, whatever their case", () => {
    const out = withUtm(
      "http://shop.example/p?UTM_Source=newsletter&utm_medium=social&size=m&utm_content=old",
      tags,
    );
    const url = new URL(out);
    expect(url.searchParams.getAll("utm_source")).toEqual(["afterglow"]);
    expect(url.searchParams.has("UTM_Source")).toBe(false);
    expect(url.searchParams.getAll("utm_medium")).toEqual(["email"]);
    expect(url.searchParams.has("utm_content")).toBe(false);
    expect(url.searchParams.get("size")).toBe("m");
    expect(url.protocol).toBe("http:");
  });

  it.each([
    "mailto:hello@shop.example",
    "tel:+15035550100",
    "/products/mug",
    "javascript:alert(1)",
    "not a url",
    "",
  ])("leaves %j alone", (url) => {
    expect(withUtm(url, tags)).toBe(url);
  });
});

describe("formatMoney", () => {
  // Intl separates some symbols with a no-break space.
  const fmt = (...args: Parameters<typeof formatMoney>) => formatMoney(...args).replace(/\u00a0|\u202f/g, " ");

  it("formats USD with cents", () => {
    expect(fmt({ amount: "24.5", currencyCode: "USD" })).toBe("$24.50");
    expect(fmt({ amount: "1234.00", currencyCode: "USD" })).toBe("$1,234.00");
  });

  it("formats EUR in English and German", () => {
    expect(fmt({ amount: "19.99", currencyCode: "EUR" })).toBe("€19.99");
    expect(fmt({ amount: "1234.5", currencyCode: "EUR" }, "de-DE")).toBe("1.234,50 €");
  });

  it("formats PLN", () => {
    expect(fmt({ amount: "49.99", currencyCode: "PLN" })).toBe("PLN 49.99");
    expect(fmt({ amount: "49.9", currencyCode: "PLN" }, "pl-PL")).toBe("49,90 zł");
  });

  it("formats JPY without decimals", () => {
    expect(fmt({ amount: "1500", currencyCode: "JPY" })).toBe("¥1,500");
    expect(fmt({ amount: "1500.00", currencyCode: "JPY" })).toBe("¥1,500");
  });

  it("never shows float drift", () => {
    // As a float this amount prints as $12,345,678,901,234,568.00.
    expect(fmt({ amount: "12345678901234567.89", currencyCode: "USD" })).toBe(
      "$12,345,678,901,234,567.89",
    );
    expect(fmt({ amount: "0.1", currencyCode: "USD" })).toBe("$0.10");
  });

  it("rejects amounts that are not decimal strings", () => {
    expect(() => formatMoney({ amount: "abc", currencyCode: "USD" })).toThrow(/abc.*USD/);
    expect(() => formatMoney({ amount: "1e3", currencyCode: "USD" })).toThrow();
  });
});
