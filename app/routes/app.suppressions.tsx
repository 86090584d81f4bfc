import { downloadFromApp } from "../components/download";
import { memo, useEffect, useRef, useState } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useFetcher, useLoaderData, useLocation, useNavigate, useNavigation, useSubmit } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  ChoiceList,
  EmptySearchResult,
  EmptyState,
  FormLayout,
  IndexTable,
  InlineStack,
  Layout,
  Page,
  Text,
  TextField,
  useBreakpoints,
} from "@shopify/polaris";
import { Modal, TitleBar, useAppBridge } from "@shopify/app-bridge-react";
import type { Suppression } from "@prisma/client";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { readAdminForm } from "../admin/form-post.server";
import { formatDate, useShopTimeZone } from "../components/shop-time";
import { useStableCallback } from "../components/use-stable-callback";
import { isHashedSuppressionEmail } from "../services/compliance/hashed-emails.server";
import {
  addSuppressionByMerchant,
  countSuppressions,
  listSuppressions,
  MERCHANT_SOURCE,
  normaliseEmail,
  removeSuppressionByMerchant,
  SUPPRESSION_SCOPES,
  type SuppressionPage,
  type SuppressionScope,
} from "../services/consent/suppressions.server";

const PAGE_SIZE = 50;
const NOTE_MAX = 500;
// RFC 5321's limit for a whole address.
const EMAIL_MAX = 254;
const EMAIL_SHAPE = /^[^\s@"<>,;]+@[^\s@"<>,;]+\.[^\s@"<>,;.]{2,}$/;

const REASONS: Record<string, string> = {
  unsubscribed: "Unsubscribed",
  hard_bounce: "Hard bounce",
  spam_report: "Marked as spam",
  invalid: "Invalid address",
  blocked: "Repeatedly blocked",
  manual: "Added by you",
};

const SCOPES: Record<string, string> = {
  all: "All emails",
  marketing: "Marketing only",
};

const UNSUBSCRIBE_VIA: Record<string, string> = {
  "one-click": "Unsubscribe button in the customer's inbox",
  page: "Unsubscribe page",
  mailto: "Unsubscribe email",
};

function sourceLabel(s: Suppression): string {
  if (s.source?.startsWith("sendgrid:")) return "SendGrid";
  if (s.source === MERCHANT_SOURCE) return "You, on this page";
  if (s.reason === "unsubscribed") {
    try {
      const via = (JSON.parse(s.detail ?? "") as { via?: string }).via;
      if (via && UNSUBSCRIBE_VIA[via]) return UNSUBSCRIBE_VIA[via];
    } catch {
      // Older entries keep no detail.
    }
    return "Unsubscribe link";
  }
  return s.source ? "Afterglow" : "—";
}

// Unsubscribe details are machine JSON; the merchant sees the note or the bounce text only.
function noteOf(s: Suppression): string | null {
  if (!s.detail || s.detail.startsWith("{")) return null;
  return s.detail;
}

function rowView(s: Suppression) {
  const erased = isHashedSuppressionEmail(s.email);
  return {
    id: s.id,
    // A redacted customer's entry only holds a fingerprint; the hash means nothing to a person.
    email: erased ? null : s.email,
    scope: s.scope,
    scopeLabel: SCOPES[s.scope] ?? s.scope,
    reason: s.reason,
    reasonLabel: REASONS[s.reason] ?? s.reason,
    source: sourceLabel(s),
    note: noteOf(s),
    createdAt: s.createdAt.toISOString(),
  };
}

export type SuppressionRow = ReturnType<typeof rowView>;

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const url = new URL(request.url);
  const q = (url.searchParams.get("q") ?? "").trim().slice(0, EMAIL_MAX);
  const cursor = url.searchParams.get("cursor") || null;
  let problem: string | null = null;
  let page: SuppressionPage;
  try {
    page = await listSuppressions(prisma, { shop: session.shop, search: q, limit: PAGE_SIZE, cursor });
  } catch (err) {
    if (!cursor) throw err;
    // A cursor from an old bookmark or a hand-edited URL: show the first page instead.
    problem = (err as Error).message;
    page = await listSuppressions(prisma, { shop: session.shop, search: q, limit: PAGE_SIZE });
  }
  const total = await countSuppressions(prisma, session.shop);
  return {
    q,
    cursor: problem ? null : cursor,
    nextCursor: page.nextCursor,
    rows: page.items.map(rowView),
    total,
    problem,
  };
};

