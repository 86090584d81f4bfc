import { Heading, Hr, Section, Text } from "@react-email/components";
import type { FollowUpEmailProps } from "../types";
import { isWebUrl, withUtm } from "../utm";
import { ContentBlocks } from "./ContentBlocks";
import { DiscountBox } from "./DiscountBox";
import { Footer } from "./Footer";
import { Header } from "./Header";
import { accentColors, Layout, theme } from "./Layout";
import { ProductGrid } from "./ProductGrid";
import { PurchasedList } from "./PurchasedList";

// How a template shows its `products` block: a grid of recommendations, or the purchased
// products each with a button to their page, review section or reorder.
export type ProductListKind = "recommendations" | "view" | "review" | "reorder";

/** The frame every follow-up shares: header, heading, order line, the blocks, footer. */
export function FollowUpEmail({ productList, ...props }: FollowUpEmailProps & { productList: ProductListKind }) {
  const { shop, utm } = props;
  const labels = props.labels;
  const storeHref = isWebUrl(shop.url) ? withUtm(shop.url, utm) : undefined;
  const accent = accentColors(shop.accentColor);

  const renderProducts = (heading: string | null, key: number) => {
    if (productList === "recommendations") {
      return (
        <ProductGrid
          key={key}
          products={props.recommendations}
          utm={utm}
          accentColor={shop.accentColor}
          heading={heading ?? labels.recommendationsHeading}
          buttonText={labels.viewProduct}
          locale={props.locale}
        />
      );
    }
    const buttonText =
      productList === "review" ? labels.writeReview : productList === "reorder" ? labels.reorder : labels.viewProduct;
    return (
      <PurchasedList
        key={key}
        products={props.purchased}
        heading={heading ?? labels.purchasedHeading}
        buttonText={buttonText}
        utm={utm}
        accentColor={shop.accentColor}
      />
    );
  };

  const renderDiscount = (key: number) =>
    props.discount ? <DiscountBox key={key} discount={props.discount} accentColor={accent.background} /> : null;

  return (
    <Layout previewText={props.previewText} lang={props.lang} fontFamily={shop.fontFamily}>
      <Header shop={shop} storeHref={storeHref} />
      <Section style={intro}>
        <Heading as="h1" style={greeting}>
          {props.heading}
        </Heading>
        {/* The brand's accent under the heading; a border, which every client draws, not an image. */}
        <Hr style={{ ...accentRule, borderTop: `3px solid ${accent.background}` }} />
        <Text style={orderLine}>{labels.orderLine}</Text>
      </Section>
      <ContentBlocks
        blocks={props.blocks}
        utm={utm}
        accentColor={shop.accentColor}
        renderProducts={renderProducts}
        renderDiscount={renderDiscount}
      />
      <Footer shop={shop} storeHref={storeHref} unsubscribeHref={unsubscribeHref(props.unsubscribeUrl)} labels={labels} />
    </Layout>
  );
}

// mailto: is a legitimate unsubscribe target; anything else that is not http(s) is dropped.
function unsubscribeHref(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  if (isWebUrl(url) || /^mailto:/i.test(url)) return url;
  return undefined;
}

const intro = {
  padding: "24px 24px 8px",
  textAlign: "center" as const,
};

const greeting = {
  margin: "0 0 8px",
  fontSize: "26px",
  lineHeight: "32px",
  fontWeight: 700,
  color: theme.text,
};

const accentRule = {
  width: "48px",
  margin: "4px auto 12px",
  border: "none",
};

const orderLine = {
  margin: "0 0 8px",
  fontSize: "14px",
  lineHeight: "20px",
  fontWeight: 600,
  color: theme.muted,
};
