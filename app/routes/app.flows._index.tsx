import { useCallback, useEffect, useState } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData, useNavigate } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, ButtonGroup, Card, DropZone, EmptyState, IndexTable, InlineStack, Link, Page, Text, useBreakpoints } from "@shopify/polaris";
import { Modal, TitleBar, useAppBridge } from "@shopify/app-bridge-react";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { readAdminForm } from "../admin/form-post.server";
import { deleteFlow, duplicateFlow, importFlowsFile, listFlows, setFlowActive, type FlowListRow } from "../services/flows/flow-editor.server";
import type { FlowFileProblem } from "../domain/flow-file";
import { downloadFromApp } from "../components/download";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return { flows: await listFlows(prisma, { shop: session.shop }) };
};

export interface FlowListActionData {
  ok: boolean;
  message: string;
  id?: string;
  // An import refused: every problem of the file, by field.
  problems?: FlowFileProblem[];
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
  if (intent === "import") {
    const result = await importFlowsFile({ prisma, shop, text: String(form.get("file") ?? ""), actor });
    if (!result.ok) return json<FlowListActionData>({ ok: false, message: "Nothing was imported: the file has problems.", problems: result.problems }, { status: 400 });
    const names = result.flows.map((f) => f.name).join(", ");
    return json<FlowListActionData>({ ok: true, message: `Imported ${names}. ${result.flows.length === 1 ? "It is" : "They are"} off until you turn ${result.flows.length === 1 ? "it" : "them"} on.`, id: result.flows[0]?.id });
  }
  return json<FlowListActionData>({ ok: false, message: "Unknown request: turn_on, turn_off, duplicate, delete or import." }, { status: 400 });
};

// Each answer is told once, as App Bridge's toast.
function useToastOf(fetcher: ReturnType<typeof useFetcher<typeof action>>) {
  const shopify = useAppBridge();
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data) shopify.toast.show(fetcher.data.message, { isError: !fetcher.data.ok });
  }, [fetcher.state, fetcher.data, shopify]);
}

function Actions({ flow, onDelete }: { flow: FlowListRow; onDelete: (flow: FlowListRow) => void }) {
  const shopify = useAppBridge();
  const fetcher = useFetcher<typeof action>();
  useToastOf(fetcher);
  const busy = fetcher.state !== "idle";
  const send = (intent: string) => fetcher.submit({ intent, id: flow.id }, { method: "post" });
  const exportFile = async () => {
    try {
      await downloadFromApp(`/app/flows/${flow.id}/export`, "flow.json");
    } catch {
      shopify.toast.show("The flow could not be exported. Reload the page and try again.", { isError: true });
    }
  };
  return (
    <ButtonGroup>
      <Button size="slim" loading={busy} onClick={() => send(flow.active ? "turn_off" : "turn_on")} accessibilityLabel={`${flow.active ? "Turn off" : "Turn on"} ${flow.name}`}>
        {flow.active ? "Turn off" : "Turn on"}
      </Button>
      <Button size="slim" disabled={busy} onClick={() => send("duplicate")} accessibilityLabel={`Duplicate ${flow.name}`}>
        Duplicate
      </Button>
      <Button size="slim" disabled={busy} onClick={exportFile} accessibilityLabel={`Export ${flow.name}`}>
        Export
      </Button>
      <Button size="slim" tone="critical" variant="plain" disabled={busy} onClick={() => onDelete(flow)} accessibilityLabel={`Delete ${flow.name}`}>
        Delete
      </Button>
    </ButtonGroup>
  );
}

// A flows file, as exported here or by the CLI: read in the browser, checked and stored by the server.
function ImportFlows() {
  const fetcher = useFetcher<typeof action>();
  useToastOf(fetcher);
  const [fileName, setFileName] = useState<string | null>(null);
  const [readProblem, setReadProblem] = useState<string | null>(null);
  const onDrop = useCallback(
    async (_all: File[], accepted: File[], rejected: File[]) => {
      setReadProblem(null);
      const file = accepted[0];
      if (!file) {
        setReadProblem(rejected.length ? `${rejected[0].name} is not a JSON file. Choose a flow file (.json) exported from Afterglow.` : null);
        return;
      }
      setFileName(file.name);
      fetcher.submit({ intent: "import", file: await file.text() }, { method: "post" });
    },
    [fetcher],
  );
  const refused = fetcher.state === "idle" && fetcher.data && !fetcher.data.ok ? fetcher.data : null;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingSm">
          Import a flow
        </Text>
        <Text as="p" tone="subdued">
          A flow file exported from Afterglow (JSON). Imported flows are added beside yours and start off.
        </Text>
        <DropZone label="Flow file" labelHidden accept=".json,application/json" type="file" allowMultiple={false} onDrop={onDrop} disabled={fetcher.state !== "idle"}>
          <DropZone.FileUpload actionTitle="Choose a file" actionHint="or drop a .json file here" />
        </DropZone>
        {readProblem ? <Text as="p" tone="critical">{readProblem}</Text> : null}
        {refused?.problems?.length ? (
          <Banner tone="critical" title={`${fileName ?? "The file"} was not imported`}>
            <BlockStack gap="100">
              <p>{`Fix ${refused.problems.length === 1 ? "this problem" : `these ${refused.problems.length} problems`} and import the file again:`}</p>
              <ul data-testid="import-problems" style={{ margin: 0, paddingInlineStart: 20, overflowWrap: "anywhere" }}>
                {refused.problems.map((p) => (
                  <li key={`${p.path}|${p.message}`}>
                    <strong>{p.field}</strong>
                    {`: ${p.message}`}
                  </li>
                ))}
              </ul>
            </BlockStack>
          </Banner>
        ) : null}
      </BlockStack>
    </Card>
  );
}

