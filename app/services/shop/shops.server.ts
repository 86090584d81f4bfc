import type { PrismaClient } from "@prisma/client";
import { defaultFlows } from "~/domain/flows";
import { skipFields } from "~/domain/skip-reasons";
import { encryptSecret } from "~/platform/encryption.server";
import { importFlows, shopSettingsChanged } from "../flows/flows.server";

export interface ShopProfileUpdate {
  name?: string | null;
  email?: string | null;
  currencyCode?: string | null;
  ianaTimezone?: string | null;
  primaryLocale?: string | null;
  publishedLocales?: string | null; // JSON array, the primary first
  ownerEmail?: string | null;
  address?: string | null;
  logoUrl?: string | null;
  storefrontUrl?: string | null;
}

// Called after OAuth and by the CLI's connect: the shop exists, sending is on, and a
// shop that has no flows yet gets the default "Thank you + recommendations" flow, turned off
// until the merchant has seen its email and turns it on.
export async function connectShop({
  prisma,
  shop,
  profile = {},
}: {
  prisma: PrismaClient;
  shop: string;
  profile?: ShopProfileUpdate;
}): Promise<{ created: boolean; defaultFlowCreated: boolean }> {
  const existing = await prisma.shop.findUnique({ where: { domain: shop } });
  const profileFields = Object.fromEntries(Object.entries(profile).filter(([, v]) => v !== undefined));
  await prisma.shop.upsert({
    where: { domain: shop },
    create: { domain: shop, ...profileFields, profileFetchedAt: Object.keys(profileFields).length ? new Date() : null },
    update: {
      ...profileFields,
      ...(Object.keys(profileFields).length ? { profileFetchedAt: new Date() } : {}),
      uninstalledAt: null,
      sendingEnabled: true,
      installedAt: existing?.uninstalledAt ? new Date() : undefined,
    },
  });
  shopSettingsChanged();
  const flowCount = await prisma.flow.count({ where: { shop } });
  if (flowCount === 0) await importFlows(prisma, shop, { version: 1, flows: defaultFlows() });
  return { created: !existing, defaultFlowCreated: flowCount === 0 };
}

// shop/update: the merchant changed their shop's details in Shopify.
export async function updateShopProfile({
  prisma,
  shop,
  profile,
}: {
  prisma: PrismaClient;
  shop: string;
  profile: ShopProfileUpdate;
}): Promise<void> {
  await prisma.shop.updateMany({ where: { domain: shop }, data: { ...profile, profileFetchedAt: new Date() } });
  shopSettingsChanged();
}

// Stores an offline Admin API token the way Shopify's session storage does, for
// custom-app installs where the merchant hands us a token instead of going through OAuth;
// encrypted, as the session storage keeps every token.
export async function storeOfflineToken({
  prisma,
  shop,
  accessToken,
  scope,
}: {
  prisma: PrismaClient;
  shop: string;
  accessToken: string;
  scope?: string;
}): Promise<void> {
  const id = `offline_${shop}`;
  const data = { shop, state: "", isOnline: false, scope: scope ?? null, accessToken: encryptSecret(accessToken) };
  await prisma.session.upsert({ where: { id }, create: { id, ...data }, update: data });
}

// app/uninstalled: the token is gone, so no follow-up of this shop can be sent any more.
export async function disconnectShop({
  prisma,
  shop,
  now = new Date(),
}: {
  prisma: PrismaClient;
  shop: string;
  now?: Date;
}): Promise<{ cancelled: number }> {
  // Cached readers forget the shop after the commit, so none keeps the connected row.
  const result = await prisma.$transaction(async (tx) => {
    await tx.session.deleteMany({ where: { shop } });
    await tx.shop.updateMany({ where: { domain: shop }, data: { uninstalledAt: now, sendingEnabled: false } });
    const pending = await tx.followUp.findMany({
      where: { shop, status: "scheduled" },
      select: { id: true },
    });
    if (pending.length === 0) return { cancelled: 0 };
    const { skipReason: reason, skipCode } = skipFields({ code: "app_uninstalled" });
    const ids = pending.map((p) => p.id);
    await tx.followUp.updateMany({
      where: { id: { in: ids } },
      data: { status: "cancelled", skipReason: reason, skipCode, claimToken: null, leaseUntil: null },
    });
    await tx.followUpEvent.createMany({
      data: ids.map((followUpId) => ({ followUpId, type: "cancelled", detail: reason, at: now })),
    });
    return { cancelled: ids.length };
  });
  shopSettingsChanged();
  return result;
}
