import { useCallback, useEffect, useRef, useState } from "react";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useLocation, useNavigate, useNavigation } from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Box,
  Card,
  ChoiceList,
  EmptySearchResult,
  EmptyState,
  IndexFilters,
  IndexFiltersMode,
  IndexTable,
  InlineStack,
  Link,
  Page,
  Text,
  TextField,
  Tooltip,
  useBreakpoints,
  useSetIndexFiltersMode,
} from "@shopify/polaris";
import type { IndexFiltersProps } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { listMessages, type MessageRow } from "../services/messages/messages.server";
import { STATUS_TONE, statusLabel } from "../components/message-status";
import { formatDate, formatDateTime, useShopTimeZone } from "../components/shop-time";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const url = new URL(request.url);
  const get = (k: string) => url.searchParams.get(k)?.trim() || "";
  const filters = { status: get("status"), flowId: get("flow"), from: get("from"), to: get("to"), q: get("q") };
  const page = await listMessages(prisma, { shop: session.shop, filters, cursor: get("cursor") || null });
  return { filters, cursor: get("cursor") || null, ...page };
};

// The tabs are the statuses a merchant looks for; "All" also holds cancelled and sending ones.
const TABS = [
  { id: "all", status: "", content: "All" },
  { id: "scheduled", status: "scheduled", content: "Scheduled" },
  { id: "sent", status: "sent", content: "Sent" },
  { id: "skipped", status: "skipped", content: "Skipped" },
  { id: "failed", status: "failed", content: "Failed" },
];

// On a phone Polaris lets the tabs scroll sideways; with a little less padding all five fit at 375 px.
const PHONE_TABS_CSS = "@media (max-width: 47.9975em) { .afterglow-status-tabs .Polaris-Tabs__Tab { padding-inline: var(--p-space-200); } }";

// Earlier cursors ride in history state: the list only pages forward.
type PageState = { trail?: string[] } | null;

function When({ row, timeZone }: { row: MessageRow; timeZone: string }) {
  return row.sentAt ? <>{`Sent ${formatDateTime(row.sentAt, timeZone)}`}</> : <>{`Due ${formatDateTime(row.dueAt, timeZone)}`}</>;
}

// The whole sentence is in the tooltip; the cell shows what fits.
function Reason({ text, width }: { text: string | null; width: string }) {
  if (!text) return null;
  return (
    <Tooltip content={text} preferredPosition="above" width="wide">
      <Box maxWidth={width}>
        <Text as="span" tone="subdued" truncate>
          {text}
        </Text>
      </Box>
    </Tooltip>
  );
}

function StatusBadges({ row }: { row: MessageRow }) {
  return (
    <InlineStack gap="100" wrap={false}>
      <Badge tone={STATUS_TONE[row.status]}>{statusLabel(row.status)}</Badge>
      {row.isTest ? <Badge>Test</Badge> : null}
    </InlineStack>
  );
}

