// The block both pages show: the email sign-up for a buyer not subscribed to email marketing, and
// what happens next. The app decides whether to show it (the shop may have turned it off, and for
// a guest only Shopify's customer record knows the consent); nothing is shown otherwise.
import { useEffect, useState } from 'preact/hooks';

export interface SignUpBlockProps {
  // The order's GID and the address the buyer gave; without both there is nothing to offer.
  orderId: string | undefined;
  email: string | undefined;
  // What the page already knows of a logged-in customer: subscribed means nothing to offer.
  subscribed: boolean;
  sessionToken: () => Promise<string>;
}

export const SIGN_UP_LABEL = 'Send me care tips and offers for my order';

interface Offer {
  show: boolean;
  nextSteps: string[];
}

async function callApp(path: string, token: string, body: object): Promise<Response> {
  return fetch(`${process.env.APP_URL ?? ''}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export function SignUpBlock({ orderId, email, subscribed, sessionToken }: SignUpBlockProps) {
  const [offer, setOffer] = useState<Offer | null>(null);
  const [state, setState] = useState<'idle' | 'saving' | 'subscribed' | 'failed'>('idle');
  const askApp = !subscribed && Boolean(orderId && email);

  useEffect(() => {
    if (!askApp) return;
    let current = true;
    (async () => {
      // A fresh token for each call: they live five minutes.
      const res = await callApp('/extensions/thank-you/offer', await sessionToken(), { orderId, email });
      if (!res.ok) return;
      const answer = (await res.json()) as Offer;
      if (current) setOffer(answer);
    })().catch(() => {
      // The page works without the block: it stays hidden.
    });
    return () => {
      current = false;
    };
    // The token getter is a new closure each render; the order and the address decide the request.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [askApp, orderId, email]);

  if (!askApp || !offer?.show) return null;

  async function signUp(event: Event) {
    const box = event.currentTarget as HTMLElement & { checked: boolean };
    if (!box.checked || state === 'saving' || state === 'subscribed') return;
    setState('saving');
    try {
      const res = await callApp('/extensions/thank-you/sign-up', await sessionToken(), { orderId, email });
      setState(res.ok ? 'subscribed' : 'failed');
    } catch {
      setState('failed');
    }
  }

  return (
    <s-stack gap="base">
      <s-checkbox
        label={SIGN_UP_LABEL}
        checked={state === 'saving' || state === 'subscribed'}
        disabled={state === 'saving' || state === 'subscribed'}
        onChange={signUp}
      />
      {state === 'subscribed' ? (
        <s-banner tone="success" heading="You're subscribed">
          <s-text>We'll email you care tips and offers. You can unsubscribe from any of our emails.</s-text>
        </s-banner>
      ) : null}
      {state === 'failed' ? (
        <s-banner tone="critical" heading="We couldn't sign you up">
          <s-text>Please try again in a moment.</s-text>
        </s-banner>
      ) : null}
      {offer.nextSteps.length ? (
        <s-stack gap="small-200">
          <s-heading>What happens next</s-heading>
          {offer.nextSteps.map((line) => (
            <s-paragraph key={line}>{line}</s-paragraph>
          ))}
        </s-stack>
      ) : null}
    </s-stack>
  );
}