export interface SuppressionActionData {
  intent: "add" | "remove" | null;
  ok: boolean;
  message?: string;
  errors?: { email?: string; scope?: string; note?: string; form?: string };
  // The entry added, already there, or removed.
  id?: string;
  created?: boolean;
}

function reply(body: SuppressionActionData, status = 200) {
  return json<SuppressionActionData>(body, { status });
}

function checkEmail(raw: string): string | undefined {
  const email = normaliseEmail(raw);
  if (!email) return "Enter the email address to suppress.";
  if (email.length > EMAIL_MAX) return `An email address is at most ${EMAIL_MAX} characters.`;
  if (!EMAIL_SHAPE.test(email)) return "Enter a complete email address, like name@example.com.";
  return undefined;
}

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, actor, form, intent } = await readAdminForm(request);

  if (intent === "add") {
    const rawEmail = String(form.get("email") ?? "");
    const scope = String(form.get("scope") ?? "all") as SuppressionScope;
    const note = String(form.get("note") ?? "").trim();
    const errors: NonNullable<SuppressionActionData["errors"]> = {};
    const emailError = checkEmail(rawEmail);
    if (emailError) errors.email = emailError;
    if (!SUPPRESSION_SCOPES.includes(scope)) errors.scope = "Choose all emails or marketing only.";
    if (note.length > NOTE_MAX) errors.note = `Keep the note under ${NOTE_MAX} characters.`;
    if (Object.keys(errors).length) return reply({ intent: "add", ok: false, errors }, 400);

    const { suppression, created } = await addSuppressionByMerchant(prisma, { shop, actor, email: rawEmail, scope, note: note || null });
    return reply({
      intent: "add",
      ok: true,
      id: suppression.id,
      created,
      message: created
        ? "Address added. Afterglow will not email it."
        : `This address is already on the list (${(REASONS[suppression.reason] ?? suppression.reason).toLowerCase()}). Nothing changed.`,
    });
  }

  if (intent === "remove") {
    const id = String(form.get("id") ?? "");
    const removed = await removeSuppressionByMerchant(prisma, { shop, actor, id });
    if (!removed) {
      return reply({ intent: "remove", ok: false, errors: { form: "That entry is not on this shop's suppression list any more. Reload the page." } }, 404);
    }
    return reply({ intent: "remove", ok: true, id: removed.id, message: "Address removed. Afterglow may email it again." });
  }

  return reply({ intent: null, ok: false, errors: { form: "Unknown request: add or remove an address." } }, 400);
};

function AddressText({ row }: { row: SuppressionRow }) {
  return row.email ? (
    <Text as="span" fontWeight="semibold" truncate>
      {row.email}
    </Text>
  ) : (
    <Text as="span" tone="subdued">
      Erased customer (kept as a fingerprint)
    </Text>
  );
}

function RemoveButton({ row, onRemove }: { row: SuppressionRow; onRemove: (row: SuppressionRow) => void }) {
  return (
    <Button size="slim" tone="critical" variant="plain" onClick={() => onRemove(row)} accessibilityLabel={`Remove ${row.email ?? "erased customer"}`}>
      Remove
    </Button>
  );
}

