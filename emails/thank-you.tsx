import { Heading, Section, Text } from "@react-email/components";
import { Footer } from "./components/Footer";
import { Header } from "./components/Header";
import { Layout, theme } from "./components/Layout";
import { ProductGrid } from "./components/ProductGrid";
import type { ThankYouEmailProps } from "./types";
import { isWebUrl, withUtm } from "./utm";

export default function ThankYouEmail(props: ThankYouEmailProps) {
  const { shop, customer, order, recommendations, utm } = props;
  const firstName = customer.firstName?.trim();
  const storeHref = isWebUrl(shop.url) ? withUtm(shop.url, utm) : undefined;
  const previewText =
    props.previewText?.trim() || `Thank you for your order ${order.name} from ${shop.name}`;

  return (
    <Layout previewText={previewText}>
      <Header shop={shop} storeHref={storeHref} />
      <Section style={intro}>
        <Heading as="h1" style={greeting}>
          {firstName ? `Thank you, ${firstName}` : "Thank you for your order"}
        </Heading>
        <Text style={orderLine}>{`Order ${order.name}`}</Text>
        <Text style={message}>
          {`We're so glad you chose ${shop.name}. ` +
            "Your order is in good hands, and we hope you love it as much as we enjoyed putting it together."}
        </Text>
      </Section>
      <ProductGrid products={recommendations} utm={utm} accentColor={shop.accentColor} />
      <Footer shop={shop} storeHref={storeHref} unsubscribeHref={unsubscribeHref(props.unsubscribeUrl)} />
    </Layout>
  );
}

// mailto: is a legitimate unsubscribe target; anything else that is not http(s) is dropped.
function unsubscribeHref(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  if (isWebUrl(url) || /^mailto:/i.test(url)) return url;
  return undefined;
}

const storefront = "https://juniper-and-pine.myshopify.com";

ThankYouEmail.PreviewProps = {
  shop: {
    name: "Juniper & Pine",
    url: storefront,
    logoUrl: `${storefront}/cdn/shop/files/juniper-and-pine-logo.png?v=1718035200`,
    address: "128 Alder Street, Portland, OR 97209, United States",
    accentColor: "#2f5d50",
  },
  customer: { firstName: "Maya" },
  order: { name: "#1042", currency: "USD" },
  recommendations: [
    {
      id: "gid://shopify/Product/8012345678901",
      title: "Cedar & Sage Soy Candle",
      url: `${storefront}/products/cedar-sage-soy-candle`,
      imageUrl: `${storefront}/cdn/shop/files/cedar-sage-candle.jpg?v=1718035201`,
      imageAlt: "Amber glass candle with a wooden lid",
      price: { amount: "24.0", currencyCode: "USD" },
      source: "complementary",
    },
    {
      id: "gid://shopify/Product/8012345678902",
      title: "Linen Tea Towel Set",
      url: `${storefront}/products/linen-tea-towel-set`,
      imageUrl: `${storefront}/cdn/shop/files/linen-tea-towels.jpg?v=1718035202`,
      imageAlt: "Three folded linen tea towels in oat, moss and clay",
      price: { amount: "32.5", currencyCode: "USD" },
      source: "complementary",
    },
    {
      id: "gid://shopify/Product/8012345678903",
      title: "Hand-thrown Stoneware Mug",
      url: `${storefront}/products/stoneware-mug?variant=45012345678901`,
      imageUrl: `${storefront}/cdn/shop/files/stoneware-mug.jpg?v=1718035203`,
      imageAlt: null,
      price: { amount: "28.0", currencyCode: "USD" },
      source: "related",
    },
    {
      id: "gid://shopify/Product/8012345678904",
      title: "Beeswax Food Wraps (3-pack)",
      url: `${storefront}/products/beeswax-food-wraps`,
      imageUrl: `${storefront}/cdn/shop/files/beeswax-wraps.jpg?v=1718035204`,
      imageAlt: "Beeswax wraps in a botanical print",
      price: { amount: "18.0", currencyCode: "USD" },
      source: "best_seller",
    },
  ],
  utm: { source: "afterglow", medium: "email", campaign: "thank-you" },
  unsubscribeUrl: `${storefront}/apps/afterglow/unsubscribe?token=pv_3b1f9c2e`,
} satisfies ThankYouEmailProps;

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

const orderLine = {
  margin: "0 0 16px",
  fontSize: "14px",
  lineHeight: "20px",
  fontWeight: 600,
  color: theme.muted,
};

const message = {
  margin: "0 0 16px",
  fontSize: "16px",
  lineHeight: "24px",
  color: theme.text,
};
