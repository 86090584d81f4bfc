// Which address a shop's follow-ups go from, decided in one place for sends, test sends, the
// Sender page and Home, so what the merchant reads is what the customer's inbox shows.
export type SenderShop = {
  senderEmail: string | null;
  senderName: string | null;
  replyTo: string | null;
  name: string | null;
  email: string | null;
};

export type SenderSource = "sender_email" | "app_default" | "store_email";

export type SenderAddress = {
  from: { email: string; name?: string };
  replyTo?: { email: string };
  // Where the from address came from: the merchant's own sender address, the app's default
  // (MAIL_FROM_EMAIL), or the store's email from Shopify.
  source: SenderSource;
};

// The merchant's sender address first, then the app's default, then the store's own email.
export function senderAddress({ shop, appFromEmail }: { shop: SenderShop; appFromEmail: string | null | undefined }): SenderAddress | null {
  const chosen: [string, SenderSource] | null = shop.senderEmail
    ? [shop.senderEmail, "sender_email"]
    : appFromEmail
      ? [appFromEmail, "app_default"]
      : shop.email
        ? [shop.email, "store_email"]
        : null;
  if (!chosen) return null;
  const name = shop.senderName ?? shop.name ?? undefined;
  return {
    from: { email: chosen[0], ...(name ? { name } : {}) },
    ...(shop.replyTo ? { replyTo: { email: shop.replyTo } } : {}),
    source: chosen[1],
  };
}
