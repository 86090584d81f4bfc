import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "../shopify.server";
import { config } from "../platform/config.server";

// The ingest benchmark's baseline: only Shopify's webhook authentication, nothing stored.
// Off unless AFTERGLOW_BENCH_ROUTES=1, so production never exposes it.
export const action = async ({ request }: ActionFunctionArgs) => {
  if (!config().server.benchRoutes) return new Response("Not found", { status: 404 });
  try {
    await authenticate.webhook(request);
  } catch (err) {
    if (err instanceof Response) return err;
    throw err;
  }
  return new Response();
};
