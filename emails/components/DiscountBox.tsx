import { Section, Text } from "@react-email/components";
import type { EmailDiscount } from "../types";
import { theme } from "./Layout";

interface DiscountBoxProps {
  // Its heading, label and terms come already in the email's language.
  discount: EmailDiscount;
  accentColor: string;
}

/** The customer's own code, large and selectable, with its terms. */
export function DiscountBox({ discount, accentColor }: DiscountBoxProps) {
  return (
    <Section style={{ padding: "0 24px 16px" }}>
      <Section style={{ ...box, borderColor: accentColor }}>
        <Text style={headingStyle}>{discount.heading}</Text>
        <Text style={label}>{discount.codeLabel}</Text>
        <Text style={{ ...code, color: accentColor }}>{discount.code}</Text>
        <Text style={termsStyle}>{discount.terms}</Text>
      </Section>
    </Section>
  );
}

const box = {
  border: "2px dashed",
  borderRadius: "8px",
  padding: "16px",
  textAlign: "center" as const,
};

const headingStyle = { margin: "0 0 8px", fontSize: "18px", lineHeight: "24px", fontWeight: 700, color: theme.text };
const label = { margin: "0", fontSize: "13px", lineHeight: "18px", color: theme.muted };
const code = { margin: "4px 0 8px", fontSize: "24px", lineHeight: "32px", fontWeight: 700, letterSpacing: "0.08em" };
const termsStyle = { margin: "0", fontSize: "13px", lineHeight: "18px", color: theme.muted };