// Typing renders this field only; the list is asked for once the merchant pauses.
function SearchField({ q, searching }: { q: string; searching: boolean }) {
  const submit = useSubmit();
  const [query, setQuery] = useState(q);
  // The last search this field asked for; any other change of q (back button, a link) refills it.
  const asked = useRef(q);
  useEffect(() => {
    if (q !== asked.current) {
      asked.current = q;
      setQuery(q);
    }
  }, [q]);
  useEffect(() => {
    const next = query.trim();
    if (next === asked.current) return;
    const timer = setTimeout(() => {
      asked.current = next;
      submit(next ? { q: next } : {}, { method: "get", replace: true });
    }, 400);
    return () => clearTimeout(timer);
  }, [query, submit]);
  return (
    <Form method="get" role="search">
      <InlineStack gap="200" blockAlign="end" wrap={false}>
        <div style={{ flex: 1, minWidth: 0 }}>
          <TextField
            label="Search by email"
            labelHidden
            name="q"
            value={query}
            onChange={setQuery}
            placeholder="Search by email"
            autoComplete="off"
            clearButton
            onClearButtonClick={() => setQuery("")}
          />
        </div>
        <Button submit loading={searching}>
          Search
        </Button>
      </InlineStack>
    </Form>
  );
}

const NO_TRAIL: (string | null)[] = [];

// Memoised: the add form and the removal modal change without rendering the list again.
const SuppressionTable = memo(function SuppressionTable({
  q,
  cursor,
  nextCursor,
  trail = NO_TRAIL,
  rows,
  searching,
  condensed,
  timeZone,
  onPage,
  onRemove,
}: {
  q: string;
  cursor: string | null;
  nextCursor: string | null;
  trail: (string | null)[] | undefined;
  rows: SuppressionRow[];
  searching: boolean;
  condensed: boolean;
  timeZone: string;
  onPage: (target: string | null, trail: (string | null)[]) => void;
  onRemove: (row: SuppressionRow) => void;
}) {
  return (
    <IndexTable
      condensed={condensed}
      resourceName={{ singular: "suppressed address", plural: "suppressed addresses" }}
      itemCount={rows.length}
      selectable={false}
      loading={searching}
      emptyState={
        <EmptySearchResult title="No matching addresses" description={`Nothing on the list contains "${q}".`} withIllustration />
      }
      headings={[{ title: "Email" }, { title: "Applies to" }, { title: "Reason" }, { title: "Source" }, { title: "Added" }, { title: "" }]}
      pagination={{
        hasPrevious: Boolean(cursor),
        onPrevious: () => onPage(trail[trail.length - 1] ?? null, trail.slice(0, -1)),
        hasNext: Boolean(nextCursor),
        onNext: () => onPage(nextCursor, [...trail, cursor]),
      }}
    >
      {rows.map((r, i) =>
        condensed ? (
          <IndexTable.Row id={r.id} key={r.id} position={i}>
            <Box padding="300" width="100%">
              <BlockStack gap="100">
                <InlineStack align="space-between" blockAlign="center" wrap={false} gap="200">
                  <Box minWidth="0">
                    <AddressText row={r} />
                  </Box>
                  <RemoveButton row={r} onRemove={onRemove} />
                </InlineStack>
                <InlineStack gap="200" blockAlign="center">
                  <Badge tone={r.scope === "all" ? "critical" : "attention"}>{r.scopeLabel}</Badge>
                  <Text as="span" tone="subdued" variant="bodySm">
                    {`${r.reasonLabel} · ${r.source} · ${formatDate(r.createdAt, timeZone)}`}
                  </Text>
                </InlineStack>
              </BlockStack>
            </Box>
          </IndexTable.Row>
        ) : (
          <IndexTable.Row id={r.id} key={r.id} position={i}>
            <IndexTable.Cell>
              <Box maxWidth="220px">
                <AddressText row={r} />
              </Box>
            </IndexTable.Cell>
            <IndexTable.Cell>
              <Badge tone={r.scope === "all" ? "critical" : "attention"}>{r.scopeLabel}</Badge>
            </IndexTable.Cell>
            <IndexTable.Cell>{r.reasonLabel}</IndexTable.Cell>
            <IndexTable.Cell>
              <Box maxWidth="180px">
                <BlockStack gap="050">
                  <Text as="span" truncate>
                    {r.source}
                  </Text>
                  {r.note ? (
                    <Text as="span" tone="subdued" variant="bodySm" truncate>
                      {r.note}
                    </Text>
                  ) : null}
                </BlockStack>
              </Box>
            </IndexTable.Cell>
            <IndexTable.Cell>{formatDate(r.createdAt, timeZone)}</IndexTable.Cell>
            <IndexTable.Cell>
              <RemoveButton row={r} onRemove={onRemove} />
            </IndexTable.Cell>
          </IndexTable.Row>
        ),
      )}
    </IndexTable>
  );
});

