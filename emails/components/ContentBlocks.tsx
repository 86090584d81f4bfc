import { Button, Heading, Img, Link, Section, Text } from "@react-email/components";
import type { ReactNode } from "react";
import type { FilledBlock } from "../types";
import { isWebUrl, withUtm, type UtmTags } from "../utm";
import { accentColors, theme } from "./Layout";

interface ContentBlocksProps {
  blocks: FilledBlock[];
  utm: UtmTags;
  accentColor?: string | null;
  // What the template shows for a `products` block and a `discount` block.
  renderProducts: (heading: string | null, key: number) => ReactNode;
  renderDiscount: (key: number) => ReactNode;
}

/** The merchant's blocks, in order. Every piece of merchant text is a React text node: escaped. */
export function ContentBlocks({ blocks, utm, accentColor, renderProducts, renderDiscount }: ContentBlocksProps) {
  const accent = accentColors(accentColor);
  return (
    <>
      {blocks.map((block, i) => {
        switch (block.type) {
          case "text":
            return (
              <Section key={i} style={textSection}>
                {block.paragraphs.map((paragraph, j) => (
                  <Text key={j} style={message}>
                    {paragraph.split("\n").flatMap((line, k) => (k > 0 ? [<br key={k} />, line] : [line]))}
                  </Text>
                ))}
              </Section>
            );
          case "button":
            return isWebUrl(block.url) ? (
              <Section key={i} style={buttonSection}>
                <Button href={withUtm(block.url, utm)} style={{ ...button, backgroundColor: accent.background, color: accent.text }}>
                  {block.text}
                </Button>
              </Section>
            ) : null;
          case "image": {
            if (!isWebUrl(block.url)) return null;
            // data-alt-in-text: the text part shows the alt text (and the link) where the picture was.
            const picture = <Img src={block.url} alt={block.alt} width={IMAGE_MAX_WIDTH} data-alt-in-text="true" style={image} />;
            return (
              <Section key={i} style={imageSection}>
                {block.link && isWebUrl(block.link) ? <Link href={withUtm(block.link, utm)}>{picture}</Link> : picture}
              </Section>
            );
          }
          case "links":
            return (
              <Section key={i} style={textSection}>
                {block.heading ? (
                  <Heading as="h2" style={linksHeading}>
                    {block.heading}
                  </Heading>
                ) : null}
                {block.links.filter((l) => isWebUrl(l.url)).map((l, j) => (
                  <Text key={j} style={linkLine}>
                    <Link href={withUtm(l.url, utm)} style={{ color: accent.background, textDecoration: "underline" }}>
                      {l.text}
                    </Link>
                  </Text>
                ))}
              </Section>
            );
          case "products":
            return renderProducts(block.heading, i);
          case "discount":
            return renderDiscount(i);
          default:
            return null;
        }
      })}
    </>
  );
}

const textSection = { padding: "0 24px" };

// The email is 600 px wide; a picture fills it at most and shrinks with a phone's screen.
export const IMAGE_MAX_WIDTH = 600;

const imageSection = { padding: "0 0 16px", textAlign: "center" as const };

const image = {
  display: "block",
  width: "100%",
  maxWidth: `${IMAGE_MAX_WIDTH}px`,
  height: "auto",
  margin: "0 auto",
  border: 0,
};

export const message = {
  margin: "0 0 16px",
  fontSize: "16px",
  lineHeight: "24px",
  color: theme.text,
  textAlign: "center" as const,
};

const buttonSection = { padding: "0 24px 16px", textAlign: "center" as const };

const button = {
  padding: "12px 22px",
  borderRadius: "4px",
  fontSize: "15px",
  fontWeight: 600,
};

const linksHeading = {
  margin: "8px 0 8px",
  fontSize: "18px",
  lineHeight: "24px",
  fontWeight: 700,
  textAlign: "center" as const,
  color: theme.text,
};

const linkLine = {
  margin: "0 0 6px",
  fontSize: "15px",
  lineHeight: "22px",
  textAlign: "center" as const,
};
