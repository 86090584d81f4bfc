import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { authenticate } from "../shopify.server";
import { config } from "../platform/config.server";
import prisma from "../db.server";
import { ensureShopProfile } from "../services/shop/install.server";
import { usesOutbox } from "../adapters/mail/index.server";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const { timeZone } = await ensureShopProfile({ prisma, shop: session.shop });
  // The outbox page only matters to a developer whose mail stays on this machine.
  return { apiKey: config().shopify.apiKey ?? "", timeZone, outbox: usesOutbox(config().mail) };
};

export default function App() {
  const { apiKey, outbox } = useLoaderData<typeof loader>();
  return (
    <AppProvider isEmbeddedApp apiKey={apiKey}>
      <NavMenu>
        <Link to="/app" rel="home">
          Home
        </Link>
        <Link to="/app/flows">Flows</Link>
        <Link to="/app/messages">Messages</Link>
        <Link to="/app/settings">Settings</Link>
        {outbox ? <Link to="/app/outbox">Outbox</Link> : null}
        <Link to="/app/sender">Sender domain</Link>
        <Link to="/app/data-requests">Data requests</Link>
        <Link to="/app/suppressions">Suppressions</Link>
        <Link to="/app/analytics">Analytics</Link>
      </NavMenu>
      <Outlet />
    </AppProvider>
  );
}

// Shopify needs Remix to catch some thrown responses so its headers get through.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