// Earlier cursors ride in history state: the list only pages forward.
type PageState = { trail?: (string | null)[] } | null;

export default function Suppressions() {
  const { q, cursor, nextCursor, rows, total, problem } = useLoaderData<typeof loader>();
  const shopify = useAppBridge();
  const navigate = useNavigate();
  const navigation = useNavigation();
  const location = useLocation();
  const trail = (location.state as PageState)?.trail;
  const timeZone = useShopTimeZone();
  const { smDown } = useBreakpoints();

  const pageTo = useStableCallback((target: string | null, nextTrail: (string | null)[]) => {
    const params = new URLSearchParams();
    if (q) params.set("q", q);
    if (target) params.set("cursor", target);
    navigate(`?${params}`, { state: { trail: nextTrail } });
  });

  const adder = useFetcher<typeof action>();
  const [email, setEmail] = useState("");
  const [scope, setScope] = useState<SuppressionScope>("all");
  const [note, setNote] = useState("");
  const addResult = adder.data?.intent === "add" ? adder.data : undefined;
  useEffect(() => {
    if (adder.state !== "idle" || !addResult?.ok) return;
    shopify.toast.show(addResult.message ?? "Done");
    if (addResult.created) {
      setEmail("");
      setNote("");
    }
  }, [adder.state, addResult, shopify]);

  const remover = useFetcher<typeof action>();
  const [pendingRemoval, setPendingRemoval] = useState<SuppressionRow | null>(null);
  useEffect(() => {
    if (remover.state !== "idle" || remover.data?.intent !== "remove") return;
    if (remover.data.ok) shopify.toast.show(remover.data.message ?? "Removed");
    else shopify.toast.show(remover.data.errors?.form ?? "The address could not be removed.", { isError: true });
    setPendingRemoval(null);
  }, [remover.state, remover.data, shopify]);

  // The title bar's "Add address" brings the form into view: below the list on a phone.
  function focusAddForm() {
    const field = document.getElementById("suppression-email");
    field?.scrollIntoView({ behavior: "smooth", block: "center" });
    field?.focus({ preventScroll: true });
  }

  const [exporting, setExporting] = useState(false);
  async function exportCsv() {
    setExporting(true);
    try {
      await downloadFromApp("/app/suppressions/export", "suppressions.csv");
    } catch {
      shopify.toast.show("The list could not be exported. Reload the page and try again.", { isError: true });
    } finally {
      setExporting(false);
    }
  }

  const searching = navigation.state === "loading" && navigation.location?.pathname === location.pathname;

  return (
    <Page>
      <TitleBar title="Suppressions">
        <button variant="primary" onClick={focusAddForm}>
          Add address
        </button>
        <button onClick={exportCsv} disabled={exporting || total === 0}>
          Export CSV
        </button>
      </TitleBar>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {problem ? (
              <Banner tone="warning" title="Showing the first page">
                {problem}
              </Banner>
            ) : null}
            <Card>
              <BlockStack gap="200">
                <Text as="p">
                  Afterglow never emails an address on this list. Unsubscribes, hard bounces, spam reports and addresses
                  that keep getting blocked are added by themselves; you can add or remove addresses too.
                </Text>
                <Text as="p" tone="subdued">
                  &quot;Marketing only&quot; still lets order-related follow-ups through; &quot;All emails&quot; stops every
                  follow-up to the address.
                </Text>
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>

        <Layout.Section variant="oneThird">
          <Card>
            {/* The server checks the address; its message shows under the field, not the browser's bubble. */}
            <adder.Form method="post" noValidate>
              <input type="hidden" name="intent" value="add" />
              <input type="hidden" name="scope" value={scope} />
              <FormLayout>
                <Text as="h2" variant="headingSm">
                  Add an address
                </Text>
                <TextField
                  id="suppression-email"
                  label="Email"
                  name="email"
                  type="email"
                  value={email}
                  onChange={setEmail}
                  autoComplete="off"
                  error={addResult?.errors?.email}
                />
                <ChoiceList
                  title="Stop"
                  choices={[
                    { label: "All emails", value: "all", helpText: "No follow-up of any kind." },
                    { label: "Marketing only", value: "marketing", helpText: "Order-related follow-ups still go out." },
                  ]}
                  selected={[scope]}
                  onChange={(v) => setScope((v[0] as SuppressionScope) ?? "all")}
                  error={addResult?.errors?.scope}
                />
                <TextField
                  label="Note (optional)"
                  name="note"
                  value={note}
                  onChange={setNote}
                  autoComplete="off"
                  multiline={2}
                  maxLength={NOTE_MAX}
                  helpText="Why you added it, for whoever looks later."
                  error={addResult?.errors?.note}
                />
                <Button submit variant="primary" loading={adder.state !== "idle"}>
                  Add to list
                </Button>
              </FormLayout>
            </adder.Form>
          </Card>
        </Layout.Section>

        {/* The list takes the whole width: its columns do not fit beside the form. */}
        <Layout.Section>
            <Card padding="0">
              {total === 0 ? (
                <EmptyState heading="No suppressed addresses" image="">
                  <p>Addresses appear here when a customer unsubscribes, an email bounces, or you add one below.</p>
                </EmptyState>
              ) : (
                <>
                  <Box padding="300">
                    <SearchField q={q} searching={searching} />
                  </Box>
                  <SuppressionTable
                    // A new result set is a new table: rows it shares with the last one appear
                    // in their places rather than move there.
                    key={`${q}/${cursor ?? ""}`}
                    q={q}
                    cursor={cursor}
                    nextCursor={nextCursor}
                    trail={trail}
                    rows={rows}
                    searching={searching}
                    condensed={smDown}
                    timeZone={timeZone}
                    onPage={pageTo}
                    onRemove={setPendingRemoval}
                  />
                </>
              )}
            </Card>
        </Layout.Section>
      </Layout>

      {/* Drawn by the admin; its buttons are the title bar's. */}
      <Modal id="remove-suppression" open={pendingRemoval !== null} onHide={() => setPendingRemoval(null)}>
        <Box padding="400">
          <BlockStack gap="200">
            <Text as="p">
              {pendingRemoval?.email ?? "This erased customer's address"} ({pendingRemoval?.reasonLabel.toLowerCase()}) can be emailed again
              once removed.
            </Text>
            {pendingRemoval && pendingRemoval.reason !== "manual" ? (
              <Text as="p" tone="subdued">
                Only remove it if you know the address works and the customer wants your emails: mailing an address that bounced or
                complained harms your sender reputation.
              </Text>
            ) : null}
          </BlockStack>
        </Box>
        <TitleBar title="Remove this address from the list?">
          <button
            variant="primary"
            tone="critical"
            loading={remover.state !== "idle" ? "" : undefined}
            onClick={() => {
              if (pendingRemoval) remover.submit({ intent: "remove", id: pendingRemoval.id }, { method: "post" });
            }}
          >
            Remove
          </button>
          <button onClick={() => setPendingRemoval(null)}>Cancel</button>
        </TitleBar>
      </Modal>
    </Page>
  );
}
