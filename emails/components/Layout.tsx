import { Body, Container, Head, Html, Preview } from "@react-email/components";
import type { ReactNode } from "react";

export const theme = {
  fontFamily:
    '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, Helvetica, Arial, sans-serif',
  text: "#1f2933",
  muted: "#616e7c",
  border: "#e4e7eb",
  page: "#f5f5f4",
  card: "#ffffff",
  accent: "#2f5d50",
  width: 600,
} as const;

const HEX_COLOR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

/**
 * The shop's accent colour for buttons, with a readable text colour on top.
 * Only plain hex colours are accepted: the value lands inside an inline style attribute.
 */
export function accentColors(accent: string | null | undefined): { background: string; text: string } {
  const background = accent && HEX_COLOR.test(accent.trim()) ? accent.trim() : theme.accent;
  return { background, text: isLight(background) ? "#111111" : "#ffffff" };
}

function isLight(hex: string): boolean {
  let digits = hex.slice(1);
  if (digits.length === 3) digits = digits.replace(/./g, (d) => d + d);
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(digits.slice(i, i + 2), 16) / 255);
  // Perceived brightness (ITU-R BT.601); above the midpoint dark text reads better.
  return 0.299 * r + 0.587 * g + 0.114 * b > 0.6;
}

interface LayoutProps {
  previewText: string;
  lang?: string;
  // A stack from the safe font list (app/domain/content.ts SAFE_FONTS).
  fontFamily?: string | null;
  children: ReactNode;
}

export function Layout({ previewText, lang = "en", fontFamily, children }: LayoutProps) {
  return (
    <Html lang={lang}>
      <Head>
        <meta name="color-scheme" content="light" />
        <meta name="supported-color-schemes" content="light" />
      </Head>
      <Preview>{previewText}</Preview>
      <Body style={fontFamily ? { ...body, fontFamily } : body}>
        <Container style={container}>{children}</Container>
      </Body>
    </Html>
  );
}

const body = {
  backgroundColor: theme.page,
  margin: 0,
  padding: "24px 0",
  fontFamily: theme.fontFamily,
  color: theme.text,
};

const container = {
  width: "100%",
  maxWidth: `${theme.width}px`,
  backgroundColor: theme.card,
  borderRadius: "8px",
};
