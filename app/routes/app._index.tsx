import { planOverview } from "../services/billing/plans.server";
import { PlanLimitBanner } from "../components/PlanLimitBanner";
import { useEffect, useState } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import {
  ActionList,
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  Collapsible,
  Icon,
  InlineGrid,
  InlineStack,
  Layout,
  Link,
  Page,
  Popover,
  ProgressBar,
  Text,
  Tooltip,
} from "@shopify/polaris";
import { CheckCircleIcon, ChevronDownIcon, ChevronUpIcon, MenuHorizontalIcon } from "@shopify/polaris-icons";
import { TitleBar, useAppBridge } from "@shopify/app-bridge-react";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { readAdminForm } from "../admin/form-post.server";
import { dismissSetupGuide, homeSummary } from "../services/home/home.server";
import { setFlowActive } from "../services/flows/flow-editor.server";
import { checkSenderDomain } from "../services/shop/sender-domain.server";
import type { SetupTaskId } from "../domain/setup-guide";
import { HealthBadge, HealthVerdict } from "../components/HealthVerdict";

// The home answers "is it working?": the setup guide until it is done, which address mail goes
// from and why, and how the last 7 days went.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const [summary, plan] = await Promise.all([homeSummary(prisma, { shop: session.shop }), planOverview(prisma, { shop: session.shop })]);
  const own = summary.sender && ["sender_email", "verified_domain"].includes(summary.sender.source) ? summary.sender.from.email : null;
  return { ...summary, domain: own ? await domainStatus(own) : null, planBanner: plan.banner };
};

// The DNS check is cached for minutes; the home never waits long for a first one.
async function domainStatus(email: string): Promise<{ status: string; title: string } | null> {
  const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), 1500).unref());
  try {
    const result = await Promise.race([checkSenderDomain({ email }), timeout]);
    return result ? { status: result.verdict.status, title: result.verdict.title } : null;
  } catch {
    return null;
  }
}

export interface HomeActionData {
  ok: boolean;
  message: string;
}

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, actor, form, intent } = await readAdminForm(request);
  if (intent === "turn_on_flow") {
    const id = String(form.get("id") ?? "");
    if (!(await setFlowActive({ prisma, shop, id, active: true, actor })))
      return json<HomeActionData>({ ok: false, message: "That flow is not one of this shop's flows. Reload the page." }, { status: 404 });
    return json<HomeActionData>({ ok: true, message: "Flow turned on. New orders get its follow-ups." });
  }
  if (intent === "dismiss_guide") {
    await dismissSetupGuide({ prisma, shop, actor });
    return json<HomeActionData>({ ok: true, message: "Setup guide dismissed." });
  }
  return json<HomeActionData>({ ok: false, message: "Unknown request: turn_on_flow or dismiss_guide." }, { status: 400 });
};

type HomeData = ReturnType<typeof useLoaderData<typeof loader>>;

const TASK_TEXT: Record<SetupTaskId, { title: string; description: string }> = {
  sender: {
    title: "Set your sender and brand",
    description: "Choose the name and address your customers see, and add your logo and colour so the emails look like your store.",
  },
  test_send: {
    title: "Preview the thank-you email and send yourself a test",
    description: "Open the flow's editor, see the email as a customer would, and send a test to your store's address.",
  },
  flow_on: {
    title: "Turn the flow on",
    description: "New flows start off. Once you like the email, turn the flow on and every new order gets its follow-up.",
  },
};

// The task's title row opens it; a bare button, so it reads as the row, not as a button.
const TASK_TOGGLE = {
  background: "none",
  border: 0,
  padding: 0,
  margin: 0,
  font: "inherit",
  color: "inherit",
  textAlign: "left",
  width: "100%",
  cursor: "pointer",
} as const;

