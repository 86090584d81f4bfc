import { isFreeMailboxDomain } from "./sender-domain";

// Which address a shop's follow-ups go from, decided in one place for sends, test sends, the
// Sender page and Home, so what the merchant reads is what the customer's inbox shows.
export type SenderShop = {
  senderEmail: string | null;
  senderName: string | null;
  replyTo: string | null;
  name: string | null;
  email: string | null;
};

// verified_domain: the shop's own address, its domain verified in SendGrid.
// app_default: the app's address (AFTERGLOW_FROM_EMAIL), named after the store, while the shop's
// own domain is not verified. sender_email, store_email: the shop's own address unverified,
// only when the app has no address of its own to send from.
export type SenderSource = "verified_domain" | "app_default" | "sender_email" | "store_email";

export type SenderAddress = {
  from: { email: string; name?: string };
  replyTo?: { email: string };
  source: SenderSource;
  // One sentence a merchant understands: why mail goes from this address.
  why: string;
};

export function emailDomain(email: string | null | undefined): string | null {
  const at = email?.lastIndexOf("@") ?? -1;
  if (!email || at < 1 || at === email.length - 1) return null;
  return email.slice(at + 1).trim().toLowerCase().replace(/\.$/, "");
}

// Gmail and Yahoo require bulk senders' From domain to align with the domain that passes DKIM or
// SPF (DMARC alignment). Mail "from" the store's domain that SendGrid can't sign for it is refused
// or spam-foldered, so the store's own address is used only once SendGrid verified its domain;
// until then the app's address sends, named after the store, and replies still reach the merchant.
export function senderAddress({
  shop,
  appFromEmail,
  verifiedDomain = null,
}: {
  shop: SenderShop;
  appFromEmail: string | null | undefined;
  // The shop's domain as verified in SendGrid (SenderDomain.verifiedAt set), if any.
  verifiedDomain?: string | null;
}): SenderAddress | null {
  const own = shop.senderEmail || shop.email || null;
  const ownSource: SenderSource = shop.senderEmail ? "sender_email" : "store_email";
  const name = shop.senderName ?? shop.name ?? undefined;
  const from = (email: string) => ({ email, ...(name ? { name } : {}) });
  const verified = verifiedDomain?.trim().toLowerCase().replace(/\.$/, "") || null;
  const ownDomain = emailDomain(own);

  if (own && verified && ownDomain === verified) {
    return {
      from: from(own),
      ...(shop.replyTo ? { replyTo: { email: shop.replyTo } } : {}),
      source: "verified_domain",
      why: `${verified} is verified in SendGrid, so your follow-ups go from your own address and pass Gmail's and Yahoo's checks.`,
    };
  }
  if (appFromEmail) {
    // Replies go to the merchant: their reply-to, else their own address.
    const replyTo = shop.replyTo || own;
    const waiting = !ownDomain
      ? "Your store has no sender address of its own yet, "
      : isFreeMailboxDomain(ownDomain)
        ? `Only ${ownDomain} can authenticate mail from its addresses, and Gmail and Yahoo refuse or spam-folder mail that isn't, `
        : `${ownDomain} isn't verified in SendGrid yet, and Gmail and Yahoo refuse or spam-folder mail from a domain that doesn't authenticate it, `;
    return {
      from: from(appFromEmail),
      ...(replyTo ? { replyTo: { email: replyTo } } : {}),
      source: "app_default",
      why: `${waiting}so follow-ups go from ${appFromEmail} under your store's name${replyTo ? ` and replies reach ${replyTo}` : ""}.`,
    };
  }
  if (!own) return null;
  return {
    from: from(own),
    ...(shop.replyTo ? { replyTo: { email: shop.replyTo } } : {}),
    source: ownSource,
    why: `This app has no sending address of its own configured, so follow-ups go from ${own} even though ${ownDomain} isn't verified in SendGrid: Gmail and Yahoo may refuse them or put them in spam until it is.`,
  };
}
