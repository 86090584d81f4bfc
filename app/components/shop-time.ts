// Dates as the admin pages show them: in the shop's time zone (from Shopify, UTC until known),
// formatted the same way on the server and in the browser, so React keeps the server's HTML
// whatever zone the merchant's browser is in.
import { useRouteLoaderData } from "@remix-run/react";

const LOCALE = "en-US";
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();

function formatter(cache: Map<string, Intl.DateTimeFormat>, timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  let f = cache.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat(LOCALE, { ...options, timeZone });
    } catch {
      f = new Intl.DateTimeFormat(LOCALE, { ...options, timeZone: "UTC" }); // a zone this runtime does not know
    }
    cache.set(timeZone, f);
  }
  return f;
}

// "Dec 7, 2026, 1:05 PM": no seconds, the zone the merchant set in Shopify.
export function formatDateTime(value: string | Date, timeZone: string): string {
  return formatter(dateTimeFormats, timeZone, { dateStyle: "medium", timeStyle: "short" }).format(new Date(value));
}

const timeFormats = new Map<string, Intl.DateTimeFormat>();

// "10:00 AM" in the given zone: a customer's local time beside the shop's date.
export function formatTime(value: string | Date, timeZone: string): string {
  return formatter(timeFormats, timeZone, { timeStyle: "short" }).format(new Date(value));
}

// "Dec 7, 2026"
export function formatDate(value: string | Date, timeZone: string): string {
  return formatter(dateFormats, timeZone, { dateStyle: "medium" }).format(new Date(value));
}

// The shop's time zone, loaded once by the app's layout route (routes/app.tsx).
export function useShopTimeZone(): string {
  const data = useRouteLoaderData("routes/app") as { timeZone?: string } | undefined;
  return data?.timeZone || "UTC";
}
