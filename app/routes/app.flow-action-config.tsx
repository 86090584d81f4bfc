// The configuration page of the Shopify Flow action "Start an Afterglow flow" (the extension's
// config_page_url): Flow shows it in a frame of the admin for one workflow step, named by the
// step_reference it adds to the URL. The merchant picks one of the shop's flows started from
// Shopify Flow; the choice is stored under the step, and the action's runs start that flow.
import { useEffect, useState } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { Badge, Banner, BlockStack, Card, EmptyState, InlineStack, Layout, Page, RadioButton, Text } from "@shopify/polaris";
import { TitleBar, useAppBridge } from "@shopify/app-bridge-react";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { readAdminForm } from "../admin/form-post.server";
import { STEP_REFERENCE } from "../domain/flow-action";
import { chooseFlowForStep, startableFlows, stepFlowFor, StepChoiceError } from "../services/flows/flow-action-steps.server";
import { FormSaveBar } from "../components/FormSaveBar";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const stepReference = new URL(request.url).searchParams.get(STEP_REFERENCE)?.trim() || null;
  const [flows, chosen] = await Promise.all([
    startableFlows({ prisma, shop: session.shop }),
    stepReference ? stepFlowFor({ prisma, shop: session.shop, stepReference }) : null,
  ]);
  return { stepReference, flows, chosenId: chosen?.id ?? null };
};

type ActionData = { ok: true; name: string } | { ok: false; error: string };

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, form } = await readAdminForm(request);
  try {
    const flow = await chooseFlowForStep({ prisma, shop, stepReference: String(form.get(STEP_REFERENCE) ?? ""), flowId: String(form.get("flowId") ?? "") });
    return json<ActionData>({ ok: true, name: flow.name });
  } catch (err) {
    if (err instanceof StepChoiceError) return json<ActionData>({ ok: false, error: err.message }, { status: 400 });
    throw err;
  }
};

export default function FlowActionConfig() {
  const { stepReference, flows, chosenId } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const submit = useSubmit();
  const shopify = useAppBridge();
  const [selected, setSelected] = useState<string | null>(chosenId);
  useEffect(() => setSelected(chosenId), [chosenId]);
  useEffect(() => {
    if (result?.ok) shopify.toast.show(`This step starts ${result.name}`);
    else if (result && !result.ok) shopify.toast.show(result.error, { isError: true });
  }, [result, shopify]);

  const saving = navigation.state === "submitting";
  const save = () => {
    if (!selected || !stepReference) return;
    const data = new FormData();
    data.set(STEP_REFERENCE, stepReference);
    data.set("flowId", selected);
    submit(data, { method: "post" });
  };

  return (
    <Page>
      <TitleBar title="Start an Afterglow flow" />
      <FormSaveBar id="flow-action-config-save-bar" open={selected !== chosenId} saving={saving} onSave={save} onDiscard={() => setSelected(chosenId)} />
      <Layout>
        {!stepReference ? (
          <Layout.Section>
            <Banner tone="critical" title="No workflow step">
              <p>Open this page from the action &quot;Start an Afterglow flow&quot; in a Shopify Flow workflow: Flow tells it which step to configure.</p>
            </Banner>
          </Layout.Section>
        ) : null}
        {result && !result.ok ? (
          <Layout.Section>
            <Banner tone="critical">
              <p>{result.error}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          {flows.length === 0 ? (
            <Card>
              <EmptyState heading="No flow is started from Shopify Flow yet" action={{ content: "Open flows", url: "/app/flows" }} image="">
                <p>In Afterglow, create a flow or change one&apos;s trigger to &quot;Started from Shopify Flow&quot;, then come back to choose it.</p>
              </EmptyState>
            </Card>
          ) : (
            <Card>
              <Form
                method="post"
                onSubmit={(e) => {
                  e.preventDefault();
                  save();
                }}
              >
                <BlockStack gap="400">
                  <BlockStack gap="100">
                    <Text as="h2" variant="headingMd">
                      Afterglow flow
                    </Text>
                    <Text as="p" tone="subdued">
                      The follow-up emails this step schedules for the workflow&apos;s order. Only flows started from Shopify Flow are listed.
                    </Text>
                  </BlockStack>
                  <fieldset style={{ border: 0, margin: 0, padding: 0 }}>
                    <Text as="legend" visuallyHidden>
                      Afterglow flow
                    </Text>
                    <BlockStack gap="300">
                      {flows.map((flow) => (
                        <InlineStack key={flow.id} gap="200" blockAlign="center" wrap>
                          <RadioButton
                            id={`flow-${flow.id}`}
                            name="flowId"
                            label={flow.name}
                            helpText={`${flow.steps} follow-up email${flow.steps === 1 ? "" : "s"} · key ${flow.key}`}
                            checked={selected === flow.id}
                            disabled={!stepReference}
                            onChange={() => setSelected(flow.id)}
                          />
                          {flow.active ? <Badge tone="success">On</Badge> : <Badge>Off: turn it on before the workflow runs</Badge>}
                        </InlineStack>
                      ))}
                    </BlockStack>
                  </fieldset>
                </BlockStack>
              </Form>
            </Card>
          )}
        </Layout.Section>
      </Layout>
    </Page>
  );
}
