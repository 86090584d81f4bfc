import type { RecommendedProduct } from "../app/domain/recommendations.types";

export interface EmailShop {
  name: string;
  url: string; // storefront, e.g. https://example.myshopify.com
  logoUrl?: string | null;
  address?: string | null; // one line, shown in the footer
  accentColor?: string | null;
}

export interface ThankYouEmailProps {
  shop: EmailShop;
  customer: { firstName?: string | null };
  order: { name: string; currency: string };
  recommendations: RecommendedProduct[];
  // UTM campaign tags added to every product link.
  utm: { source: string; medium: string; campaign: string; content?: string };
  // Footer link; marketing emails always carry one.
  unsubscribeUrl?: string | null;
  previewText?: string;
}
