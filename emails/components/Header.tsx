import { Img, Link, Section, Text } from "@react-email/components";
import type { EmailShop } from "../types";
import { theme } from "./Layout";

interface HeaderProps {
  shop: EmailShop;
  // Store link, already UTM-tagged; omitted when the shop URL is not a web address.
  storeHref?: string;
}

// The linked logo is left out of the text part (a bare URL there says nothing); the shop's
// name in text form stays unlinked so it heads the text part, and the footer links the store.
export function Header({ shop, storeHref }: HeaderProps) {
  if (!shop.logoUrl) {
    return (
      <Section style={header}>
        <Text style={shopName}>{shop.name}</Text>
      </Section>
    );
  }

  const logo = (
    // CSS keeps the logo's own proportions; the attributes are Outlook's fallback.
    <Img
      src={shop.logoUrl}
      alt={shop.name}
      width={160}
      height={48}
      style={{ height: "48px", width: "auto", maxWidth: "240px", margin: "0 auto" }}
    />
  );

  return (
    <Section style={header}>
      {storeHref ? (
        <Link href={storeHref} data-skip-in-text="true" style={{ color: theme.text }}>
          {logo}
        </Link>
      ) : (
        logo
      )}
    </Section>
  );
}

const header = {
  padding: "32px 24px 16px",
  textAlign: "center" as const,
  borderBottom: `1px solid ${theme.border}`,
};

const shopName = {
  margin: 0,
  fontSize: "22px",
  lineHeight: "28px",
  fontWeight: 700,
  letterSpacing: "0.02em",
  color: theme.text,
};
