import { describe, expect, it } from "vitest";
import { renderCustomer, renderShop, stepUtm, storefrontOf } from "~/services/dispatch/render-request";

const shop = {
  domain: "glow.myshopify.com",
  name: null,
  storefrontUrl: null,
  logoUrl: "https://cdn.example/logo.png",
  address: "1 Main St",
  primaryLocale: "en",
  ianaTimezone: "Europe/Warsaw",
  brand: null,
};

describe("the renderer's request, as the send and the preview build it", () => {
  it("reaches a shop without its own storefront domain at its myshopify.com address, named by its domain", () => {
    expect(storefrontOf(shop)).toBe("https://glow.myshopify.com");
    expect(renderShop(shop)).toEqual({
      domain: "glow.myshopify.com",
      name: "glow.myshopify.com",
      url: "https://glow.myshopify.com",
      logoUrl: "https://cdn.example/logo.png",
      address: "1 Main St",
      primaryLocale: "en",
      timeZone: "Europe/Warsaw",
      brand: null,
    });
  });

  it("uses the shop's storefront and name when it has them", () => {
    const own = renderShop({ ...shop, name: "Glow", storefrontUrl: "https://glow.example" });
    expect(own.name).toBe("Glow");
    expect(own.url).toBe("https://glow.example");
  });

  it("takes the customer from the order", () => {
    expect(renderCustomer({ customerId: "gid://shopify/Customer/1", firstName: "Ala", customerOrdersCount: 2 })).toEqual({
      id: "gid://shopify/Customer/1",
      firstName: "Ala",
      ordersCount: 2,
    });
  });

  it("tags links with the flow, and the step with its A/B variant when there is one", () => {
    expect(stepUtm({ flowKey: "thank-you", stepKey: "day-1", variantKey: null })).toEqual({
      source: "afterglow",
      medium: "email",
      campaign: "thank-you",
      content: "day-1",
    });
    expect(stepUtm({ flowKey: "thank-you", stepKey: "day-1", variantKey: "b" }).content).toBe("day-1-b");
  });
});
