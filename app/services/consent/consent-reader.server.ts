// Marketing consent read from Shopify in batches. Every marketing send asks Shopify first; one
// request per email made consent the slowest step of sending (and a round trip of 100-300 ms
// against the real Admin API). Reads asked for in the same turn of the event loop, for one shop,
// go out as one nodes(ids:) request; a dispatcher pass asks for its whole batch as it starts
// (prefetch), so its emails share one request. A prefetched answer serves the reads the pass
// announced, and only while fresh: consent is still read moments before the send, not minutes.
import { AdminApiError, type AdminClient } from "~/adapters/shopify-admin/client.server";
import {
  fetchCustomerEmailConsent,
  fetchCustomerEmailConsents,
  MAX_CONSENTS_PER_REQUEST,
  type CustomerEmailConsent,
} from "~/adapters/shopify-admin/consent.server";

export interface ConsentReader {
  // null: Shopify has no such customer. Rejects when Shopify cannot be asked (the caller falls
  // back to Afterglow's copy).
  read(shop: string, customerId: string): Promise<CustomerEmailConsent | null>;
  // Starts reads that `read` will take up soon; never rejects.
  prefetch(shop: string, customerIds: string[]): void;
}

interface Waiting {
  resolve: (consent: CustomerEmailConsent | null) => void;
  reject: (err: unknown) => void;
}

export function createConsentReader({
  clientFor,
  maxAgeMs = 10_000,
  now = Date.now,
}: {
  clientFor: (shop: string) => AdminClient | Promise<AdminClient>;
  maxAgeMs?: number;
  now?: () => number;
}): ConsentReader {
  // shop → customer id → who waits for it
  let pending = new Map<string, Map<string, Waiting[]>>();
  let flushScheduled = false;
  // An answer read ahead, for as many reads as the pass announced (a customer with two orders
  // in one pass asks twice).
  const prefetched = new Map<string, { at: number; answer: Promise<CustomerEmailConsent | null>; uses: number }>();
  const key = (shop: string, customerId: string) => `${shop}\n${customerId}`;

  function ask(shop: string, customerId: string): Promise<CustomerEmailConsent | null> {
    return new Promise((resolve, reject) => {
      let forShop = pending.get(shop);
      if (!forShop) pending.set(shop, (forShop = new Map()));
      const waiting = forShop.get(customerId) ?? [];
      waiting.push({ resolve, reject });
      forShop.set(customerId, waiting);
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
    });
  }

  function flush() {
    flushScheduled = false;
    const batch = pending;
    pending = new Map();
    for (const [shop, customers] of batch) {
      const ids = [...customers.keys()];
      for (let i = 0; i < ids.length; i += MAX_CONSENTS_PER_REQUEST) {
        void answer(shop, ids.slice(i, i + MAX_CONSENTS_PER_REQUEST), customers);
      }
    }
  }

  async function answer(shop: string, ids: string[], customers: Map<string, Waiting[]>) {
    const settle = (id: string, outcome: { consent: CustomerEmailConsent | null } | { err: unknown }) => {
      for (const w of customers.get(id) ?? []) "err" in outcome ? w.reject(outcome.err) : w.resolve(outcome.consent);
    };
    try {
      const client = await clientFor(shop);
      if (ids.length === 1) {
        settle(ids[0], { consent: await fetchCustomerEmailConsent(client, ids[0]) });
        return;
      }
      try {
        const found = await fetchCustomerEmailConsents(client, ids);
        for (const id of ids) settle(id, { consent: found.get(id) ?? null });
      } catch (err) {
        // Shopify refused the request itself (one malformed id fails them all): ask for each
        // alone, so only that one fails. Shopify unreachable or throttled: all fail alike.
        const refused = err instanceof AdminApiError && !err.retryable && err.graphqlErrors.length > 0;
        if (!refused) throw err;
        await Promise.all(
          ids.map((id) => fetchCustomerEmailConsent(client, id).then((consent) => settle(id, { consent }), (err: unknown) => settle(id, { err }))),
        );
      }
    } catch (err) {
      for (const id of ids) settle(id, { err });
    }
  }

  function dropStale() {
    const oldest = now() - maxAgeMs;
    for (const [k, entry] of prefetched) if (entry.at < oldest) prefetched.delete(k);
  }

  return {
    read(shop, customerId) {
      const k = key(shop, customerId);
      const hit = prefetched.get(k);
      if (hit) {
        if (--hit.uses <= 0) prefetched.delete(k);
        if (hit.at >= now() - maxAgeMs) return hit.answer;
        prefetched.delete(k);
      }
      return ask(shop, customerId);
    },
    prefetch(shop, customerIds) {
      dropStale();
      for (const customerId of customerIds) {
        const k = key(shop, customerId);
        const hit = prefetched.get(k);
        if (hit) {
          hit.uses++;
          continue;
        }
        const answer = ask(shop, customerId);
        answer.catch(() => {}); // whoever reads it sees the failure
        prefetched.set(k, { at: now(), answer, uses: 1 });
      }
    },
  };
}
