import { downloadFromApp } from "../components/download";
import { useState } from "react";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Box, Button, ButtonGroup, Card, EmptyState, IndexTable, InlineStack, Page, Text, useBreakpoints } from "@shopify/polaris";
import { TitleBar, useAppBridge } from "@shopify/app-bridge-react";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { listDataRequests, type DataRequestView } from "../services/compliance/reports.server";
import { formatDate, formatDateTime, useShopTimeZone } from "../components/shop-time";

// Requests Shopify relays when a customer asks the store for their data (customers/data_request)
// or to be forgotten (customers/redact). Afterglow answers both by itself; the merchant only has
// to send the data report on to the customer.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return { requests: await listDataRequests(prisma, session.shop, { limit: 100 }) };
};

const STATUS: Record<string, { label: string; tone?: "success" | "critical" | "attention" | "info" }> = {
  received: { label: "In progress", tone: "attention" },
  completed: { label: "Done", tone: "success" },
  rejected: { label: "Not processed", tone: "critical" },
  erased: { label: "Report erased", tone: "info" },
  expired: { label: "Report expired", tone: "info" },
};

const LABELS: Record<string, [string, string]> = {
  orders: ["order", "orders"],
  followUps: ["follow-up", "follow-ups"],
  emails: ["email", "emails"],
  outboxMessages: ["email", "emails"],
  deliveryEvents: ["delivery event", "delivery events"],
  messageEvents: ["delivery event", "delivery events"],
  followUpEvents: ["timeline event", "timeline events"],
  suppressions: ["suppression", "suppressions"],
  suppressionsHashed: ["suppression kept as a fingerprint", "suppressions kept as fingerprints"],
  consent: ["consent record", "consent records"],
  consents: ["consent record", "consent records"],
  webhookDeliveries: ["webhook", "webhooks"],
  dataRequestReportsErased: ["earlier report", "earlier reports"],
};

function summaryText(r: DataRequestView): string {
  if (r.problem) return r.problem;
  if (!r.summary) {
    if (r.status === "erased") return "Report erased with the customer's data.";
    if (r.status === "expired") return "Report removed after the retention period.";
    return "";
  }
  const parts = Object.entries(r.summary)
    .filter(([, n]) => n > 0)
    .map(([key, n]) => `${n} ${LABELS[key]?.[n === 1 ? 0 : 1] ?? key}`);
  const verb = r.kind === "data_request" ? "Found" : "Removed";
  return parts.length ? `${verb}: ${parts.join(", ")}` : "Nothing stored about this customer.";
}

// A report's download buttons keep their own state: a click spins its button and renders
// nothing else (the table and its measurements stay as they are).
function ReportButtons({ id }: { id: string }) {
  const shopify = useAppBridge();
  const [busy, setBusy] = useState<"json" | "csv" | null>(null);
  async function download(format: "json" | "csv") {
    setBusy(format);
    try {
      await downloadFromApp(`/app/data-requests/${encodeURIComponent(id)}/${format}`, `data-request.${format}`);
    } catch {
      shopify.toast.show("The report could not be downloaded. Reload the page and try again.", { isError: true });
    } finally {
      setBusy(null);
    }
  }
  return (
    <ButtonGroup>
      <Button size="slim" loading={busy === "json"} onClick={() => download("json")} accessibilityLabel="Download the report as JSON">
        JSON
      </Button>
      <Button size="slim" loading={busy === "csv"} onClick={() => download("csv")} accessibilityLabel="Download the report as CSV">
        CSV
      </Button>
    </ButtonGroup>
  );
}

export default function DataRequests() {
  const { requests } = useLoaderData<typeof loader>();
  const timeZone = useShopTimeZone();
  const { smDown } = useBreakpoints();

  return (
    <Page>
      <TitleBar title="Data requests" />
      <BlockStack gap="400">
        <Card>
          <BlockStack gap="200">
            <Text as="p">
              When a customer asks your store for the data held about them, Shopify tells Afterglow and the report
              appears here at once. Download it and send it to the customer within 30 days of the request.
            </Text>
            <Text as="p" tone="subdued">
              When a customer asks to be forgotten, Afterglow deletes their orders, follow-ups, emails and delivery
              events. An unsubscribe or bounce is kept as a one-way fingerprint of the address, so they are still never
              emailed again.
            </Text>
          </BlockStack>
        </Card>
        <Card padding="0">
          {requests.length === 0 ? (
            <EmptyState heading="No data requests yet" image="">
              <p>Requests appear here when a customer asks your store for their data or to be forgotten.</p>
            </EmptyState>
          ) : (
            <IndexTable
              condensed={smDown}
              resourceName={{ singular: "data request", plural: "data requests" }}
              itemCount={requests.length}
              selectable={false}
              headings={[{ title: "Received" }, { title: "Request" }, { title: "Customer" }, { title: "Status" }, { title: "What Afterglow held" }, { title: "Report" }]}
            >
              {requests.map((r, i) => {
                const status = STATUS[r.status] ?? { label: r.status };
                const kind = r.kind === "data_request" ? "Data request" : "Erasure";
                const customer = r.customerId?.split("/").pop() ?? "—";
                const summary = (
                  <Text as="span" tone={r.problem ? "critical" : undefined} breakWord>
                    {summaryText(r)}
                    {r.kind === "data_request" && r.downloadable ? ` (send by ${formatDate(r.dueBy, timeZone)})` : ""}
                  </Text>
                );
                const report = r.downloadable ? <ReportButtons id={r.id} /> : null;
                return smDown ? (
                  <IndexTable.Row id={r.id} key={r.id} position={i}>
                    <Box padding="300" width="100%">
                      <BlockStack gap="150">
                        <InlineStack align="space-between" blockAlign="center" gap="200">
                          <Text as="span" fontWeight="semibold">{`${kind} · customer ${customer}`}</Text>
                          <Badge tone={status.tone}>{status.label}</Badge>
                        </InlineStack>
                        <Text as="span" tone="subdued" variant="bodySm">{`Received ${formatDateTime(r.receivedAt, timeZone)}`}</Text>
                        {summary}
                        {report}
                      </BlockStack>
                    </Box>
                  </IndexTable.Row>
                ) : (
                  <IndexTable.Row id={r.id} key={r.id} position={i}>
                    <IndexTable.Cell>{formatDateTime(r.receivedAt, timeZone)}</IndexTable.Cell>
                    <IndexTable.Cell>{kind}</IndexTable.Cell>
                    <IndexTable.Cell>{customer}</IndexTable.Cell>
                    <IndexTable.Cell>
                      <Badge tone={status.tone}>{status.label}</Badge>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      {/* Table cells do not wrap; this sentence may. */}
                      <div style={{ whiteSpace: "normal", maxWidth: 280 }}>{summary}</div>
                    </IndexTable.Cell>
                    <IndexTable.Cell>{report}</IndexTable.Cell>
                  </IndexTable.Row>
                );
              })}
            </IndexTable>
          )}
        </Card>
      </BlockStack>
    </Page>
  );
}
