import { Suspense, lazy, memo, useEffect, useState, type ReactNode } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  Checkbox,
  DatePicker,
  IndexTable,
  InlineGrid,
  InlineStack,
  Layout,
  Page,
  Popover,
  Text,
  TextField,
  Tooltip,
  useBreakpoints,
} from "@shopify/polaris";
import { TitleBar, useAppBridge } from "@shopify/app-bridge-react";
import vizStyles from "@shopify/polaris-viz/build/esm/styles.css?url";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { readAdminForm } from "../admin/form-post.server";
import { loadDashboard } from "../services/analytics/dashboard.server";
import { rangeForShop } from "../services/analytics/range.server";
import { promoteShownWinner, PromotionError } from "../services/analytics/ab-promotion.server";
import { saveAnalyticsSettings } from "../services/analytics/settings.server";
import { resumeSending } from "../services/events/deliverability-health.server";
import { formatRate } from "../domain/analytics";
import { healthVerdict, MIN_MAIL_TO_JUDGE } from "../domain/deliverability-health";
import { downloadFromApp } from "../components/download";
import { FormSaveBar } from "../components/FormSaveBar";
import { HealthBadge, HealthVerdict } from "../components/HealthVerdict";
import { MailboxProviders } from "../components/MailboxProviders";
import { RangeTable } from "../components/RangeTable";
import { useStableCallback } from "../components/use-stable-callback";

export const links = () => [{ rel: "stylesheet", href: vizStyles }];

// Polaris Viz needs the browser: the charts load after hydration, into boxes of the height they
// will have, so nothing below them moves when they arrive.
const AnalyticsCharts = lazy(() => import("../components/AnalyticsCharts"));
const CHART_HEIGHTS = { activity: 260, revenue: 220, funnel: 260, gap: 16 };
const chartsHeight = (funnels: number) =>
  CHART_HEIGHTS.activity + CHART_HEIGHTS.gap + CHART_HEIGHTS.revenue + (funnels ? CHART_HEIGHTS.gap + CHART_HEIGHTS.funnel : 0);

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const url = new URL(request.url);
  const range = await rangeForShop(prisma, { shop: session.shop, from: url.searchParams.get("from"), to: url.searchParams.get("to") });
  return loadDashboard({ prisma, shop: session.shop, range });
};

export interface AnalyticsActionData {
  intent: string | null;
  ok: boolean;
  message?: string;
  error?: string;
}

const reply = (data: AnalyticsActionData, status = 200) => json(data, { status });

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, actor, form, intent } = await readAdminForm(request);

  if (intent === "promote") {
    const flowId = String(form.get("flowId") ?? "");
    const stepKey = String(form.get("stepKey") ?? "");
    const variant = String(form.get("variant") ?? "");
    try {
      await promoteShownWinner(prisma, { shop, flowId, stepKey, variant, actor });
    } catch (err) {
      if (err instanceof PromotionError) return reply({ intent, ok: false, error: err.message }, err.status);
      throw err;
    }
    return reply({ intent, ok: true, message: `Variant ${variant} now goes to everyone; the test has ended.` });
  }

  if (intent === "resume") {
    const resumed = await resumeSending(prisma, { shop, actor });
    return resumed
      ? reply({ intent, ok: true, message: "Sending resumed. Held follow-ups go out at their next attempt." })
      : reply({ intent, ok: false, error: "Sending is not paused." }, 409);
  }

  if (intent === "settings") {
    const days = Number(form.get("attributionWindowDays"));
    if (!Number.isInteger(days) || days < 1 || days > 90) {
      return reply({ intent, ok: false, error: "The attribution window is a whole number of days from 1 to 90." }, 400);
    }
    const settings = {
      attributionWindowDays: days,
      attributionCountsOpens: form.get("attributionCountsOpens") === "true",
      abAutoPromote: form.get("abAutoPromote") === "true",
    };
    await saveAnalyticsSettings(prisma, { shop, actor, settings });
    return reply({ intent, ok: true, message: "Settings saved. New orders are attributed with them." });
  }

  return reply({ intent: intent || null, ok: false, error: "Unknown request." }, 400);
};

const money = (amount: string, currency: string | null) => `${amount}${currency ? ` ${currency}` : ""}`;
const SOURCE_NAMES: Record<string, string> = { complementary: "Complementary products", related: "Related products", best_seller: "Collection best sellers" };

