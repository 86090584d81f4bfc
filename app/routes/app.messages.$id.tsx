import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { readAdminForm } from "../admin/form-post.server";
import { STATUS_TONE } from "../components/message-status";
import { cancelFollowUp, messageDetail, renderMessage, retryFollowUp } from "../services/messages/messages.server";

const notFound = () => new Response("This follow-up is not one of this shop's.", { status: 404 });

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const id = params.id ?? "";
  const detail = await messageDetail(prisma, { shop: session.shop, id });
  if (!detail) throw notFound();
  let html: string | null = null;
  let renderError: string | null = null;
  try {
    html = await renderMessage(prisma, { shop: session.shop, id });
  } catch (err) {
    renderError = err instanceof Error ? err.message : String(err);
  }
  return { detail, html, renderError };
};

export interface MessageActionData {
  ok: boolean;
  message: string;
}

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { shop, actor, intent } = await readAdminForm(request);
  const id = params.id ?? "";
  // Another shop's id is simply not found, whatever it asks.
  if (!(await prisma.followUp.findFirst({ where: { shop, id }, select: { id: true } }))) throw notFound();
  if (intent === "cancel") {
    const done = await cancelFollowUp({ prisma, shop, id, actor });
    return json<MessageActionData>(
      done ? { ok: true, message: "Follow-up cancelled." } : { ok: false, message: "Only a scheduled follow-up can be cancelled; this one has moved on." },
      { status: done ? 200 : 409 },
    );
  }
  if (intent === "retry") {
    const done = await retryFollowUp({ prisma, shop, id, actor });
    return json<MessageActionData>(
      done ? { ok: true, message: "Follow-up scheduled to go out now." } : { ok: false, message: "Only a failed follow-up can be retried." },
      { status: done ? 200 : 409 },
    );
  }
  return json<MessageActionData>({ ok: false, message: "Unknown request: cancel or retry." }, { status: 400 });
};

export default function Message() {
  const { detail, html, renderError } = useLoaderData<typeof loader>();
  const fetcher = useFetcher<typeof action>();
  const busy = fetcher.state !== "idle";
  return (
    <Page backAction={{ content: "Messages", url: "/app/messages" }} title={`${detail.order.name} → ${detail.recipient}`}>
      <TitleBar title="Follow-up" />
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {fetcher.data ? <Banner tone={fetcher.data.ok ? "success" : "warning"}>{fetcher.data.message}</Banner> : null}
            <Card>
              <BlockStack gap="200">
                <InlineStack gap="200">
                  <Badge tone={STATUS_TONE[detail.status]}>{detail.status}</Badge>
                  {detail.isTest ? <Badge tone="info">Test send</Badge> : null}
                  {detail.variant ? <Badge>{`Variant ${detail.variant}`}</Badge> : null}
                </InlineStack>
                <Text as="p">{`Flow: ${detail.flow?.name ?? "deleted"} · step ${detail.stepKey}`}</Text>
                <Text as="p">{`Due ${new Date(detail.dueAt).toLocaleString()}${detail.sentAt ? ` · sent ${new Date(detail.sentAt).toLocaleString()}` : ""}`}</Text>
                {detail.skipReason ? <Text as="p">{`Why: ${detail.skipReason}`}</Text> : null}
                {detail.lastError ? <Text as="p" tone="critical">{`Last error: ${detail.lastError}`}</Text> : null}
                <InlineStack gap="200">
                  {detail.canCancel ? (
                    <Button tone="critical" loading={busy} onClick={() => fetcher.submit({ intent: "cancel" }, { method: "post" })}>
                      Cancel follow-up
                    </Button>
                  ) : null}
                  {detail.canRetry ? (
                    <Button variant="primary" loading={busy} onClick={() => fetcher.submit({ intent: "retry" }, { method: "post" })}>
                      Retry now
                    </Button>
                  ) : null}
                </InlineStack>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingSm">The email</Text>
                {html ? (
                  <iframe title="Email" sandbox="allow-popups" srcDoc={html} style={{ width: "100%", height: 640, border: 0 }} />
                ) : (
                  <Text as="p" tone="subdued">{renderError ?? "The flow step behind this follow-up was deleted, so it cannot be shown."}</Text>
                )}
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingSm">Timeline</Text>
              {detail.timeline.map((t, i) => (
                <BlockStack key={i} gap="050">
                  <Text as="p" fontWeight="semibold">{`${t.type} · ${new Date(t.at).toLocaleString()}`}</Text>
                  {t.detail ? <Text as="p" tone="subdued" variant="bodySm">{t.detail}</Text> : null}
                </BlockStack>
              ))}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
