// Where the Shopify library asks for a shop's access token (token exchange, OAuth code exchange,
// refresh). The library always calls https://{shop}/admin/oauth/access_token; a stand-in store
// (SHOPIFY_ACCESS_TOKEN_URL) answers elsewhere, so only that one endpoint is sent there.
import { abstractFetch, setAbstractFetchFunc } from "@shopify/shopify-api/runtime";

const ACCESS_TOKEN_PATH = /^https:\/\/([^/]+)\/admin\/oauth\/access_token$/;

export function accessTokenUrlFor(url: string, urlTemplate: string): string {
  const match = ACCESS_TOKEN_PATH.exec(url);
  return match ? urlTemplate.replaceAll("{shop}", match[1]) : url;
}

// The fetch the library's Node adapter installed, kept so routing twice does not wrap twice.
let libraryFetch: typeof abstractFetch | null = null;

export function routeAccessTokenRequests(urlTemplate: string | null | undefined): void {
  if (!urlTemplate) return;
  if (!URL.canParse(urlTemplate.replaceAll("{shop}", "shop.myshopify.com"))) {
    throw new Error(`SHOPIFY_ACCESS_TOKEN_URL is not a URL template: "${urlTemplate}". Use e.g. http://127.0.0.1:4000/{shop}/admin/oauth/access_token.`);
  }
  const original = (libraryFetch ??= abstractFetch);
  setAbstractFetchFunc((input, init) => original(typeof input === "string" ? accessTokenUrlFor(input, urlTemplate) : input, init));
}
