// The editor's content fields (heading, message, button) over the content model's blocks.
import { describe, expect, it } from "vitest";
import { contentFieldsOf, evenWeights, templateSettingsOf, withContentFields, withTemplateSettings } from "~/components/flow-draft";
import { validateContent } from "~/domain/content";

describe("content fields of a step or variant", () => {
  it("edits the first text and button blocks and leaves the template's other blocks alone", () => {
    const content = { heading: "Hello", blocks: [{ type: "products", heading: "Picked for you" }, { type: "text", text: "Hi" }] };
    expect(contentFieldsOf(content)).toMatchObject({ heading: "Hello", message: "Hi", buttonText: "", buttonUrl: "", messageAt: 1, buttonAt: -1 });
    const withButton = withContentFields(content, { buttonText: "Shop", buttonUrl: "https://shop.example" });
    expect(withButton).toEqual({
      heading: "Hello",
      blocks: [{ type: "products", heading: "Picked for you" }, { type: "text", text: "Hi" }, { type: "button", text: "Shop", url: "https://shop.example" }],
    });
    expect(validateContent(withButton)).toEqual([]);
    expect(contentFieldsOf(withButton)).toMatchObject({ buttonText: "Shop", buttonUrl: "https://shop.example", buttonAt: 2 });
    expect(withContentFields(withButton, { message: "Thanks!" })!.blocks).toEqual([
      { type: "products", heading: "Picked for you" },
      { type: "text", text: "Thanks!" },
      { type: "button", text: "Shop", url: "https://shop.example" },
    ]);
  });

  it("leaves emptied fields out, so the template's words show, and empty content is none", () => {
    const content = withContentFields(null, { heading: "Hey", message: "Body" });
    expect(content).toEqual({ heading: "Hey", blocks: [{ type: "text", text: "Body" }] });
    const noHeading = withContentFields(content, { heading: "" });
    expect(noHeading).toEqual({ blocks: [{ type: "text", text: "Body" }] });
    expect(withContentFields(noHeading, { message: "" })).toBeNull();
    const button = withContentFields(null, { buttonText: "Go" });
    expect(button).toEqual({ blocks: [{ type: "button", text: "Go", url: "" }] });
    expect(withContentFields(button, { buttonText: "" })).toBeNull();
  });
});

describe("A/B traffic shares", () => {
  it("split 100 evenly for 2 to 4 variants, the first ones taking the remainder", () => {
    expect(evenWeights(2)).toEqual([50, 50]);
    expect(evenWeights(3)).toEqual([34, 33, 33]);
    expect(evenWeights(4)).toEqual([25, 25, 25, 25]);
    for (const n of [2, 3, 4, 7]) expect(evenWeights(n).reduce((a, b) => a + b, 0)).toBe(100);
  });
});

describe("template settings", () => {
  it("turn the form's fields into the content model's and back, dropping what is emptied", () => {
    const base = { heading: "Hi" };
    const withCode = withTemplateSettings(base, { discountOn: true, discountPercentage: "15", discountExpiresInDays: "7" });
    expect(withCode).toEqual({ heading: "Hi", discount: { percentage: 15, expiresInDays: 7 } });
    expect(validateContent(withCode)).toEqual([]);
    expect(templateSettingsOf(withCode)).toMatchObject({ discountOn: true, discountPercentage: "15", discountExpiresInDays: "7" });
    // Something that is not a whole number goes to the server as typed, to be refused there.
    expect(withTemplateSettings(base, { discountOn: true, discountPercentage: "1.5" })!.discount).toEqual({ percentage: "1.5", expiresInDays: 14 });
    const reminder = withTemplateSettings(withCode, { discountOn: false, consumableTypes: " Coffee ,Tea,, ", consumableTags: "refill" });
    expect(reminder).toEqual({ heading: "Hi", consumables: { productTypes: ["Coffee", "Tea"], productTags: ["refill"] } });
    expect(templateSettingsOf(reminder)).toMatchObject({ consumableTypes: "Coffee, Tea", consumableTags: "refill", discountOn: false });
    expect(withTemplateSettings(reminder, { consumableTypes: "", consumableTags: "", reviewAnchor: " #reviews " })).toEqual({ heading: "Hi", reviewAnchor: "#reviews" });
    expect(withTemplateSettings({ reviewAnchor: "#r" }, { reviewAnchor: "" })).toBeNull();
  });
});
