// The editor's content fields (heading, message, button) over the content model's blocks.
import { describe, expect, it } from "vitest";
import {
  addBlock,
  BLOCK_KINDS,
  blockLabel,
  blocksOf,
  contentFieldsOf,
  evenWeights,
  insertVariable,
  languageTabs,
  localeVersionOf,
  moveBlock,
  newBlock,
  problemsByBlock,
  problemsOfBlock,
  removeBlock,
  replaceBlock,
  sameBlock,
  templateSettingsOf,
  withBlocks,
  withContentFields,
  withLocaleVersion,
  withoutLocaleVersion,
  withTemplateSettings,
} from "~/components/flow-draft";
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

describe("the block list", () => {
  it("adds each kind of block, moves one up and down within the list, and removes one", () => {
    let blocks = addBlock([], "text");
    blocks = addBlock(blocks, "image");
    blocks = addBlock(blocks, "button");
    expect(blocks.map((b) => b.type)).toEqual(["text", "image", "button"]);
    expect(moveBlock(blocks, 2, -1).map((b) => b.type)).toEqual(["text", "button", "image"]);
    expect(moveBlock(blocks, 0, 1).map((b) => b.type)).toEqual(["image", "text", "button"]);
    // Past either end nothing moves.
    expect(moveBlock(blocks, 0, -1)).toEqual(blocks);
    expect(moveBlock(blocks, 2, 1)).toEqual(blocks);
    expect(removeBlock(blocks, 1).map((b) => b.type)).toEqual(["text", "button"]);
    expect(replaceBlock(blocks, 0, { type: "text", text: "Hi" })[0]).toEqual({ type: "text", text: "Hi" });
    // The list it was given is left as it was.
    expect(blocks.map((b) => b.type)).toEqual(["text", "image", "button"]);
  });

  it("starts every kind empty, and saving one unfilled names the field", () => {
    for (const { type } of BLOCK_KINDS) expect(newBlock(type).type).toBe(type);
    expect(validateContent({ blocks: [newBlock("image")] }).map((p) => p.path)).toEqual(["/blocks/0/url", "/blocks/0/alt"]);
    expect(validateContent({ blocks: [newBlock("links")] }).map((p) => p.path)).toEqual(["/blocks/0/links/0/text", "/blocks/0/links/0/url"]);
    expect(validateContent({ blocks: [newBlock("conditional")] }).map((p) => p.path)).toEqual(["/blocks/0/when"]);
    expect(validateContent({ blocks: [newBlock("products"), newBlock("discount")] })).toEqual([]);
  });

  it("calls the care guide's conditional blocks tips", () => {
    expect(blockLabel("conditional", "care-guide")).toBe("Tip");
    expect(blockLabel("conditional", "thank-you")).toBe("Conditional");
    expect(blockLabel("links", "care-guide")).toBe("Links / FAQ");
  });

  it("sets the base blocks, or goes back to the template's", () => {
    expect(blocksOf(null)).toBeNull();
    const content = withBlocks({ heading: "Hi" }, [{ type: "text", text: "Body" }]);
    expect(content).toEqual({ heading: "Hi", blocks: [{ type: "text", text: "Body" }] });
    expect(blocksOf(content)).toEqual([{ type: "text", text: "Body" }]);
    expect(withBlocks(content, null)).toEqual({ heading: "Hi" });
    expect(withBlocks({ blocks: [] }, null)).toBeNull();
  });
});

