import { Button, Column, Img, Link, Text } from "@react-email/components";
import type { RecommendedProduct } from "../types";
import { formatMoney } from "../format";
import { isWebUrl, withUtm, type UtmTags } from "../utm";
import { accentColors, theme } from "./Layout";

export const PRODUCT_IMAGE_SIZE = 240;

interface ProductCardProps {
  product: RecommendedProduct;
  utm: UtmTags;
  accentColor?: string | null;
  // "50%" beside another card, "100%" when alone in its row.
  width: string;
  buttonText?: string;
  // BCP 47 tag for the price, e.g. "de-DE".
  locale?: string;
}

/** One grid cell: image, title, price and a button to the product. */
export function ProductCard({ product, utm, accentColor, width, buttonText = "View product", locale }: ProductCardProps) {
  // A product without a web URL is still shown, just not linked.
  const href = isWebUrl(product.url) ? withUtm(product.url, { ...utm, recommendationSource: product.source }) : undefined;
  const accent = accentColors(accentColor);

  const image = product.imageUrl ? (
    <Img
      src={product.imageUrl}
      alt={product.imageAlt?.trim() || product.title}
      width={PRODUCT_IMAGE_SIZE}
      height={PRODUCT_IMAGE_SIZE}
      style={imageStyle}
    />
  ) : null;

  return (
    <Column width={width} valign="top" style={cell}>
      {/* The button carries the same link, so the text part skips this one. */}
      {image && href ? (
        <Link href={href} data-skip-in-text="true">
          {image}
        </Link>
      ) : (
        image
      )}
      <Text style={title}>{product.title}</Text>
      <Text style={price}>{formatMoney(product.price, locale)}</Text>
      {href ? (
        <Button href={href} style={{ ...button, backgroundColor: accent.background, color: accent.text }}>
          {buttonText}
        </Button>
      ) : null}
    </Column>
  );
}

const cell = {
  padding: "12px",
  textAlign: "center" as const,
  verticalAlign: "top",
};

const imageStyle = {
  width: "100%",
  maxWidth: `${PRODUCT_IMAGE_SIZE}px`,
  height: "auto",
  margin: "0 auto",
  borderRadius: "6px",
};

const title = {
  margin: "12px 0 4px",
  fontSize: "15px",
  lineHeight: "20px",
  fontWeight: 600,
  color: theme.text,
};

const price = {
  margin: "0 0 12px",
  fontSize: "14px",
  lineHeight: "20px",
  color: theme.muted,
};

const button = {
  padding: "10px 18px",
  borderRadius: "4px",
  fontSize: "14px",
  fontWeight: 600,
};
