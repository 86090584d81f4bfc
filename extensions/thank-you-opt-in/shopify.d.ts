// The `shopify` global each module gets, as Shopify CLI writes this file for API 2025-10.
/* eslint-disable @typescript-eslint/consistent-type-imports -- the CLI's own form of this file */
import '@shopify/ui-extensions';

//@ts-ignore
declare module './src/ThankYouPage.tsx' {
  const shopify: import('@shopify/ui-extensions/purchase.thank-you.block.render').Api;
  const globalThis: { shopify: typeof shopify };
}

//@ts-ignore
declare module './src/OrderStatusPage.tsx' {
  const shopify: import('@shopify/ui-extensions/customer-account.order-status.block.render').Api;
  const globalThis: { shopify: typeof shopify };
}

// Shopify CLI replaces process.env.APP_URL with the app's URL when it bundles the extension.
declare global {
  const process: { env: { APP_URL?: string; NODE_ENV?: string } };
}