function RangePicker({ from, to }: { from: string; to: string }) {
  const submit = useSubmit();
  const [open, setOpen] = useState(false);
  const [month, setMonth] = useState(() => ({ month: Number(to.slice(5, 7)) - 1, year: Number(to.slice(0, 4)) }));
  const [selected, setSelected] = useState(() => ({ start: new Date(`${from}T12:00:00Z`), end: new Date(`${to}T12:00:00Z`) }));
  const day = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  const apply = (f: string, t: string) => {
    setOpen(false);
    submit({ from: f, to: t }, { method: "get", replace: true });
  };
  // The range button clicked shows pressed at once, in the click's own render: the router's
  // loading state comes later, and without it the click would show nothing until the numbers
  // arrive (a spinner instead costs a paint every frame). The picker is keyed by the range, so
  // the new range's page starts without it.
  const [loadingDays, setLoadingDays] = useState<number | null>(null);
  const navigationState = useNavigation().state;
  // The same range again keeps the key: the button stops showing pressed when the page has loaded.
  useEffect(() => {
    if (navigationState === "idle") setLoadingDays(null);
  }, [navigationState]);
  const preset = (days: number) => {
    const end = new Date(`${to}T12:00:00Z`);
    const start = new Date(end.getTime() - (days - 1) * 86_400_000);
    setLoadingDays(days);
    // The pressed button is painted before the range starts loading (a frame, then a task):
    // the load's work on the page and the server does not hold back that first paint.
    const from = start.toISOString().slice(0, 10);
    requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => apply(from, to), 0)));
  };
  return (
    <InlineStack gap="200" blockAlign="center">
      <Popover
        active={open}
        onClose={() => setOpen(false)}
        activator={
          <Button disclosure onClick={() => setOpen((o) => !o)}>
            {`${from} – ${to}`}
          </Button>
        }
      >
        <Box padding="400">
          <BlockStack gap="300">
            <DatePicker
              month={month.month}
              year={month.year}
              onChange={setSelected}
              onMonthChange={(m, y) => setMonth({ month: m, year: y })}
              selected={selected}
              allowRange
            />
            <Button variant="primary" onClick={() => apply(day(selected.start), day(selected.end))}>
              Apply
            </Button>
          </BlockStack>
        </Box>
      </Popover>
      {[7, 30, 90].map((days) => (
        <Button key={days} onClick={() => preset(days)} pressed={loadingDays === days}>
          {`${days} days`}
        </Button>
      ))}
    </InlineStack>
  );
}

// A word with its detail on hover: the page speaks plainly, the precise definition is one step away.
function Explained({ children, detail }: { children: ReactNode; detail: string }) {
  return (
    <Tooltip content={detail} width="wide">
      <span style={{ textDecoration: "underline dotted", textUnderlineOffset: 3, cursor: "help" }}>{children}</span>
    </Tooltip>
  );
}

const OPENS_DETAIL =
  "Emails a person opened. Some mail apps (Apple Mail Privacy Protection, security scanners) open every email they receive; those opens are left out.";
const variantName = (key: string) => (key ? `Version ${key.toUpperCase()}` : "—");

// The A/B result in plain words; the statistics behind it are in the tooltip.
function abSummary(ab: { status: string; winner: string | null; leader: string | null; minSample: number }): string {
  if (ab.status === "winner" && ab.winner) return `${variantName(ab.winner)} wins: it gets more clicks, and the difference is very unlikely to be chance.`;
  if (ab.status === "no_difference_yet")
    return `No clear winner yet: ${ab.leader ? variantName(ab.leader) : "one version"} leads, but the difference could still be chance.`;
  return `Still collecting: each version needs at least ${ab.minSample} delivered emails before a winner is named.`;
}

type Dashboard = ReturnType<typeof useLoaderData<typeof loader>>;

