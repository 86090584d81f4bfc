// What happens once Shopify hands us a shop's token (token exchange on the first embedded load,
// or the OAuth callback): the shop is connected, then its profile is read from the Admin API.
import type { PrismaClient } from "@prisma/client";
import { adminClientForShop, fetchShopProfile } from "~/adapters/shopify-admin/index.server";
import type { ShopProfile } from "~/adapters/shopify-admin/shop-profile.server";
import { config } from "~/platform/config.server";
import { logger } from "~/platform/logger.server";
import { shopSettingsChanged } from "~/services/flows/flows.server";
import { connectShop, type ShopProfileUpdate } from "./shops.server";

// The profile fields the Shop row keeps. The logo is the merchant's own (the Admin API has none),
// so a profile read never clears it.
export function storedProfile(profile: ShopProfile): ShopProfileUpdate {
  return {
    name: profile.name,
    email: profile.email,
    ownerEmail: profile.ownerEmail,
    currencyCode: profile.currencyCode,
    ianaTimezone: profile.ianaTimezone,
    primaryLocale: profile.primaryLocale,
    publishedLocales: JSON.stringify(profile.publishedLocales),
    address: profile.address,
    storefrontUrl: profile.storefrontUrl,
  };
}

// Reads the profile and stores it; false (and a warning) when Shopify could not be read, so the
// caller keeps going: the shop stays connected and the next load of the app tries again.
export async function refreshShopProfile({ prisma, shop }: { prisma: PrismaClient; shop: string }): Promise<boolean> {
  try {
    const adminApiUrl = config().shopify.adminApiUrl;
    const client = await adminClientForShop({ prisma, shop, maxRetries: 1, ...(adminApiUrl ? { urlTemplate: adminApiUrl } : {}) });
    const profile = await fetchShopProfile(client);
    await prisma.shop.update({ where: { domain: shop }, data: { ...storedProfile(profile), profileFetchedAt: new Date() } });
    shopSettingsChanged(); // the time zone and storefront feed intake's cache
    return true;
  } catch (err) {
    logger.warn("the shop's profile could not be read; it is read again on the next load of the app", { shop, err });
    return false;
  }
}

export async function afterInstall({ prisma, shop }: { prisma: PrismaClient; shop: string }): Promise<void> {
  await connectShop({ prisma, shop });
  await refreshShopProfile({ prisma, shop });
}

// For the embedded app's loads: a shop whose profile was never read (Shopify failed at install)
// gets another try, at most once per SHOP_PROFILE_RETRY_MS per shop so a Shopify outage does not slow every page.
// Returns the shop's time zone, in which every page shows its dates.
const lastProfileTry = new Map<string, number>();

export async function ensureShopProfile({ prisma, shop }: { prisma: PrismaClient; shop: string }): Promise<{ timeZone: string }> {
  const row = await prisma.shop.findUnique({ where: { domain: shop }, select: { profileFetchedAt: true, uninstalledAt: true, ianaTimezone: true } });
  if (row && !row.profileFetchedAt && !row.uninstalledAt && Date.now() - (lastProfileTry.get(shop) ?? -Infinity) >= config().shopify.profileRetryMs) {
    lastProfileTry.set(shop, Date.now());
    if (await refreshShopProfile({ prisma, shop })) {
      lastProfileTry.delete(shop);
      const fresh = await prisma.shop.findUnique({ where: { domain: shop }, select: { ianaTimezone: true } });
      return { timeZone: fresh?.ianaTimezone || "UTC" };
    }
  }
  return { timeZone: row?.ianaTimezone || "UTC" };
}