export default function Messages() {
  const { filters, rows, nextCursor, cursor, flows, anyFollowUps } = useLoaderData<typeof loader>();
  const navigate = useNavigate();
  const navigation = useNavigation();
  const location = useLocation();
  const timeZone = useShopTimeZone();
  const { smDown } = useBreakpoints();
  const trail = (location.state as PageState)?.trail ?? [];
  // Opened with a search or filter in the URL, the search and filter bar shows it.
  const { mode, setMode } = useSetIndexFiltersMode(
    filters.q || filters.flowId || filters.from || filters.to ? IndexFiltersMode.Filtering : IndexFiltersMode.Default,
  );

  // Every change lands in the URL (a new page of history, so back and forward step through it);
  // a new search or filter starts again from the first page.
  const go = useCallback(
    (changes: Record<string, string>, { replace = false }: { replace?: boolean } = {}) => {
      const params = new URLSearchParams(location.search);
      for (const [key, value] of Object.entries(changes)) {
        if (value) params.set(key, value);
        else params.delete(key);
      }
      params.delete("cursor");
      navigate(`?${params}`, { replace });
    },
    [location.search, navigate],
  );

  // The search field follows the URL (back, forward, reload) and asks the server after a pause.
  const [query, setQuery] = useState(filters.q);
  const asked = useRef(filters.q);
  useEffect(() => {
    if (filters.q !== asked.current) {
      asked.current = filters.q;
      setQuery(filters.q);
    }
  }, [filters.q]);
  useEffect(() => {
    const next = query.trim();
    if (next === asked.current) return;
    const timer = setTimeout(() => {
      asked.current = next;
      go({ q: next }, { replace: true });
    }, 400);
    return () => clearTimeout(timer);
  }, [query, go]);

  // The date fields apply when a whole date is typed or picked.
  const [from, setFrom] = useState(filters.from);
  const [to, setTo] = useState(filters.to);
  useEffect(() => setFrom(filters.from), [filters.from]);
  useEffect(() => setTo(filters.to), [filters.to]);
  const isDay = (v: string) => v === "" || /^\d{4}-\d{2}-\d{2}$/.test(v);

  function pageTo(target: string | null, nextTrail: string[]) {
    const params = new URLSearchParams(location.search);
    if (target) params.set("cursor", target);
    else params.delete("cursor");
    navigate(`?${params}`, { state: { trail: nextTrail } });
  }

  const selectedTab = Math.max(
    0,
    TABS.findIndex((t) => t.status === filters.status),
  );
  const flowName = flows.find((f) => f.id === filters.flowId)?.name;

  const filterControls: IndexFiltersProps["filters"] = [
    {
      key: "flow",
      label: "Flow",
      pinned: true,
      filter: (
        <ChoiceList
          title="Flow"
          titleHidden
          choices={flows.map((f) => ({ label: f.name, value: f.id }))}
          selected={filters.flowId ? [filters.flowId] : []}
          onChange={(v) => go({ flow: v[0] ?? "" })}
        />
      ),
    },
    {
      key: "date",
      label: "Date",
      pinned: true,
      filter: (
        <BlockStack gap="200">
          <TextField
            label="From"
            type="date"
            value={from}
            onChange={(v) => {
              setFrom(v);
              if (isDay(v)) go({ from: v });
            }}
            autoComplete="off"
          />
          <TextField
            label="Until"
            type="date"
            value={to}
            onChange={(v) => {
              setTo(v);
              if (isDay(v)) go({ to: v });
            }}
            autoComplete="off"
          />
        </BlockStack>
      ),
    },
  ];
  const applied: IndexFiltersProps["appliedFilters"] = [];
  if (filters.flowId) applied.push({ key: "flow", label: `Flow: ${flowName ?? "deleted flow"}`, onRemove: () => go({ flow: "" }) });
  if (filters.from || filters.to) {
    const range = [
      filters.from ? `from ${formatDate(`${filters.from}T12:00:00Z`, "UTC")}` : "",
      filters.to ? `until ${formatDate(`${filters.to}T12:00:00Z`, "UTC")}` : "",
    ]
      .filter(Boolean)
      .join(" ");
    applied.push({ key: "date", label: `Date ${range}`, onRemove: () => go({ from: "", to: "" }) });
  }

  const loading = navigation.state === "loading" && navigation.location?.pathname === location.pathname;

  if (!anyFollowUps) {
    return (
      <Page>
        <TitleBar title="Messages" />
        <Card>
          <EmptyState heading="No follow-ups yet" action={{ content: "Open flows", url: "/app/flows" }} image="">
            <p>When an order comes in, the follow-ups your flows plan for it appear here, with when they go out and what happened to them.</p>
          </EmptyState>
        </Card>
      </Page>
    );
  }

  return (
    <Page>
      <TitleBar title="Messages" />
      <style>{PHONE_TABS_CSS}</style>
      <div className="afterglow-status-tabs">
        <Card padding="0">
          <IndexFilters
            tabs={TABS.map((t) => ({ id: t.id, content: t.content }))}
            selected={selectedTab}
            onSelect={(i) => go({ status: TABS[i]?.status ?? "" })}
            queryValue={query}
            queryPlaceholder="Search by order or email"
            onQueryChange={setQuery}
            onQueryClear={() => setQuery("")}
            filters={filterControls}
            appliedFilters={applied}
            onClearAll={() => go({ flow: "", from: "", to: "" })}
            cancelAction={{
              onAction: () => {
                asked.current = "";
                setQuery("");
                go({ q: "", flow: "", from: "", to: "" });
              },
            }}
            mode={mode}
            setMode={setMode}
            canCreateNewView={false}
            // A sticky bar over a phone's list hides its first row.
            disableStickyMode={smDown}
            loading={loading}
          />
          <IndexTable
            condensed={smDown}
            resourceName={{ singular: "follow-up", plural: "follow-ups" }}
            itemCount={rows.length}
            selectable={false}
            loading={loading}
            emptyState={<EmptySearchResult title="No follow-ups match" description="Try another tab, search or filter." withIllustration />}
            headings={[{ title: "Order" }, { title: "Recipient" }, { title: "Flow" }, { title: "Status" }, { title: "Date" }, { title: "Reason" }]}
            pagination={{
              hasPrevious: Boolean(cursor),
              onPrevious: () => pageTo(trail[trail.length - 1] ?? null, trail.slice(0, -1)),
              hasNext: Boolean(nextCursor),
              onNext: () => pageTo(nextCursor, cursor ? [...trail, cursor] : trail),
            }}
          >
            {rows.map((r, i) =>
              smDown ? (
                <IndexTable.Row id={r.id} key={r.id} position={i}>
                  <Box padding="300" width="100%">
                    <BlockStack gap="100">
                      <InlineStack align="space-between" blockAlign="center" wrap={false} gap="200">
                        <Link url={`/app/messages/${r.id}`} dataPrimaryLink removeUnderline>
                          <Text as="span" fontWeight="semibold">
                            {r.order}
                          </Text>
                        </Link>
                        <StatusBadges row={r} />
                      </InlineStack>
                      <Text as="span" truncate>
                        {r.recipient}
                      </Text>
                      <Text as="span" tone="subdued" variant="bodySm">
                        {`${r.flow} · ${r.step} · `}
                        <When row={r} timeZone={timeZone} />
                      </Text>
                      <Reason text={r.reason} width="100%" />
                    </BlockStack>
                  </Box>
                </IndexTable.Row>
              ) : (
                <IndexTable.Row id={r.id} key={r.id} position={i}>
                  <IndexTable.Cell>
                    <Link url={`/app/messages/${r.id}`} dataPrimaryLink removeUnderline>
                      <Text as="span" fontWeight="semibold">
                        {r.order}
                      </Text>
                    </Link>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Box maxWidth="180px">
                      <Text as="span" truncate>
                        {r.recipient}
                      </Text>
                    </Box>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Box maxWidth="160px">
                      <BlockStack>
                        <Text as="span" truncate>
                          {r.flow}
                        </Text>
                        <Text as="span" tone="subdued" variant="bodySm">
                          {r.step}
                        </Text>
                      </BlockStack>
                    </Box>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <StatusBadges row={r} />
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Text as="span" variant="bodySm">
                      <When row={r} timeZone={timeZone} />
                    </Text>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Reason text={r.reason} width="200px" />
                  </IndexTable.Cell>
                </IndexTable.Row>
              ),
            )}
          </IndexTable>
        </Card>
      </div>
    </Page>
  );
}
