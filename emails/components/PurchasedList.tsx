import { Button, Column, Heading, Img, Link, Row, Section, Text } from "@react-email/components";
import type { PurchasedProduct, RatingLink } from "../types";
import { isWebUrl, withUtm, type UtmTags } from "../utm";
import { accentColors, theme } from "./Layout";

interface PurchasedListProps {
  products: Array<PurchasedProduct & { linkUrl: string | null; ratingLinks?: RatingLink[] }>;
  heading: string;
  buttonText: string;
  utm: UtmTags;
  accentColor?: string | null;
}

const THUMB = 96;

/** The products the customer bought, one per row, each with its own button (review, reorder…). */
export function PurchasedList({ products, heading, buttonText, utm, accentColor }: PurchasedListProps) {
  if (products.length === 0) return null;
  const accent = accentColors(accentColor);
  return (
    <Section style={section}>
      <Heading as="h2" style={headingStyle}>
        {heading}
      </Heading>
      {products.map((product) => {
        const href = isWebUrl(product.linkUrl) ? withUtm(product.linkUrl, utm) : undefined;
        return (
          <Row key={product.id} style={{ marginBottom: "12px" }}>
            <Column width={THUMB + 16} valign="top" style={{ padding: "0 16px 0 0" }}>
              {product.imageUrl ? (
                <Img
                  src={product.imageUrl}
                  alt={product.imageAlt?.trim() || product.title}
                  width={THUMB}
                  height={THUMB}
                  style={{ borderRadius: "6px", width: `${THUMB}px`, height: "auto" }}
                />
              ) : null}
            </Column>
            <Column valign="middle">
              <Text style={title}>{product.title}</Text>
              {product.ratingLinks?.length ? <RatingStars links={product.ratingLinks} utm={utm} color={accent.background} /> : null}
              {href ? (
                <Button href={href} style={{ ...button, backgroundColor: accent.background, color: accent.text }}>
                  {buttonText}
                </Button>
              ) : null}
            </Column>
          </Row>
        );
      })}
    </Section>
  );
}

// Five linked stars, the first for one star. Each star is its own link with its words as the
// accessible name (aria-label, title) and, in the text part, as the line before its address
// (render.server.ts reads data-rating-label).
function RatingStars({ links, utm, color }: { links: RatingLink[]; utm: UtmTags; color: string }) {
  const stars = links.filter((l) => isWebUrl(l.url));
  if (stars.length === 0) return null;
  return (
    <Text style={starRow}>
      {stars.map((star) => (
        <Link
          key={star.rating}
          href={withUtm(star.url, utm)}
          aria-label={star.label}
          title={star.label}
          data-rating-label={star.label}
          style={{ ...starLink, color }}
        >
          ★
        </Link>
      ))}
    </Text>
  );
}

const starRow = { margin: "0 0 8px", fontSize: "26px", lineHeight: "30px", letterSpacing: "2px" };
const starLink = { textDecoration: "none", padding: "0 2px" };

const section = { padding: "8px 24px 16px", borderTop: `1px solid ${theme.border}` };

const headingStyle = {
  margin: "16px 0 12px",
  fontSize: "18px",
  lineHeight: "24px",
  fontWeight: 700,
  textAlign: "center" as const,
  color: theme.text,
};

const title = { margin: "0 0 8px", fontSize: "15px", lineHeight: "20px", fontWeight: 600, color: theme.text };

const button = { padding: "8px 16px", borderRadius: "4px", fontSize: "14px", fontWeight: 600 };