export default function Flows() {
  const { flows } = useLoaderData<typeof loader>();
  const navigate = useNavigate();
  const { smDown } = useBreakpoints();
  const deleter = useFetcher<typeof action>();
  useToastOf(deleter);
  const [deleting, setDeleting] = useState<FlowListRow | null>(null);
  const confirmDelete = () => {
    if (deleting) deleter.submit({ intent: "delete", id: deleting.id }, { method: "post" });
    setDeleting(null);
  };
  const onDelete = useCallback((flow: FlowListRow) => setDeleting(flow), []);

  return (
    <Page>
      <TitleBar title="Flows">
        <button variant="primary" onClick={() => navigate("/app/flows/new")}>
          Create flow
        </button>
      </TitleBar>
      <BlockStack gap="400">
        <Card padding="0">
          {flows.length === 0 ? (
            <EmptyState heading="No flows yet" action={{ content: "Create flow", url: "/app/flows/new" }} image="">
              <p>A flow sends follow-ups after an order: a thank-you, a care guide, a review request.</p>
            </EmptyState>
          ) : (
            <IndexTable
              condensed={smDown}
              resourceName={{ singular: "flow", plural: "flows" }}
              itemCount={flows.length}
              selectable={false}
              headings={[{ title: "Flow" }, { title: "Status" }, { title: "Trigger" }, { title: "Steps" }, { title: "Sent, 30 days" }, { title: "Actions", hidden: true }]}
            >
              {flows.map((f, i) => (
                <IndexTable.Row id={f.id} key={f.id} position={i}>
                  {smDown ? (
                    // A phone gets one cell per flow: nothing to scroll sideways.
                    <IndexTable.Cell>
                      <BlockStack gap="200">
                        <InlineStack gap="200" blockAlign="center" wrap>
                          <Link url={`/app/flows/${f.id}`} removeUnderline>
                            {f.name}
                          </Link>
                          <Badge tone={f.active ? "success" : undefined}>{f.active ? "On" : "Off"}</Badge>
                        </InlineStack>
                        <Text as="p" tone="subdued" variant="bodySm">
                          {`${f.triggerLabel} · ${f.steps} ${f.steps === 1 ? "step" : "steps"} · ${f.sent30d} sent in 30 days`}
                        </Text>
                        <Actions flow={f} onDelete={onDelete} />
                      </BlockStack>
                    </IndexTable.Cell>
                  ) : (
                    <>
                      <IndexTable.Cell>
                        <Link url={`/app/flows/${f.id}`} removeUnderline>
                          {f.name}
                        </Link>
                      </IndexTable.Cell>
                      <IndexTable.Cell>
                        <Badge tone={f.active ? "success" : undefined}>{f.active ? "On" : "Off"}</Badge>
                      </IndexTable.Cell>
                      <IndexTable.Cell>{f.triggerLabel}</IndexTable.Cell>
                      <IndexTable.Cell>
                        <Text as="span" numeric>
                          {f.steps}
                        </Text>
                      </IndexTable.Cell>
                      <IndexTable.Cell>
                        <Text as="span" numeric>
                          {f.sent30d}
                        </Text>
                      </IndexTable.Cell>
                      <IndexTable.Cell>
                        <Actions flow={f} onDelete={onDelete} />
                      </IndexTable.Cell>
                    </>
                  )}
                </IndexTable.Row>
              ))}
            </IndexTable>
          )}
        </Card>
        <ImportFlows />
      </BlockStack>
      {/* App Bridge's modal: the admin draws it over the whole page, not just the app's frame. */}
      <Modal id="delete-flow-modal" open={deleting !== null} onHide={() => setDeleting(null)}>
        <p style={{ padding: 16 }}>{deleting ? `Delete “${deleting.name}”? Follow-ups it has scheduled will not be sent. This cannot be undone.` : ""}</p>
        <TitleBar title="Delete flow">
          <button variant="primary" tone="critical" onClick={confirmDelete}>
            Delete flow
          </button>
          <button onClick={() => setDeleting(null)}>Cancel</button>
        </TitleBar>
      </Modal>
    </Page>
  );
}