export default function Analytics() {
  const d = useLoaderData<typeof loader>();
  const shopify = useAppBridge();
  const fetcher = useFetcher<typeof action>();
  useEffect(() => {
    if (fetcher.state !== "idle" || !fetcher.data) return;
    if (fetcher.data.ok) shopify.toast.show(fetcher.data.message ?? "Done");
    else shopify.toast.show(fetcher.data.error ?? "That did not work.", { isError: true });
  }, [fetcher.state, fetcher.data, shopify]);
  const busy = fetcher.state !== "idle";
  const send = useStableCallback((fields: Record<string, string>) => fetcher.submit(fields, { method: "post" }));
  return (
    <Page fullWidth>
      <TitleBar title="Analytics" />
      <BlockStack gap="400">
        <DashboardView d={d} busy={busy} onSubmit={send} />
        <AttributionSettings saved={d.settings} />
      </BlockStack>
    </Page>
  );
}

// Under navigation, so the rest of the page does not render again when a range starts loading.
function LoadingBadge() {
  const navigation = useNavigation();
  return navigation.state === "loading" ? <Badge>Loading…</Badge> : null;
}

// Its own state, so an export spins its button without rendering the dashboard again.
function ExportButtons({ from, to }: { from: string; to: string }) {
  const shopify = useAppBridge();
  const [exporting, setExporting] = useState<string | null>(null);
  const exportCsv = async (kind: "messages" | "metrics") => {
    setExporting(kind);
    try {
      await downloadFromApp(`/app/analytics/export/${kind}?from=${from}&to=${to}`, `${kind}.csv`);
    } catch {
      shopify.toast.show("The export failed. Reload the page and try again.", { isError: true });
    } finally {
      setExporting(null);
    }
  };
  return (
    <>
      <Button onClick={() => exportCsv("metrics")} loading={exporting === "metrics"}>
        Export metrics (CSV)
      </Button>
      <Button onClick={() => exportCsv("messages")} loading={exporting === "messages"}>
        Export messages (CSV)
      </Button>
    </>
  );
}

// The attribution form with its own state and save bar: typing in it renders the form only.
// Memoised: a range starting to load (the page's loader data in flux) leaves it alone.
const AttributionSettings = memo(function AttributionSettings({ saved }: { saved: Dashboard["settings"] }) {
  const shopify = useAppBridge();
  const fetcher = useFetcher<typeof action>();
  useEffect(() => {
    if (fetcher.state !== "idle" || !fetcher.data) return;
    if (fetcher.data.ok) shopify.toast.show(fetcher.data.message ?? "Done");
    else shopify.toast.show(fetcher.data.error ?? "That did not work.", { isError: true });
  }, [fetcher.state, fetcher.data, shopify]);
  const [windowDays, setWindowDays] = useState(String(saved.attributionWindowDays));
  const [countsOpens, setCountsOpens] = useState(saved.attributionCountsOpens);
  const [autoPromote, setAutoPromote] = useState(saved.abAutoPromote);
  const saving = fetcher.state !== "idle";
  const dirty = windowDays !== String(saved.attributionWindowDays) || countsOpens !== saved.attributionCountsOpens || autoPromote !== saved.abAutoPromote;
  const save = () =>
    fetcher.submit(
      { intent: "settings", attributionWindowDays: windowDays, attributionCountsOpens: String(countsOpens), abAutoPromote: String(autoPromote) },
      { method: "post" },
    );
  const discard = () => {
    setWindowDays(String(saved.attributionWindowDays));
    setCountsOpens(saved.attributionCountsOpens);
    setAutoPromote(saved.abAutoPromote);
  };
  return (
    <>
      <FormSaveBar id="analytics-settings-save-bar" open={dirty} saving={saving} onSave={save} onDiscard={discard} />
      <Card>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            Attribution and tests
          </Text>
          <TextField
            label="Credit an order to a follow-up for (days after a click)"
            type="number"
            min={1}
            max={90}
            value={windowDays}
            onChange={setWindowDays}
            autoComplete="off"
            helpText="An order within this many days after a click on a follow-up is credited to that follow-up (the last one clicked). An order using a follow-up's discount code always is."
          />
          <Checkbox
            label="Count opens as well as clicks"
            checked={countsOpens}
            onChange={setCountsOpens}
            helpText="An open is a weaker sign than a click: some mail apps open every email they receive."
          />
          <Checkbox
            label="Send the winning version to everyone once a test has a clear winner"
            checked={autoPromote}
            onChange={setAutoPromote}
            helpText="Without this, you choose when to end a test from the A/B tests card."
          />
        </BlockStack>
      </Card>
    </>
  );
});

