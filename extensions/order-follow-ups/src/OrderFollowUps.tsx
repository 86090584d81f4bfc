// admin.order-details.block.render: the order's follow-ups in the Shopify admin, with Cancel for
// a scheduled one. fetch() with a relative URL goes to the app's URL, and Shopify adds the
// staff member's ID token as the Authorization header itself.
import '@shopify/ui-extensions/preact';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export default async () => {
  render(<OrderFollowUps />, document.body);
};

interface FollowUpRow {
  id: string;
  flow: string;
  step: string;
  status: string;
  statusLabel: string;
  when: string;
  reason: string | null;
  canCancel: boolean;
}

type Listing = { state: 'loading' } | { state: 'none' } | { state: 'failed'; message: string } | { state: 'ready'; rows: FollowUpRow[] };

// The Messages page's tones, in the badge's own words.
const TONE: Record<string, 'success' | 'critical' | 'info' | 'warning' | undefined> = {
  sent: 'success',
  failed: 'critical',
  scheduled: 'info',
  sending: 'warning',
};

async function problemOf(res: Response): Promise<string> {
  const body = (await res.json().catch(() => null)) as { error?: string } | null;
  return body?.error ?? `Afterglow answered ${res.status}.`;
}

function OrderFollowUps() {
  const orderId = shopify.data.selected[0]?.id;
  const [listing, setListing] = useState<Listing>({ state: 'loading' });
  const [cancelling, setCancelling] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  async function load() {
    const res = await fetch(`/extensions/order-follow-ups?orderId=${encodeURIComponent(orderId ?? '')}`);
    if (res.status === 404) return setListing({ state: 'none' });
    if (!res.ok) return setListing({ state: 'failed', message: await problemOf(res) });
    const body = (await res.json()) as { rows: FollowUpRow[] };
    setListing(body.rows.length ? { state: 'ready', rows: body.rows } : { state: 'none' });
  }

  useEffect(() => {
    load().catch((err) => setListing({ state: 'failed', message: String(err) }));
    // load is a new closure each render; the order decides what it lists.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [orderId]);

  async function cancel(row: FollowUpRow) {
    setCancelling(row.id);
    setNotice(null);
    try {
      const res = await fetch('/extensions/order-follow-ups', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ followUpId: row.id }),
      });
      setNotice(res.ok ? `${row.flow}, ${row.step} cancelled.` : await problemOf(res));
      await load();
    } finally {
      setCancelling(null);
    }
  }

  return (
    <s-admin-block heading="Afterglow follow-ups">
      {listing.state === 'loading' ? <s-spinner accessibilityLabel="Loading follow-ups" /> : null}
      {listing.state === 'none' ? <s-text>No follow-ups for this order.</s-text> : null}
      {listing.state === 'failed' ? (
        <s-banner tone="critical" heading="Follow-ups could not be loaded">
          <s-text>{listing.message}</s-text>
        </s-banner>
      ) : null}
      {notice ? <s-text>{notice}</s-text> : null}
      {listing.state === 'ready' ? (
        <s-stack gap="base">
          {listing.rows.map((row) => (
            <s-stack key={row.id} gap="small-200">
              <s-stack direction="inline" gap="small-200" alignItems="center">
                <s-text type="strong">
                  {row.flow} · {row.step}
                </s-text>
                <s-badge tone={TONE[row.status] ?? 'neutral'}>{row.statusLabel}</s-badge>
              </s-stack>
              <s-text>{row.when}</s-text>
              {row.reason ? <s-text color="subdued">{row.reason}</s-text> : null}
              {row.canCancel ? (
                <s-button tone="critical" disabled={cancelling !== null} loading={cancelling === row.id} onClick={() => cancel(row)}>
                  Cancel follow-up
                </s-button>
              ) : null}
            </s-stack>
          ))}
        </s-stack>
      ) : null}
    </s-admin-block>
  );
}
