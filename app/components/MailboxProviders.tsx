// The Analytics page's table of mail per mailbox provider: each rate, and the spam rate beside the
// line the provider publishes (Gmail, Yahoo), with a badge once there is enough mail to judge.
import { memo } from "react";
import { Badge, BlockStack, Box, IndexTable, InlineStack, Link, Text, Tooltip } from "@shopify/polaris";
import { RangeTable } from "./RangeTable";
import { PROVIDER_GUIDANCE, type ProviderRow, type SpamStanding } from "../domain/mailbox-providers";

// Spam and bounce rates live around tenths of a percent: two decimals below 1%.
// Trailing zeros dropped: 0.3%, 98%.
export const providerPercent = (rate: number | null) => (rate === null ? "–" : `${Number((rate * 100).toFixed(rate > 0 && rate < 0.01 ? 2 : 1))}%`);

function spamBadge(row: ProviderRow, minDelivered: number) {
  const line = row.guidance?.spam;
  const badges: Record<SpamStanding, { label: string; tone?: "success" | "warning" | "critical" } | null> = {
    no_line: null,
    too_little_mail: { label: `Not enough mail yet (${row.counts.delivered} of ${minDelivered})` },
    fine: { label: `Below ${providerPercent(line?.fineBelow ?? line?.limit ?? null)}`, tone: "success" },
    above_recommended: { label: `Above ${providerPercent(line?.fineBelow ?? null)}`, tone: "warning" },
    past_limit: { label: `At or past ${row.name}'s ${providerPercent(line?.limit ?? null)} limit`, tone: "critical" },
  };
  const badge = badges[row.spam];
  return badge ? <Badge tone={badge.tone}>{badge.label}</Badge> : null;
}

function ProviderName({ row }: { row: ProviderRow }) {
  const about = row.guidance?.source ?? "These recipients' domains are looked up in the next analytics pass, within minutes.";
  return (
    <Tooltip content={about} width="wide">
      <span style={{ textDecoration: "underline dotted", textUnderlineOffset: 3, cursor: "help" }}>{row.name}</span>
    </Tooltip>
  );
}

const count = (n: number, rate: number | null) => `${n} (${providerPercent(rate)})`;

// Memoised: the dashboard renders again once hydrated (to bring in its charts) and as the window
// narrows; the table, its rows' tooltips and the IndexTable's measuring then stay as they are.
export const MailboxProviders = memo(function MailboxProviders({ rows, smDown, minDelivered }: { rows: ProviderRow[]; smDown: boolean; minDelivered: number }) {
  return (
    <RangeTable
      title="By mailbox provider"
      description={`Recipients are grouped by the servers that receive their mail, so a company on Google Workspace counts as Gmail and one on Microsoft 365 as Outlook. Spam complaints are measured against delivered emails, as Gmail and Yahoo measure them; they are judged once ${minDelivered} emails reached a provider. No provider publishes a bounce or deferral rate to stay under.`}
      testId="mailbox-providers"
      condensed={smDown}
      itemCount={rows.length}
      resourceName={{ singular: "provider", plural: "providers" }}
      footer={
        <Box padding="300">
          <Text as="p" tone="subdued">
            {"Where the lines come from: "}
            <Link url={PROVIDER_GUIDANCE.gmail.url!} target="_blank">
              Google&apos;s Email sender guidelines
            </Link>
            {", "}
            <Link url={PROVIDER_GUIDANCE.yahoo.url!} target="_blank">
              Yahoo Sender Hub
            </Link>
            {", and "}
            <Link url={PROVIDER_GUIDANCE.outlook.url!} target="_blank">
              Microsoft&apos;s requirements for high-volume senders
            </Link>
            {", which publish no rate."}
          </Text>
        </Box>
      }
      headings={[
        { title: "Provider" },
        { title: "Sent", alignment: "end" },
        { title: "Delivered", alignment: "end" },
        { title: "Bounced", alignment: "end" },
        { title: "Deferred", alignment: "end", tooltipContent: "Emails a receiving server asked to try again later at least once." },
        { title: "Spam complaints" },
        { title: "Opened", alignment: "end", tooltipContent: "Opened by a person, of delivered emails; machine opens left out." },
        { title: "Clicked", alignment: "end" },
      ]}
    >
      {rows.map((row, i) => {
        const c = row.counts;
        const spam = (
          <InlineStack gap="200" blockAlign="center" wrap>
            <Text as="span" numeric>
              {count(c.spamReports, row.rates.spam)}
            </Text>
            {spamBadge(row, minDelivered)}
          </InlineStack>
        );
        if (smDown) {
          return (
            <IndexTable.Row id={row.provider} key={row.provider} position={i}>
              <Box padding="300">
                <BlockStack gap="100">
                  <Text as="p" fontWeight="semibold">
                    <ProviderName row={row} />
                  </Text>
                  <Text as="p">{`${c.sent} sent · ${count(c.delivered, row.rates.delivered)} delivered · ${count(c.bounces, row.rates.bounced)} bounced · ${count(c.deferred, row.rates.deferred)} deferred`}</Text>
                  <Text as="p" tone="subdued">{`${count(c.opens, row.rates.opened)} opened · ${count(c.clicks, row.rates.clicked)} clicked`}</Text>
                  <InlineStack gap="100" blockAlign="center" wrap>
                    <Text as="span">Spam complaints:</Text>
                    {spam}
                  </InlineStack>
                </BlockStack>
              </Box>
            </IndexTable.Row>
          );
        }
        return (
          <IndexTable.Row id={row.provider} key={row.provider} position={i}>
            <IndexTable.Cell>
              <ProviderName row={row} />
            </IndexTable.Cell>
            {[String(c.sent), count(c.delivered, row.rates.delivered), count(c.bounces, row.rates.bounced), count(c.deferred, row.rates.deferred)].map(
              (text, k) => (
                <IndexTable.Cell key={k}>
                  <Text as="span" alignment="end" numeric>
                    {text}
                  </Text>
                </IndexTable.Cell>
              ),
            )}
            <IndexTable.Cell>{spam}</IndexTable.Cell>
            <IndexTable.Cell>
              <Text as="span" alignment="end" numeric>
                {count(c.opens, row.rates.opened)}
              </Text>
            </IndexTable.Cell>
            <IndexTable.Cell>
              <Text as="span" alignment="end" numeric>
                {count(c.clicks, row.rates.clicked)}
              </Text>
            </IndexTable.Cell>
          </IndexTable.Row>
        );
      })}
    </RangeTable>
  );
});