function SetupGuide({ data }: { data: HomeData }) {
  const { guide, firstFlow } = data;
  const shopify = useAppBridge();
  const fetcher = useFetcher<typeof action>();
  const [open, setOpen] = useState<SetupTaskId | null>(guide.next);
  const [expanded, setExpanded] = useState(true);
  const [menu, setMenu] = useState(false);
  useEffect(() => setOpen(guide.next), [guide.next]);
  useEffect(() => {
    if (fetcher.state !== "idle" || !fetcher.data) return;
    shopify.toast.show(fetcher.data.message, fetcher.data.ok ? undefined : { isError: true });
  }, [fetcher.state, fetcher.data, shopify]);
  const busy = fetcher.state !== "idle";

  const taskAction = (id: SetupTaskId) => {
    if (id === "sender")
      return (
        <Button variant="primary" url="/app/settings">
          Open Settings
        </Button>
      );
    if (id === "test_send")
      return firstFlow ? (
        <Button variant="primary" url={`/app/flows/${firstFlow.id}`}>
          Preview and send a test
        </Button>
      ) : (
        <Button variant="primary" url="/app/flows/new">
          Create a flow
        </Button>
      );
    return firstFlow ? (
      <Button variant="primary" loading={busy} onClick={() => fetcher.submit({ intent: "turn_on_flow", id: firstFlow.id }, { method: "post" })}>
        {`Turn on “${firstFlow.name}”`}
      </Button>
    ) : (
      <Button variant="primary" url="/app/flows">
        Open Flows
      </Button>
    );
  };

  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="start" wrap={false} gap="200">
          <BlockStack gap="100">
            <Text as="h2" variant="headingMd">
              Setup guide
            </Text>
            <Text as="p" tone="subdued">
              Three steps before your first follow-up goes out.
            </Text>
          </BlockStack>
          <InlineStack gap="100" wrap={false}>
            {guide.canDismiss ? (
              <Popover
                active={menu}
                onClose={() => setMenu(false)}
                activator={
                  <Button variant="tertiary" icon={MenuHorizontalIcon} accessibilityLabel="More setup guide actions" onClick={() => setMenu((m) => !m)} />
                }
              >
                <ActionList
                  items={[
                    {
                      content: "Dismiss",
                      onAction: () => {
                        setMenu(false);
                        fetcher.submit({ intent: "dismiss_guide" }, { method: "post" });
                      },
                    },
                  ]}
                />
              </Popover>
            ) : null}
            <Button
              variant="tertiary"
              icon={expanded ? ChevronUpIcon : ChevronDownIcon}
              accessibilityLabel={expanded ? "Collapse the setup guide" : "Expand the setup guide"}
              onClick={() => setExpanded((e) => !e)}
            />
          </InlineStack>
        </InlineStack>
        <InlineStack gap="200" blockAlign="center" wrap={false}>
          <Text as="span" variant="bodySm">
            <span data-testid="setup-progress">{`${guide.completed} of ${guide.total} tasks complete`}</span>
          </Text>
          <div style={{ flex: 1 }}>
            <ProgressBar progress={(guide.completed / guide.total) * 100} size="small" tone="primary" />
          </div>
        </InlineStack>
        <Collapsible id="setup-guide-tasks" open={expanded}>
          <BlockStack gap="100">
            {guide.tasks.map((task) => {
              const isOpen = open === task.id;
              return (
                <Box key={task.id} padding="200" borderRadius="200" background={isOpen ? "bg-surface-secondary" : undefined}>
                  <BlockStack gap="200">
                    <button
                      type="button"
                      style={TASK_TOGGLE}
                      onClick={() => setOpen(isOpen ? null : task.id)}
                      aria-expanded={isOpen}
                      aria-controls={`setup-task-${task.id}`}
                    >
                      <InlineStack gap="200" blockAlign="center" wrap={false}>
                        {task.done ? (
                          <span aria-label="Done">
                            <Icon source={CheckCircleIcon} tone="success" />
                          </span>
                        ) : (
                          <span
                            aria-label="To do"
                            style={{ display: "inline-block", width: 20, height: 20, flex: "none", border: "1.5px dashed #8a8a8a", borderRadius: "50%" }}
                          />
                        )}
                        <Text as="h3" variant="bodyMd" fontWeight={isOpen ? "semibold" : "regular"} tone={task.done && !isOpen ? "subdued" : undefined}>
                          {TASK_TEXT[task.id].title}
                        </Text>
                      </InlineStack>
                    </button>
                    <Collapsible id={`setup-task-${task.id}`} open={isOpen}>
                      <Box paddingInlineStart="800">
                        <BlockStack gap="200" inlineAlign="start">
                          <Text as="p" tone="subdued">
                            {TASK_TEXT[task.id].description}
                          </Text>
                          {task.done && task.id === "flow_on" ? <Badge tone="success">On</Badge> : taskAction(task.id)}
                        </BlockStack>
                      </Box>
                    </Collapsible>
                  </BlockStack>
                </Box>
              );
            })}
          </BlockStack>
        </Collapsible>
      </BlockStack>
    </Card>
  );
}

