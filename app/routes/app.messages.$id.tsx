import { useEffect, useState } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData, useNavigate } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Button, Card, Collapsible, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import type { BannerProps } from "@shopify/polaris";
import { Modal, TitleBar, useAppBridge } from "@shopify/app-bridge-react";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { readAdminForm } from "../admin/form-post.server";
import { STATUS_TONE, statusLabel } from "../components/message-status";
import { formatDateTime, formatTime, useShopTimeZone } from "../components/shop-time";
import { cancelFollowUp, messageDetail, renderMessage, retryFollowUp, type MessageDetail } from "../services/messages/messages.server";

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
    return json<MessageActionData>(done.ok ? { ok: true, message: "Follow-up scheduled to go out now." } : { ok: false, message: done.why }, {
      status: done.ok ? 200 : 409,
    });
  }
  return json<MessageActionData>({ ok: false, message: "Unknown request: cancel or retry." }, { status: 400 });
};

// The failure's one action: send again when that can help, else the page where the cause is fixed.
function failureAction(detail: MessageDetail, retry: () => void, busy: boolean): BannerProps["action"] {
  switch (detail.failure?.action) {
    case "retry":
      return detail.canRetry ? { content: "Retry now", onAction: retry, loading: busy } : undefined;
    case "open_sender":
      return { content: "Set up your sender", url: "/app/sender" };
    case "open_settings":
      return { content: "Open settings", url: "/app/settings" };
    case "open_suppressions":
      return { content: "Review suppressions", url: "/app/suppressions" };
    case "edit_flow":
      return detail.flow ? { content: "Edit the flow", url: `/app/flows/${detail.flow.id}` } : undefined;
    case "open_order":
      return detail.order.adminId ? { content: "Open the order in Shopify", url: `shopify://admin/orders/${detail.order.adminId}` } : undefined;
    default:
      return undefined;
  }
}

// "10:00 AM in the customer's time (America/Los_Angeles, from the shipping address)".
function describeSendTime(sendTime: NonNullable<MessageDetail["sendTime"]>, dueAt: string): string {
  const at = formatTime(dueAt, sendTime.timeZone);
  if (sendTime.of === "shop") return `${at} in the shop's time (${sendTime.timeZone}): the order's address did not tell the customer's time zone`;
  const from = sendTime.source === "billing_address" ? "billing address" : "shipping address";
  return `${at} in the customer's time (${sendTime.timeZone}, from the ${from})`;
}

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <InlineStack gap="200" wrap={false} blockAlign="start">
      <Box minWidth="72px">
        <Text as="span" tone="subdued">
          {label}
        </Text>
      </Box>
      <Text as="span" breakWord>
        {children}
      </Text>
    </InlineStack>
  );
}

