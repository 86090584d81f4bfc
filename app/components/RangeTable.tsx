// A report table of the Analytics page: a card with its heading (and a line under it), an
// IndexTable condensed on a phone with nothing to select, and one empty state for a range with no
// mail. The steps table and the mailbox providers' table are both one.
import type { ReactNode } from "react";
import { BlockStack, Box, Card, IndexTable, Text, type IndexTableProps } from "@shopify/polaris";

export function RangeTable({
  title,
  description,
  testId,
  condensed,
  itemCount,
  resourceName,
  headings,
  footer,
  children,
}: {
  title: string;
  description?: ReactNode;
  testId?: string;
  condensed: boolean;
  itemCount: number;
  resourceName: { singular: string; plural: string };
  headings: IndexTableProps["headings"];
  footer?: ReactNode;
  children: ReactNode;
}) {
  return (
    <Card padding="0">
      <div data-testid={testId}>
        <Box padding="300">
          <BlockStack gap="100">
            <Text as="h2" variant="headingMd">
              {title}
            </Text>
            {description ? (
              <Text as="p" tone="subdued">
                {description}
              </Text>
            ) : null}
          </BlockStack>
        </Box>
        <IndexTable
          condensed={condensed}
          selectable={false}
          itemCount={itemCount}
          resourceName={resourceName}
          emptyState={
            <Box padding="400">
              <Text as="p" tone="subdued">
                Nothing was sent in this range.
              </Text>
            </Box>
          }
          headings={headings}
        >
          {children}
        </IndexTable>
        {footer}
      </div>
    </Card>
  );
}