// Everything the range decides. Memoised: it renders again when the range's numbers arrive, not
// when a range starts loading or the attribution form changes.
const DashboardView = memo(function DashboardView({ d, busy, onSubmit }: { d: Dashboard; busy: boolean; onSubmit: (fields: Record<string, string>) => void }) {
  const { smDown } = useBreakpoints();
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  const t = d.totals;
  const health = d.health;
  const verdict = health ? healthVerdict({ window: health.window, level: d.sending.pausedAt ? "paused" : health.level }) : null;
  const deferrals = health ? Object.values(health.deferralsByProvider).reduce((a, b) => a + b, 0) : 0;
  const chartBox = chartsHeight(d.funnels.length);
  const tiles: [string, string, string?][] = [
    ["Sent", String(t.counters.sent)],
    ["Delivered", `${t.counters.delivered} (${formatRate(t.rates.deliveryRate) || "–"})`],
    ["Opened", `${t.counters.opens} (${formatRate(t.rates.openRate) || "–"})`, OPENS_DETAIL],
    ["Clicked", `${t.counters.clicks} (${formatRate(t.rates.clickRate) || "–"})`],
    ["Orders", String(t.orders), "Orders placed after a click on a follow-up, within the attribution window below, or with a follow-up's discount code."],
    ["Revenue", money(t.revenue, d.currency)],
  ];
  return (
    <>
      <BlockStack gap="400">
        {d.sending.pausedAt ? (
          <Banner
            tone="critical"
            title="Sending is paused"
            action={{ content: "Resume sending", loading: busy, onAction: () => onSubmit({ intent: "resume" }) }}
          >
            <p>{d.sending.pausedReason}</p>
            <p>Follow-ups are held, not lost. Fix the cause (clean your list, check what you send) before resuming.</p>
          </Banner>
        ) : health && health.level === "warning" ? (
          <Banner tone="warning" title="Deliverability needs attention">
            {health.problems.map((p) => (
              <p key={p}>{p}</p>
            ))}
          </Banner>
        ) : null}

        <InlineStack align="space-between" blockAlign="center" gap="200">
          <RangePicker key={`${d.range.from}/${d.range.to}`} from={d.range.from} to={d.range.to} />
          <InlineStack gap="200">
            <LoadingBadge />
            <ExportButtons from={d.range.from} to={d.range.to} />
          </InlineStack>
        </InlineStack>

        <InlineGrid columns={{ xs: 2, md: 6 }} gap="300">
          {tiles.map(([label, value, detail]) => (
            <Card key={label}>
              <BlockStack gap="100">
                <Text as="h3" variant="headingSm" tone="subdued">
                  {detail ? <Explained detail={detail}>{label}</Explained> : label}
                </Text>
                <Text as="p" variant="headingLg">
                  {value}
                </Text>
              </BlockStack>
            </Card>
          ))}
        </InlineGrid>

        <Layout>
          <Layout.Section>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Over time and per flow
                </Text>
                {/* On its own compositing layer: polaris-viz draws each line as a masked rect,
                    which the software compositor otherwise redraws with any change on the page
                    (a pressed range button cost 130-150 ms to paint with the charts, 50 without). */}
                <div style={{ minHeight: chartBox, willChange: "transform" }} data-charts-box>
                  {mounted ? (
                    <Suspense fallback={<Text as="p">Loading charts…</Text>}>
                      <AnalyticsCharts series={d.series} funnels={d.funnels} currency={d.currency} heights={CHART_HEIGHTS} />
                    </Suspense>
                  ) : (
                    <Text as="p">Loading charts…</Text>
                  )}
                </div>
              </BlockStack>
            </Card>
          </Layout.Section>
          <Layout.Section variant="oneThird">
            <Card>
              <BlockStack gap="200">
                <InlineStack align="space-between" blockAlign="center" gap="200">
                  <Text as="h2" variant="headingMd">
                    Deliverability (last {health?.windowDays ?? 7} days)
                  </Text>
                  {verdict ? <HealthBadge kind={verdict.kind} /> : null}
                </InlineStack>
                {health && verdict ? (
                  <>
                    <HealthVerdict verdict={verdict} window={health.window} />
                    <Text as="p" tone="subdued">
                      <Explained detail="Receiving mail servers asked SendGrid to try again later, usually because mail arrived faster than they accept from a new sender. SendGrid retries for up to 72 hours.">
                        Delayed by the receiving server
                      </Explained>
                      {deferrals
                        ? `: Gmail ${health.deferralsByProvider.gmail}, Outlook ${health.deferralsByProvider.outlook}, Yahoo ${health.deferralsByProvider.yahoo}, others ${health.deferralsByProvider.other}`
                        : ": none"}
                    </Text>
                  </>
                ) : (
                  <Text as="p" tone="subdued">
                    No mail events yet.
                  </Text>
                )}
              </BlockStack>
            </Card>
          </Layout.Section>
        </Layout>

        <RangeTable
          title="Steps and versions"
          condensed={smDown}
          itemCount={d.steps.length}
          resourceName={{ singular: "step", plural: "steps" }}
          headings={[
            { title: "Flow and step" },
            { title: "Version", tooltipContent: "A step with an A/B test sends each customer one of its versions." },
            { title: "Sent", alignment: "end" },
            { title: "Delivered", alignment: "end" },
            { title: "Opened", alignment: "end", tooltipContent: OPENS_DETAIL, tooltipWidth: "wide" },
            { title: "Clicked", alignment: "end" },
            {
              title: "Problems",
              tooltipContent: "Bounced: refused by the customer's mail server. Unsubscribed: asked for no more marketing email. Spam: marked as spam.",
            },
            { title: "Orders", alignment: "end" },
            { title: "Revenue", alignment: "end" },
          ]}
        >
          {d.steps.map((s, i) => {
            const problems =
              [
                s.counters.bounces ? `${s.counters.bounces} bounced` : "",
                s.counters.unsubscribes ? `${s.counters.unsubscribes} unsubscribed` : "",
                s.counters.spamReports ? `${s.counters.spamReports} spam` : "",
              ]
                .filter(Boolean)
                .join(", ") || "None";
            const key = `${s.flowId}/${s.stepKey}/${s.variant}`;
            if (smDown) {
              return (
                <IndexTable.Row id={key} key={key} position={i}>
                  <Box padding="300">
                    <BlockStack gap="100">
                      <Text as="p" fontWeight="semibold">
                        {s.flowName}
                      </Text>
                      <Text as="p" tone="subdued">
                        {s.variant ? `${s.stepName} · ${variantName(s.variant)}` : s.stepName}
                      </Text>
                      <Text as="p">{`${s.counters.sent} sent · ${s.counters.opens} opened · ${s.counters.clicks} clicked`}</Text>
                      <Text as="p" tone="subdued">{`${s.orders} orders · ${money(s.revenue, d.currency)} · problems: ${problems.toLowerCase()}`}</Text>
                    </BlockStack>
                  </Box>
                </IndexTable.Row>
              );
            }
            return (
              <IndexTable.Row id={key} key={key} position={i}>
                <IndexTable.Cell>
                  <BlockStack gap="050">
                    <Text as="span" fontWeight="semibold">
                      {s.flowName}
                    </Text>
                    <Text as="span" tone="subdued">
                      {s.stepName}
                    </Text>
                  </BlockStack>
                </IndexTable.Cell>
                <IndexTable.Cell>{variantName(s.variant)}</IndexTable.Cell>
                <IndexTable.Cell>
                  <Text as="span" alignment="end" numeric>
                    {s.counters.sent}
                  </Text>
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <Text as="span" alignment="end" numeric>
                    {`${s.counters.delivered} (${formatRate(s.rates.deliveryRate) || "–"})`}
                  </Text>
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <Text as="span" alignment="end" numeric>
                    {`${s.counters.opens} (${formatRate(s.rates.openRate) || "–"})`}
                  </Text>
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <Text as="span" alignment="end" numeric>
                    {`${s.counters.clicks} (${formatRate(s.rates.clickRate) || "–"})`}
                  </Text>
                </IndexTable.Cell>
                <IndexTable.Cell>{problems}</IndexTable.Cell>
                <IndexTable.Cell>
                  <Text as="span" alignment="end" numeric>
                    {s.orders}
                  </Text>
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <Text as="span" alignment="end" numeric>
                    {money(s.revenue, d.currency)}
                  </Text>
                </IndexTable.Cell>
              </IndexTable.Row>
            );
          })}
        </RangeTable>

        <MailboxProviders rows={d.providers} smDown={smDown} minDelivered={MIN_MAIL_TO_JUDGE} />

        <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                A/B tests
              </Text>
              {d.abTests.length === 0 ? (
                <Text as="p" tone="subdued">
                  No step had versions in this range.
                </Text>
              ) : null}
              {d.abTests.map((ab) => (
                <BlockStack key={`${ab.flowId}/${ab.stepKey}`} gap="100">
                  <Text as="h3" variant="headingSm">
                    {`${ab.flowName} · ${ab.stepName}`}
                  </Text>
                  {ab.variants.map((v) => (
                    <Text as="p" key={v.key}>
                      {`${variantName(v.key)}: ${v.successes} ${v.successes === 1 ? "click" : "clicks"} from ${v.trials} delivered (${formatRate(v.rate) || "–"})`}
                      {ab.winner === v.key ? " — winner" : ""}
                    </Text>
                  ))}
                  <Text as="p" tone="subdued">
                    <Explained detail={`${ab.explanation} Method: ${ab.test}.`}>{abSummary(ab)}</Explained>
                  </Text>
                  {ab.winner && ab.promotable ? (
                    <InlineStack>
                      <Button
                        onClick={() => onSubmit({ intent: "promote", flowId: ab.flowId, stepKey: ab.stepKey, variant: ab.winner! })}
                      >
                        {`Send ${variantName(ab.winner)} to everyone`}
                      </Button>
                    </InlineStack>
                  ) : null}
                </BlockStack>
              ))}
            </BlockStack>
          </Card>
          <Card padding="0">
            <Box padding="300">
              <BlockStack gap="100">
                <Text as="h2" variant="headingMd">
                  Which recommendations get clicked
                </Text>
                <Text as="p" tone="subdued">
                  <Explained detail="Thompson sampling on each source's click rate: every email draws a likely click rate for each source from what it has seen so far and leads with the highest draw; 10% of the share is spread evenly so every source keeps being tried.">
                    Afterglow leads each email with the products people click most, and keeps trying the others.
                  </Explained>
                </Text>
              </BlockStack>
            </Box>
            <IndexTable
              condensed={smDown}
              selectable={false}
              itemCount={d.sources.length}
              resourceName={{ singular: "source", plural: "sources" }}
              emptyState={
                <Box padding="400">
                  <Text as="p" tone="subdued">
                    No recommendations sent yet.
                  </Text>
                </Box>
              }
              headings={[
                { title: "Products shown" },
                { title: "Emails", alignment: "end" },
                { title: "Clicks", alignment: "end" },
                { title: "Orders", alignment: "end" },
                { title: "Share", alignment: "end", tooltipContent: "How often this kind of product leads an email now." },
              ]}
            >
              {d.sources.map((s, i) =>
                smDown ? (
                  <IndexTable.Row id={s.source} key={s.source} position={i}>
                    <Box padding="300">
                      <BlockStack gap="050">
                        <Text as="p" fontWeight="semibold">{`${SOURCE_NAMES[s.source] ?? s.source} · ${(s.weight * 100).toFixed(0)}% share`}</Text>
                        <Text
                          as="p"
                          tone="subdued"
                        >{`${s.impressions} emails · ${s.clicks} clicks (${formatRate(s.clickRate) || "–"}) · ${s.orders} orders`}</Text>
                      </BlockStack>
                    </Box>
                  </IndexTable.Row>
                ) : (
                  <IndexTable.Row id={s.source} key={s.source} position={i}>
                    <IndexTable.Cell>{SOURCE_NAMES[s.source] ?? s.source}</IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" alignment="end" numeric>
                        {s.impressions}
                      </Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" alignment="end" numeric>
                        {`${s.clicks} (${formatRate(s.clickRate) || "–"})`}
                      </Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" alignment="end" numeric>
                        {`${s.orders} (${money(s.revenue, d.currency)})`}
                      </Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" alignment="end" numeric>
                        {`${(s.weight * 100).toFixed(0)}%`}
                      </Text>
                    </IndexTable.Cell>
                  </IndexTable.Row>
                ),
              )}
            </IndexTable>
          </Card>
        </InlineGrid>
      </BlockStack>
    </>
  );
});
