import { useState } from "react";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useLoaderData, useLocation, useNavigate } from "@remix-run/react";
import { Badge, BlockStack, Box, Button, Card, IndexTable, InlineStack, Page, Select, Text, TextField } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { listMessages } from "../services/messages/messages.server";
import { MESSAGE_STATUSES, STATUS_TONE } from "../components/message-status";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const url = new URL(request.url);
  const get = (k: string) => url.searchParams.get(k)?.trim() || "";
  const filters = { status: get("status"), flowId: get("flow"), from: get("from"), to: get("to"), q: get("q") };
  const page = await listMessages(prisma, { shop: session.shop, filters, cursor: get("cursor") || null });
  return { filters, cursor: get("cursor") || null, ...page };
};

type PageState = { trail?: string[] } | null;

export default function Messages() {
  const { filters, rows, nextCursor, cursor, flows } = useLoaderData<typeof loader>();
  const navigate = useNavigate();
  const location = useLocation();
  const trail = (location.state as PageState)?.trail ?? [];
  const [q, setQ] = useState(filters.q);
  const [status, setStatus] = useState(filters.status);
  const [flow, setFlow] = useState(filters.flowId);
  const [from, setFrom] = useState(filters.from);
  const [to, setTo] = useState(filters.to);

  function pageTo(target: string | null, nextTrail: string[]) {
    const params = new URLSearchParams(location.search);
    if (target) params.set("cursor", target);
    else params.delete("cursor");
    navigate(`?${params}`, { state: { trail: nextTrail } });
  }

  return (
    <Page>
      <TitleBar title="Messages" />
      <BlockStack gap="400">
        <Card>
          <Form method="get">
            <InlineStack gap="300" blockAlign="end">
              <Box minWidth="220px">
                <TextField label="Search" name="q" value={q} onChange={setQ} autoComplete="off" placeholder="Order name or email" clearButton onClearButtonClick={() => setQ("")} />
              </Box>
              <Select label="Status" name="status" value={status} onChange={setStatus} options={[{ label: "Any", value: "" }, ...MESSAGE_STATUSES.map((s) => ({ label: s, value: s }))]} />
              <Select label="Flow" name="flow" value={flow} onChange={setFlow} options={[{ label: "Any", value: "" }, ...flows.map((f) => ({ label: f.name, value: f.id }))]} />
              <TextField label="Due from" name="from" type="date" value={from} onChange={setFrom} autoComplete="off" />
              <TextField label="Due until" name="to" type="date" value={to} onChange={setTo} autoComplete="off" />
              <Button submit>Filter</Button>
            </InlineStack>
          </Form>
        </Card>
        <Card padding="0">
          <IndexTable
            resourceName={{ singular: "follow-up", plural: "follow-ups" }}
            itemCount={rows.length}
            selectable={false}
            headings={[{ title: "Order" }, { title: "Recipient" }, { title: "Flow" }, { title: "Status" }, { title: "Due" }, { title: "Reason" }]}
            pagination={{
              hasPrevious: Boolean(cursor),
              onPrevious: () => pageTo(trail[trail.length - 1] ?? null, trail.slice(0, -1)),
              hasNext: Boolean(nextCursor),
              onNext: () => pageTo(nextCursor, cursor ? [...trail, cursor] : trail),
            }}
          >
            {rows.map((r, i) => (
              <IndexTable.Row id={r.id} key={r.id} position={i}>
                <IndexTable.Cell>
                  <Link to={`/app/messages/${r.id}`}>{r.order}</Link>
                </IndexTable.Cell>
                <IndexTable.Cell>{r.recipient}</IndexTable.Cell>
                <IndexTable.Cell>{r.flow}</IndexTable.Cell>
                <IndexTable.Cell>
                  <InlineStack gap="100">
                    <Badge tone={STATUS_TONE[r.status]}>{r.status}</Badge>
                    {r.isTest ? <Badge>Test</Badge> : null}
                  </InlineStack>
                </IndexTable.Cell>
                <IndexTable.Cell>{new Date(r.dueAt).toLocaleString()}</IndexTable.Cell>
                <IndexTable.Cell>
                  <Text as="span" tone="subdued" truncate>
                    {r.reason ?? ""}
                  </Text>
                </IndexTable.Cell>
              </IndexTable.Row>
            ))}
          </IndexTable>
        </Card>
      </BlockStack>
    </Page>
  );
}
