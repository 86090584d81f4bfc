// The `shopify` global the module gets, as Shopify CLI writes this file for API 2025-10.
/* eslint-disable @typescript-eslint/consistent-type-imports -- the CLI's own form of this file */
import '@shopify/ui-extensions';

//@ts-ignore
declare module './src/OrderFollowUps.tsx' {
  const shopify: import('@shopify/ui-extensions/admin.order-details.block.render').Api;
  const globalThis: { shopify: typeof shopify };
}