describe("language versions", () => {
  it("offers the base and each published language we ship, and versions already written", () => {
    const tabs = languageTabs({ primaryLocale: "en", publishedLocales: ["en", "pl", "ja", "de-CH"], content: { locales: { fr: { subject: "Merci" } } } });
    expect(tabs).toEqual([
      { tag: null, label: "English (base)", language: "en" },
      { tag: "pl", label: "Polish", language: "pl" },
      { tag: "de-CH", label: "German (de-CH)", language: "de" },
      { tag: "fr", label: "French", language: "fr" },
    ]);
    expect(languageTabs({ primaryLocale: null, publishedLocales: [], content: null })).toEqual([{ tag: null, label: "English (base)", language: "en" }]);
  });

  it("edits one language's fields, leaves emptied ones to the base, and clears the version", () => {
    let content = withLocaleVersion({ heading: "Hi" }, "pl", { subject: "Dziękujemy", blocks: [{ type: "text", text: "Cześć" }] });
    expect(content).toEqual({ heading: "Hi", locales: { pl: { subject: "Dziękujemy", blocks: [{ type: "text", text: "Cześć" }] } } });
    expect(validateContent(content)).toEqual([]);
    content = withLocaleVersion(content, "pl", { subject: "", heading: "Witaj" });
    expect(localeVersionOf(content, "pl")).toEqual({ heading: "Witaj", blocks: [{ type: "text", text: "Cześć" }] });
    // Blocks set to null: the base's blocks show.
    content = withLocaleVersion(content, "pl", { blocks: null });
    expect(localeVersionOf(content, "pl")).toEqual({ heading: "Witaj" });
    content = withLocaleVersion(content, "de", { heading: "Hallo" });
    expect(Object.keys(content!.locales as object)).toEqual(["pl", "de"]);
    expect(withoutLocaleVersion(withoutLocaleVersion(content, "pl"), "de")).toEqual({ heading: "Hi" });
    expect(withLocaleVersion(null, "pl", { heading: "" })).toBeNull();
  });
});

describe("inserting a variable", () => {
  it("puts {{ name }} at the caret, over a selection, or at the end, and says where the caret goes", () => {
    expect(insertVariable("Hi !", "customer.first_name", 3)).toEqual({ text: "Hi {{ customer.first_name }}!", caret: 28 });
    expect(insertVariable("Hi NAME!", "customer.first_name", 3, 7)).toEqual({ text: "Hi {{ customer.first_name }}!", caret: 28 });
    expect(insertVariable("Order ", "order.name", null)).toEqual({ text: "Order {{ order.name }}", caret: 22 });
    expect(insertVariable("", "shop.name", 40)).toEqual({ text: "{{ shop.name }}", caret: 15 });
  });
});

describe("problems follow their block", () => {
  const at = "/steps/0/content/blocks";
  const blocks = [
    { type: "text" as const, text: "Hello" },
    { type: "image" as const, url: "http://x.example/a.jpg", alt: "" },
    { type: "conditional" as const, when: { productTypes: ["Candle"] }, blocks: [{ type: "button" as const, text: "", url: "https://x.example" }] },
  ];
  const problems = [
    { path: `${at}/1/url`, message: "Pictures must come from an https:// address, not http:." },
    { path: `${at}/2/blocks/0/text`, message: "The button needs a text." },
    { path: at, message: "At most 20 blocks." },
  ];

  it("reads each block's problems where it was saved and shows them where it is now", () => {
    const byBlock = problemsByBlock(blocks, at, problems);
    const moved = moveBlock(removeBlock(blocks, 0), 1, -1);
    // The tip is first now, the picture second; the text block and its (absent) problems are gone.
    expect(problemsOfBlock(byBlock, moved[0], `${at}/0`)).toEqual([{ path: `${at}/0/blocks/0/text`, message: "The button needs a text." }]);
    expect(problemsOfBlock(byBlock, moved[0].blocks![0], `${at}/0/blocks/0`)).toEqual([{ path: `${at}/0/blocks/0/text`, message: "The button needs a text." }]);
    expect(problemsOfBlock(byBlock, moved[1], `${at}/1`)).toEqual([{ path: `${at}/1/url`, message: "Pictures must come from an https:// address, not http:." }]);
    // The list's own problem belongs to no block.
    expect([...byBlock.values()].flat().some((p) => p.message === "At most 20 blocks.")).toBe(false);
  });

  it("an edited copy of a block keeps its problems; a new block has none", () => {
    const byBlock = problemsByBlock(blocks, at, problems);
    const edited = sameBlock(blocks[1], { ...blocks[1], url: "https://x.example/a.jpg" });
    expect(problemsOfBlock(byBlock, edited, `${at}/0`)).toHaveLength(1);
    expect(problemsOfBlock(byBlock, newBlock("image"), `${at}/1`)).toEqual([]);
  });
});
