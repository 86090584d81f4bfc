import { Button, Column, Heading, Img, Row, Section, Text } from "@react-email/components";
import type { PurchasedProduct } from "../types";
import { isWebUrl, withUtm, type UtmTags } from "../utm";
import { accentColors, theme } from "./Layout";

interface PurchasedListProps {
  products: Array<PurchasedProduct & { linkUrl: string | null }>;
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