function Stat({ label, value, help, testId }: { label: string; value: number; help?: string; testId: string }) {
  const title = (
    <span style={{ display: "inline-block", lineHeight: "20px", textDecoration: help ? "underline dotted" : undefined, cursor: help ? "help" : undefined }}>
      <Text as="span" variant="bodySm" tone="subdued">
        {label}
      </Text>
    </span>
  );
  return (
    <BlockStack gap="050">
      {/* Labels with and without help keep one height, so the numbers line up. */}
      {help ? (
        <Tooltip content={help}>
          {title}
        </Tooltip>
      ) : (
        title
      )}
      <Text as="p" variant="headingMd">
        <span data-testid={testId}>{value}</span>
      </Text>
    </BlockStack>
  );
}

export default function Home() {
  const data = useLoaderData<typeof loader>();
  const { week, health, sender } = data;
  return (
    <Page>
      <TitleBar title="Afterglow" />
      <Layout>
        {data.sendingPausedReason ? (
          <Layout.Section>
            <Banner tone="critical" title="Sending is paused" action={{ content: "Open Analytics", url: "/app/analytics" }}>
              {data.sendingPausedReason}
            </Banner>
          </Layout.Section>
        ) : null}
        {data.planBanner ? (
          <Layout.Section>
            <PlanLimitBanner banner={data.planBanner} />
          </Layout.Section>
        ) : null}
        {data.guide.visible ? (
          <Layout.Section>
            <SetupGuide data={data} />
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
            <Card>
              <BlockStack gap="200">
                <InlineStack align="space-between" blockAlign="center">
                  <Text as="h2" variant="headingMd">
                    Sender
                  </Text>
                  <Badge tone={data.sendingEnabled ? "success" : "critical"}>{data.sendingEnabled ? "Sending on" : "Sending off"}</Badge>
                </InlineStack>
                {sender ? (
                  <>
                    <Text as="p" variant="bodyMd">
                      <span data-testid="sender-from">{sender.from.name ? `${sender.from.name} <${sender.from.email}>` : sender.from.email}</span>
                    </Text>
                    <Text as="p" tone="subdued">
                      {sender.why}
                    </Text>
                    {/* When the app's address sends, the reason above already says where replies go. */}
                    {sender.replyTo && sender.source !== "app_default" ? <Text as="p" tone="subdued">{`Replies go to ${sender.replyTo.email}.`}</Text> : null}
                  </>
                ) : (
                  <Text as="p">No address to send from yet: set a sender address in Settings.</Text>
                )}
                <InlineStack gap="300">
                  <Link url="/app/settings">Change the sender</Link>
                  {sender && sender.source !== "store_email" ? <Link url="/app/sender">{data.domain ? data.domain.title : "Check the domain"}</Link> : null}
                </InlineStack>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <InlineStack align="space-between" blockAlign="center" gap="200">
                  <Text as="h2" variant="headingMd">
                    Last 7 days
                  </Text>
                  <HealthBadge kind={health.kind} />
                </InlineStack>
                <InlineGrid columns={3} gap="300">
                  <Stat label="Sent" value={week.sent} testId="sent-7d" />
                  <Stat label="Delivered" value={week.delivered} testId="delivered-7d" />
                  <Stat
                    label="Opened"
                    value={week.opened}
                    help="Emails a person opened. Opens made by mail apps that load every email (Apple Mail Privacy Protection) are left out."
                    testId="opened-7d"
                  />
                  <Stat label="Clicked" value={week.clicked} testId="clicked-7d" />
                  <Stat
                    label="Bounced"
                    value={week.bounced}
                    help="Emails the customer's mail server refused, e.g. an address that does not exist."
                    testId="bounced-7d"
                  />
                  <Stat label="Spam reports" value={week.complaints} help="Customers who marked an email as spam." testId="complaints-7d" />
                </InlineGrid>
                <HealthVerdict verdict={health} />
                <InlineStack gap="300">
                  <Link url="/app/analytics">Open Analytics</Link>
                  {data.waiting ? <Link url="/app/messages?status=scheduled">{`${data.waiting} waiting to go out`}</Link> : null}
                  {data.failed7d ? <Link url="/app/messages?status=failed">{`${data.failed7d} failed`}</Link> : null}
                </InlineStack>
              </BlockStack>
            </Card>
          </InlineGrid>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
