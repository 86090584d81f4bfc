import { describe, expect, it } from "vitest";
import {
  DEFAULT_REASK_DAYS,
  isReviewApp,
  productsToAsk,
  ratingLink,
  ratingLinks,
  REVIEW_APPS,
  REVIEW_APP_DEFINITIONS,
  reviewAnchor,
} from "~/domain/review-links";

const PAGE = "https://juniperandpine.example/products/olive-wood-serving-board";

describe("star links per review app", () => {
  const expected: Record<string, string> = {
    judgeme: "#judgeme_product_reviews",
    yotpo: "#yotpo-reviews",
    okendo: "#okendo-reviews",
    shopify_product_reviews: "#shopify-product-reviews",
    custom: "#reviews",
  };

  it("lands on each app's widget with the rating chosen, one to five", () => {
    expect([...REVIEW_APPS].sort()).toEqual(Object.keys(expected).sort());
    for (const app of REVIEW_APPS) {
      const anchor = reviewAnchor({ app });
      expect(anchor).toBe(expected[app]);
      const links = ratingLinks({ productUrl: PAGE, anchor });
      expect(links.map((l) => l.rating)).toEqual([1, 2, 3, 4, 5]);
      for (const { rating, url } of links) expect(url).toBe(`${PAGE}?rating=${rating}${expected[app]}`);
    }
  });

  it("keeps the page's own query and replaces a rating or fragment already there", () => {
    expect(ratingLink({ productUrl: `${PAGE}?variant=42&rating=1#top`, anchor: "#judgeme_product_reviews", rating: 4 })).toBe(
      `${PAGE}?variant=42&rating=4#judgeme_product_reviews`,
    );
  });

  it("links nowhere without a web page, and falls back to #reviews for an anchor that is not one", () => {
    expect(ratingLinks({ productUrl: null, anchor: "#reviews" })).toEqual([]);
    expect(ratingLinks({ productUrl: "javascript:alert(1)", anchor: "#reviews" })).toEqual([]);
    expect(ratingLinks({ productUrl: "not a url", anchor: "#reviews" })).toEqual([]);
    expect(ratingLink({ productUrl: PAGE, anchor: "reviews\"><script>", rating: 5 })).toBe(`${PAGE}?rating=5#reviews`);
  });

  it("the step's anchor wins over the shop's, the shop's over the app's; a malformed one is passed over", () => {
    expect(reviewAnchor({ app: "judgeme", shopAnchor: "#shop-reviews", stepAnchor: "#step-reviews" })).toBe("#step-reviews");
    expect(reviewAnchor({ app: "judgeme", shopAnchor: "#shop-reviews", stepAnchor: null })).toBe("#shop-reviews");
    expect(reviewAnchor({ app: "judgeme", shopAnchor: "shop reviews", stepAnchor: "" })).toBe("#judgeme_product_reviews");
  });

  it("says which apps have a public API that tells what was reviewed", () => {
    expect(REVIEW_APPS.filter((a) => REVIEW_APP_DEFINITIONS[a].checksReviewed)).toEqual(["judgeme"]);
    expect(isReviewApp("judgeme")).toBe(true);
    expect(isReviewApp("trustpilot")).toBe(false);
  });
});

describe("which products a review request asks about", () => {
  const now = new Date("2026-12-07T12:00:00Z");
  const daysAgo = (n: number) => new Date(now.getTime() - n * 86_400_000);

  it("leaves out products asked about within the period and those already reviewed, in the order's order", () => {
    expect(
      productsToAsk({
        productIds: ["a", "b", "c", "d"],
        askedAt: new Map([
          ["a", daysAgo(30)],
          ["c", daysAgo(400)],
        ]),
        reviewed: new Set(["b"]),
        reaskDays: DEFAULT_REASK_DAYS,
        now,
      }),
    ).toEqual({ ask: ["c", "d"], askedRecently: ["a"], alreadyReviewed: ["b"] });
  });

  it("asks again at once with a period of 0, but never about a product already reviewed", () => {
    expect(productsToAsk({ productIds: ["a", "b"], askedAt: new Map([["a", daysAgo(0)]]), reviewed: new Set(["b"]), reaskDays: 0, now })).toEqual({
      ask: ["a"],
      askedRecently: [],
      alreadyReviewed: ["b"],
    });
  });

  it("counts the period's last day in: asked exactly `reaskDays` ago may be asked again", () => {
    expect(productsToAsk({ productIds: ["a"], askedAt: new Map([["a", daysAgo(7)]]), reviewed: new Set(), reaskDays: 7, now }).ask).toEqual(["a"]);
    expect(productsToAsk({ productIds: ["a"], askedAt: new Map([["a", daysAgo(6)]]), reviewed: new Set(), reaskDays: 7, now }).ask).toEqual([]);
  });
});
