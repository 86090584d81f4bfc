import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useFetcher, useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Button, ButtonGroup, Card, EmptyState, IndexTable, Page, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { readAdminForm } from "../admin/form-post.server";
import { deleteFlow, duplicateFlow, listFlows, setFlowActive } from "../services/flows/flow-editor.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return { flows: await listFlows(prisma, { shop: session.shop }) };
};

export interface FlowListActionData {
  ok: boolean;
  message: string;
  id?: string;
}

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, actor, form, intent } = await readAdminForm(request);
  const id = String(form.get("id") ?? "");
  const gone = () => json<FlowListActionData>({ ok: false, message: "That flow is not one of this shop's flows. Reload the page." }, { status: 404 });
  if (intent === "turn_on" || intent === "turn_off") {
    if (!(await setFlowActive({ prisma, shop, id, active: intent === "turn_on", actor }))) return gone();
    return json<FlowListActionData>({ ok: true, message: intent === "turn_on" ? "Flow turned on." : "Flow turned off.", id });
  }
  if (intent === "duplicate") {
    const copy = await duplicateFlow({ prisma, shop, id, actor });
    if (!copy) return gone();
    return json<FlowListActionData>({ ok: true, message: "Flow copied. The copy is off until you turn it on.", id: copy });
  }
  if (intent === "delete") {
    if (!(await deleteFlow({ prisma, shop, id, actor }))) return gone();
    return json<FlowListActionData>({ ok: true, message: "Flow deleted.", id });
  }
  return json<FlowListActionData>({ ok: false, message: "Unknown request: turn_on, turn_off, duplicate or delete." }, { status: 400 });
};

function Actions({ id, active }: { id: string; active: boolean }) {
  const fetcher = useFetcher<typeof action>();
  const busy = fetcher.state !== "idle";
  const send = (intent: string) => fetcher.submit({ intent, id }, { method: "post" });
  return (
    <ButtonGroup>
      <Button size="slim" loading={busy} onClick={() => send(active ? "turn_off" : "turn_on")}>
        {active ? "Turn off" : "Turn on"}
      </Button>
      <Button size="slim" disabled={busy} onClick={() => send("duplicate")}>
        Duplicate
      </Button>
      <Button
        size="slim"
        tone="critical"
        variant="plain"
        disabled={busy}
        onClick={() => {
          if (window.confirm("Delete this flow? Follow-ups it scheduled will not be sent.")) send("delete");
        }}
      >
        Delete
      </Button>
    </ButtonGroup>
  );
}

export default function Flows() {
  const { flows } = useLoaderData<typeof loader>();
  return (
    <Page title="Flows" primaryAction={{ content: "Create flow", url: "/app/flows/new" }}>
      <TitleBar title="Flows" />
      <Card padding="0">
        {flows.length === 0 ? (
          <EmptyState heading="No flows yet" action={{ content: "Create flow", url: "/app/flows/new" }} image="">
            <p>A flow sends follow-ups after an order: a thank-you, a care guide, a review request.</p>
          </EmptyState>
        ) : (
          <IndexTable
            resourceName={{ singular: "flow", plural: "flows" }}
            itemCount={flows.length}
            selectable={false}
            headings={[{ title: "Flow" }, { title: "Status" }, { title: "Trigger" }, { title: "Steps" }, { title: "Sent, 30 days" }, { title: "" }]}
          >
            {flows.map((f, i) => (
              <IndexTable.Row id={f.id} key={f.id} position={i}>
                <IndexTable.Cell>
                  <BlockStack>
                    <Link to={`/app/flows/${f.id}`}>{f.name}</Link>
                  </BlockStack>
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <Badge tone={f.active ? "success" : undefined}>{f.active ? "On" : "Off"}</Badge>
                </IndexTable.Cell>
                <IndexTable.Cell>{f.triggerLabel}</IndexTable.Cell>
                <IndexTable.Cell>
                  <Text as="span" numeric>{f.steps}</Text>
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <Text as="span" numeric>{f.sent30d}</Text>
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <Actions id={f.id} active={f.active} />
                </IndexTable.Cell>
              </IndexTable.Row>
            ))}
          </IndexTable>
        )}
      </Card>
    </Page>
  );
}
