// Who a merchant's test email may go to, and how often a shop may send one. A test goes through
// the shop's (or the app's) SendGrid account, so it must never reach anyone but the store itself.

export const TEST_SEND_WINDOW_MS = 3600_000;

// The store's own addresses, as Shopify reports them (and the signed-in staff member's, when the
// session knows it): lower-cased, in that order, each once.
export function testRecipients({
  ownerEmail,
  contactEmail,
  staffEmail = null,
}: {
  ownerEmail: string | null;
  contactEmail: string | null;
  staffEmail?: string | null;
}): string[] {
  const seen = new Set<string>();
  for (const address of [ownerEmail, contactEmail, staffEmail]) {
    const email = address?.trim().toLowerCase();
    if (email && email.includes("@")) seen.add(email);
  }
  return [...seen];
}

export type TestSendAllowance = { allowed: true } | { allowed: false; nextAt: Date };

/**
 * At most `limit` tests in any hour: with `sentAt` holding the shop's tests of the last hour, the
 * next one waits until enough of them are an hour old.
 */
export function testSendAllowance({ limit, sentAt, now }: { limit: number; sentAt: Date[]; now: Date }): TestSendAllowance {
  const since = now.getTime() - TEST_SEND_WINDOW_MS;
  const recent = sentAt.map((d) => d.getTime()).filter((t) => t > since).sort((a, b) => a - b);
  if (recent.length < limit) return { allowed: true };
  // The test that has to leave the window before one more fits.
  const leaving = recent[recent.length - limit];
  return { allowed: false, nextAt: new Date(leaving + TEST_SEND_WINDOW_MS) };
}
