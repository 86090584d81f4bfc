import "@shopify/shopify-app-remix/adapters/node";
import {
  ApiVersion,
  AppDistribution,
  shopifyApp,
} from "@shopify/shopify-app-remix/server";
import { encryptedSessionStorage } from "./adapters/shopify-admin/session-storage.server";
import prisma from "./db.server";
import { config } from "./platform/config.server";
import { routeAccessTokenRequests } from "./adapters/shopify-admin/access-token-endpoint.server";
import { afterInstall } from "./services/shop/install.server";

export const ADMIN_API_VERSION = ApiVersion.October25;

// Read as this module loads: shopifyApp() is configured once, like the template's.
const settings = config().shopify;
routeAccessTokenRequests(settings.accessTokenUrl);

const shopify = shopifyApp({
  apiKey: settings.apiKey ?? undefined,
  apiSecretKey: settings.apiSecret,
  apiVersion: ADMIN_API_VERSION,
  scopes: settings.scopes?.split(","),
  appUrl: settings.appUrl,
  authPathPrefix: "/auth",
  // Access tokens are stored encrypted (docs/security.md, "Secrets").
  sessionStorage: encryptedSessionStorage(prisma),
  distribution: AppDistribution.AppStore,
  // The first embedded load exchanges App Bridge's session token for the shop's token.
  future: { unstable_newEmbeddedAuthStrategy: true },
  hooks: {
    afterAuth: async ({ session }) => {
      await afterInstall({ prisma, shop: session.shop });
    },
  },
  ...(settings.customShopDomain
    ? { customShopDomains: [settings.customShopDomain] }
    : {}),
});

export default shopify;
export const apiVersion = ADMIN_API_VERSION;
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
export const authenticate = shopify.authenticate;
export const unauthenticated = shopify.unauthenticated;
export const login = shopify.login;
export const registerWebhooks = shopify.registerWebhooks;
export const sessionStorage = shopify.sessionStorage;
