import { Heading, Row, Section } from "@react-email/components";
import type { RecommendedProduct } from "../types";
import type { UtmTags } from "../utm";
import { theme } from "./Layout";
import { ProductCard } from "./ProductCard";

interface ProductGridProps {
  products: RecommendedProduct[];
  utm: UtmTags;
  accentColor?: string | null;
  heading?: string;
  buttonText?: string;
  locale?: string;
}

/** Two products per row; a lone last product is centred at half width. */
export function ProductGrid({
  products,
  utm,
  accentColor,
  heading = "You might also like",
  buttonText,
  locale,
}: ProductGridProps) {
  if (products.length === 0) return null;

  const rows: RecommendedProduct[][] = [];
  for (let i = 0; i < products.length; i += 2) rows.push(products.slice(i, i + 2));

  return (
    <Section style={section}>
      <Heading as="h2" style={headingStyle}>
        {heading}
      </Heading>
      {rows.map((row, rowIndex) => (
        <Row key={rowIndex} width={row.length === 1 ? "50%" : "100%"}>
          {row.map((product, index) => (
            <ProductCard
              key={index}
              product={product}
              utm={utm}
              accentColor={accentColor}
              width={row.length === 1 ? "100%" : "50%"}
              buttonText={buttonText}
              locale={locale}
            />
          ))}
        </Row>
      ))}
    </Section>
  );
}

const section = {
  padding: "8px 12px 16px",
  borderTop: `1px solid ${theme.border}`,
};

const headingStyle = {
  margin: "16px 12px 8px",
  fontSize: "18px",
  lineHeight: "24px",
  fontWeight: 700,
  textAlign: "center" as const,
  color: theme.text,
};