export default function Message() {
  const { detail, html, renderError } = useLoaderData<typeof loader>();
  const fetcher = useFetcher<typeof action>();
  const shopify = useAppBridge();
  const navigate = useNavigate();
  const timeZone = useShopTimeZone();
  const [technicalOpen, setTechnicalOpen] = useState(false);
  const [confirmingCancel, setConfirmingCancel] = useState(false);
  const busy = fetcher.state !== "idle";

  useEffect(() => {
    if (fetcher.state !== "idle" || !fetcher.data) return;
    shopify.toast.show(fetcher.data.message, { isError: !fetcher.data.ok });
  }, [fetcher.state, fetcher.data, shopify]);

  const retry = () => fetcher.submit({ intent: "retry" }, { method: "post" });
  const cancel = () => {
    setConfirmingCancel(false);
    fetcher.submit({ intent: "cancel" }, { method: "post" });
  };
  const showReason = detail.skipReason && (detail.status === "skipped" || detail.status === "cancelled");

  return (
    <Page>
      <TitleBar title={`${detail.order.name} · ${statusLabel(detail.status)}`}>
        <button variant="breadcrumb" onClick={() => navigate("/app/messages")}>
          Messages
        </button>
      </TitleBar>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {detail.failure ? (
              <Banner tone="critical" title="This follow-up was not sent" action={failureAction(detail, retry, busy)}>
                <p>{detail.failure.cause}</p>
              </Banner>
            ) : null}
            {detail.deliveryProblem ? (
              <Banner tone="warning" title={detail.deliveryProblem} action={{ content: "Review suppressions", url: "/app/suppressions" }}>
                <p>The email left Afterglow but did not reach the customer&apos;s inbox.</p>
              </Banner>
            ) : null}
            <Card>
              <BlockStack gap="300">
                <InlineStack gap="200">
                  <Badge tone={STATUS_TONE[detail.status]}>{statusLabel(detail.status)}</Badge>
                  {detail.isTest ? <Badge tone="info">Test send</Badge> : null}
                  {detail.variant ? <Badge>{`Variant ${detail.variant}`}</Badge> : null}
                </InlineStack>
                <BlockStack gap="100">
                  <Fact label="Order">{detail.order.name}</Fact>
                  <Fact label="To">{detail.recipient}</Fact>
                  <Fact label="Flow">{`${detail.flow?.name ?? "Deleted flow"} · ${detail.step}`}</Fact>
                  <Fact label="Due">{formatDateTime(detail.dueAt, timeZone)}</Fact>
                  {detail.sendTime ? <Fact label="Send time">{describeSendTime(detail.sendTime, detail.dueAt)}</Fact> : null}
                  {detail.sentAt ? <Fact label="Sent">{formatDateTime(detail.sentAt, timeZone)}</Fact> : null}
                  {showReason ? <Fact label="Why">{detail.skipReason}</Fact> : null}
                </BlockStack>
                {detail.canCancel ? (
                  <InlineStack>
                    <Button tone="critical" loading={busy} onClick={() => setConfirmingCancel(true)}>
                      Cancel follow-up
                    </Button>
                  </InlineStack>
                ) : null}
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingSm">
                  The email
                </Text>
                {html ? (
                  <iframe title="Email" sandbox="allow-popups" srcDoc={html} style={{ width: "100%", height: 640, border: 0 }} />
                ) : (
                  <Text as="p" tone="subdued">
                    {renderError ? "The email cannot be shown as it is now." : "The flow step behind this follow-up was deleted, so it cannot be shown."}
                  </Text>
                )}
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <InlineStack>
                  <Button variant="plain" disclosure={technicalOpen ? "up" : "down"} onClick={() => setTechnicalOpen((o) => !o)} ariaExpanded={technicalOpen} ariaControls="technical-details">
                    Technical details
                  </Button>
                </InlineStack>
                <Collapsible id="technical-details" open={technicalOpen}>
                  <TechnicalDetails detail={detail} renderError={renderError} />
                </Collapsible>
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingSm">
                Timeline
              </Text>
              {detail.timeline.map((t, i) => (
                <BlockStack key={i} gap="050">
                  <Text as="p" fontWeight="semibold" tone={t.tone === "critical" ? "critical" : undefined}>
                    {t.title}
                  </Text>
                  <Text as="p" tone="subdued" variant="bodySm">
                    {formatDateTime(t.at, timeZone)}
                  </Text>
                  {t.description ? (
                    <Text as="p" variant="bodySm" breakWord>
                      {t.description}
                    </Text>
                  ) : null}
                </BlockStack>
              ))}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
      {/* App Bridge's modal: the admin draws it over the whole page, not just the app's frame. */}
      <Modal id="cancel-follow-up-modal" open={confirmingCancel} onHide={() => setConfirmingCancel(false)}>
        <p style={{ padding: 16 }}>{`The follow-up to ${detail.recipient} for order ${detail.order.name} will not be sent. This cannot be undone.`}</p>
        <TitleBar title="Cancel this follow-up?">
          <button variant="primary" tone="critical" onClick={cancel}>
            Cancel follow-up
          </button>
          <button onClick={() => setConfirmingCancel(false)}>Keep follow-up</button>
        </TitleBar>
      </Modal>
    </Page>
  );
}

// For the developer or SendGrid's support: the ids, the exact times and the recorded text.
function TechnicalDetails({ detail, renderError }: { detail: MessageDetail; renderError: string | null }) {
  const line = (label: string, value: string | number | null) =>
    value === null || value === "" ? null : (
      <Text as="p" variant="bodySm" breakWord>
        <Text as="span" fontWeight="semibold">{`${label}: `}</Text>
        <code>{String(value)}</code>
      </Text>
    );
  return (
    <BlockStack gap="200">
      {line("Follow-up", detail.id)}
      {line("Step key", detail.stepKey)}
      {line("Transport", detail.transport)}
      {line("SendGrid message id", detail.sendgridMessageIds.join(", "))}
      {line("Attempts", detail.attempts)}
      {line("Due", detail.dueAt)}
      {line("Sent", detail.sentAt)}
      {line("Last error", detail.lastError)}
      {line("Preview", renderError)}
      <BlockStack gap="100">
        <Text as="p" variant="bodySm" fontWeight="semibold">
          Events
        </Text>
        {detail.timeline.map((t, i) => (
          <Text key={i} as="p" variant="bodySm" breakWord>
            <code>{`${t.at} ${t.type}${t.detail ? ` ${t.detail}` : ""}`}</code>
          </Text>
        ))}
      </BlockStack>
    </BlockStack>
  );
}
