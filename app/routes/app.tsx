import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useLocation, useRouteError, type ShouldRevalidateFunction } from "@remix-run/react";
import { Box } from "@shopify/polaris";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { authenticate } from "../shopify.server";
import { config } from "../platform/config.server";
import prisma from "../db.server";
import { ensureShopProfile } from "../services/shop/install.server";
import { usesOutbox } from "../adapters/mail/index.server";
import { planOverview } from "../services/billing/plans.server";
import { PlanLimitBanner } from "../components/PlanLimitBanner";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const { timeZone } = await ensureShopProfile({ prisma, shop: session.shop });
  // Follow-ups held past the plan's allowance are said on every page, until they go out.
  const { banner } = await planOverview(prisma, { shop: session.shop });
  // The outbox page only matters to a developer whose mail stays on this machine.
  return { apiKey: config().shopify.apiKey ?? "", timeZone, outbox: usesOutbox(config().mail), planBanner: banner };
};

// A tab, filter, search or range changes only the page's query: the frame's data (the navigation,
// the plan banner) is not loaded again, so the page's own loader is the one request. A save, or
// another page, loads it as before.
export const shouldRevalidate: ShouldRevalidateFunction = ({ currentUrl, nextUrl, formMethod, defaultShouldRevalidate }) =>
  (!formMethod || formMethod.toUpperCase() === "GET") && currentUrl.pathname === nextUrl.pathname ? false : defaultShouldRevalidate;

export default function App() {
  const { apiKey, outbox, planBanner } = useLoaderData<typeof loader>();
  const { pathname } = useLocation();
  // Home and Plans show it in their own layout.
  const frameBanner = planBanner && !["/app", "/app/", "/app/plans"].includes(pathname);
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
        <Link to="/app/plans">Plans</Link>
      </NavMenu>
      {frameBanner ? (
        <Box paddingBlockStart="400" paddingInline={{ xs: "400", md: "600" }}>
          <PlanLimitBanner banner={planBanner} />
        </Box>
      ) : null}
      <Outlet />
    </AppProvider>
  );
}

// Shopify needs Remix to catch some thrown responses so its headers get through.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
