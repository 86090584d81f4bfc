import { Hr, Link, Section, Text } from "@react-email/components";
import type { EmailLabels, EmailShop } from "../types";
import { accentColors, theme } from "./Layout";

interface FooterProps {
  shop: EmailShop;
  // Already UTM-tagged; omitted when the shop URL is not a web address.
  storeHref?: string;
  unsubscribeHref?: string;
  labels?: Pick<EmailLabels, "visitStore" | "unsubscribePrompt" | "unsubscribe">;
}

const ENGLISH = { visitStore: "Visit our store", unsubscribePrompt: "Don't want these emails?", unsubscribe: "Unsubscribe" };

export function Footer({ shop, storeHref, unsubscribeHref, labels = ENGLISH }: FooterProps) {
  return (
    <Section style={footer}>
      <Hr style={{ borderColor: theme.border, margin: "0 0 16px" }} />
      <Text style={line}>
        <strong>{shop.name}</strong>
      </Text>
      {shop.address ? <Text style={line}>{shop.address}</Text> : null}
      {storeHref ? (
        <Text style={line}>
          <Link href={storeHref} style={{ ...link, color: accentColors(shop.accentColor).background }}>
            {labels.visitStore}
          </Link>
        </Text>
      ) : null}
      {unsubscribeHref ? (
        <Text style={{ ...line, marginTop: "12px" }}>
          {labels.unsubscribePrompt}{" "}
          <Link href={unsubscribeHref} style={link}>
            {labels.unsubscribe}
          </Link>
        </Text>
      ) : null}
    </Section>
  );
}

const footer = {
  padding: "8px 24px 32px",
  textAlign: "center" as const,
};

const line = {
  margin: "0 0 4px",
  fontSize: "12px",
  lineHeight: "18px",
  color: theme.muted,
};

const link = {
  color: theme.muted,
  textDecoration: "underline",
};
