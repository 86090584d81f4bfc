// The built-in email templates: what a merchant picks for a flow step. Each says whether it is
// marketing or service (which decides the consent rule and the SendGrid stream), what it needs
// at send time, and what it says until the merchant writes their own content.
import { defaultContentText, type EmailLanguage } from "../i18n/emails";
import type { ContentBlock, ContentFields } from "./content";

export const TEMPLATE_IDS = ["thank-you", "care-guide", "review-request", "cross-sell", "replenishment"] as const;
export type TemplateId = (typeof TEMPLATE_IDS)[number];
export type TemplateCategory = "marketing" | "service";

// Where a preview or a test send shows a cross-sell's code: no code is made in Shopify for them.
export const EXAMPLE_DISCOUNT_CODE = "EXAMPLE-CODE";

export interface TemplateDefinition {
  id: TemplateId;
  name: string; // as the merchant reads it in the flow editor
  description: string;
  category: TemplateCategory;
  needs: {
    recommendations: boolean; // product recommendations from the Admin API
    discount: boolean; // may create a single-use discount code (when the step sets a discount)
    purchasedProducts: boolean; // the order's products with their pages, types and tags
  };
}

export const TEMPLATES: Record<TemplateId, TemplateDefinition> = {
  "thank-you": {
    id: "thank-you",
    name: "Thank you + recommendations",
    description: "Thanks the customer and shows products that go well with what they bought.",
    category: "marketing",
    needs: { recommendations: true, discount: false, purchasedProducts: false },
  },
  "care-guide": {
    id: "care-guide",
    name: "How to use and care",
    description: "Tips for the products bought, chosen by product type or tag, with links to your FAQ.",
    category: "service",
    needs: { recommendations: false, discount: false, purchasedProducts: true },
  },
  "review-request": {
    id: "review-request",
    name: "Review request",
    description: "Asks for a review, linking each purchased product to its review section.",
    category: "marketing",
    needs: { recommendations: false, discount: false, purchasedProducts: true },
  },
  "cross-sell": {
    id: "cross-sell",
    name: "Cross-sell",
    description: "Recommends more products, optionally with a unique single-use discount code.",
    category: "marketing",
    needs: { recommendations: true, discount: true, purchasedProducts: false },
  },
  replenishment: {
    id: "replenishment",
    name: "Replenishment reminder",
    description: "Reminds the customer to reorder a consumable some days after buying it.",
    category: "marketing",
    needs: { recommendations: false, discount: false, purchasedProducts: true },
  },
};

// A template's category when the step does not say.
export const TEMPLATE_CATEGORY: Record<TemplateId, TemplateCategory> = Object.fromEntries(
  TEMPLATE_IDS.map((id) => [id, TEMPLATES[id].category]),
) as Record<TemplateId, TemplateCategory>;

export function isTemplateId(value: unknown): value is TemplateId {
  return typeof value === "string" && (TEMPLATE_IDS as readonly string[]).includes(value);
}

export function templateDefinition(id: string): TemplateDefinition {
  if (!isTemplateId(id)) {
    throw new Error(`There is no email template "${id}". Templates: ${TEMPLATE_IDS.join(", ")}.`);
  }
  return TEMPLATES[id];
}

/** Everything the template says in `lang` before the merchant changes anything. */
export function defaultContent(id: TemplateId, lang: EmailLanguage): Required<ContentFields> {
  const text = defaultContentText(id, lang);
  const blocks: ContentBlock[] = [{ type: "text", text: text.body }];
  if (id === "cross-sell") blocks.push({ type: "discount" });
  blocks.push({ type: "products" });
  if (text.closing) blocks.push({ type: "text", text: text.closing });
  return { subject: text.subject, previewText: text.previewText, heading: text.heading, blocks };
}
