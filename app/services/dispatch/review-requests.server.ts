// "Never ask twice": which of an order's products a review request asks about, decided at send
// time from the ReviewRequest rows of earlier sends and, when the shop's review app has a public
// API, what the customer already reviewed there. The rows of this send are written in the
// transaction that records it (records.server.ts), so a send that is not recorded asks again.
import { createHash, randomUUID } from "node:crypto";
import { Prisma, type PrismaClient } from "@prisma/client";
import { providerOf } from "~/db.server";
import { DEFAULT_REASK_DAYS, isReviewApp, productsToAsk, type ReviewApp } from "~/domain/review-links";
import type { SkipReason } from "~/domain/skip-reasons";
import { lineItemProducts } from "~/email/prepare.server";
import type { ReviewAppClient } from "~/adapters/review-apps/review-app";
import type { Logger } from "~/platform/logger.server";

// The customer as the rows know them: a hash of the shop and the address, so a row names no one
// and another shop's customer with the same address is someone else.
export function reviewCustomerKey(shop: string, email: string): string {
  return createHash("sha256").update(`${shop}\n${email.trim().toLowerCase()}`).digest("hex");
}

export type ReviewProductsDecision =
  | {
      kind: "ask";
      review: { app: ReviewApp; shopAnchor: string | null; productIds: string[] };
      // The rows this send writes with its record.
      rows: (followUpId: string, askedAt: Date) => Prisma.PrismaPromise<number>[];
      note: string | null; // the review app could not answer: sent without its check
    }
  | { kind: "skip"; reason: SkipReason };

export async function reviewProductsFor({
  prisma,
  shop,
  email,
  customerId,
  productIds,
  lineItems,
  now,
  reviewAppFor,
  isTest = false,
  log,
}: {
  prisma: PrismaClient;
  shop: string;
  email: string;
  customerId: string | null;
  productIds: string[];
  lineItems: string | null;
  now: Date;
  reviewAppFor?: (setting: { shop: string; reviewApp: string; apiTokenEnc: string | null }) => ReviewAppClient | null;
  // A merchant's test send shows every product and remembers nothing.
  isTest?: boolean;
  log: Logger;
}): Promise<ReviewProductsDecision> {
  const setting = await prisma.shopReviewSetting.findUnique({ where: { shop } });
  const app: ReviewApp = isReviewApp(setting?.reviewApp) ? setting.reviewApp : "custom";
  const reaskDays = setting?.reaskDays ?? DEFAULT_REASK_DAYS;
  const customerKey = reviewCustomerKey(shop, email);

  if (isTest) return { kind: "ask", review: { app, shopAnchor: setting?.anchor ?? null, productIds }, rows: () => [], note: null };

  const earlier = productIds.length
    ? await prisma.reviewRequest.findMany({
        where: { shop, customerKey, productId: { in: productIds } },
        select: { productId: true, askedAt: true },
      })
    : [];
  const askedAt = new Map<string, Date>();
  for (const row of earlier) {
    const before = askedAt.get(row.productId);
    if (!before || before < row.askedAt) askedAt.set(row.productId, row.askedAt);
  }

  // A review app that cannot answer never holds the email back: it goes without the check.
  let reviewed = new Set<string>();
  let note: string | null = null;
  if (setting && reviewAppFor && productIds.length) {
    let name = setting.reviewApp;
    try {
      const client = reviewAppFor({ shop, reviewApp: setting.reviewApp, apiTokenEnc: setting.apiTokenEnc });
      if (client) {
        name = client.name;
        reviewed = await client.reviewedProducts({ shop, email, customerId, productIds });
      }
    } catch (err) {
      note = `${name} could not say which products were already reviewed; asked about all of them. ${(err as Error).message}`;
      log.warn("review app unavailable; sending the review request without its check", { reviewApp: name, err });
    }
  }

  const decided = productsToAsk({ productIds, askedAt, reviewed, reaskDays, now });
  if (decided.ask.length === 0 && productIds.length > 0) {
    const titles = new Map(lineItemProducts(lineItems).map((p) => [p.id, p.title]));
    const title = (id: string) => titles.get(id) ?? id;
    return {
      kind: "skip",
      reason: {
        code: "review_already_requested",
        askedRecently: decided.askedRecently.map(title),
        alreadyReviewed: decided.alreadyReviewed.map(title),
        reaskDays,
      },
    };
  }
  return {
    kind: "ask",
    review: { app, shopAnchor: setting?.anchor ?? null, productIds: decided.ask },
    rows: (followUpId, at) => decided.ask.map((productId) => reviewRequestStatement(prisma, { shop, customerKey, productId, followUpId, at })),
    note,
  };
}

// One asked product, written only if the follow-up is recorded as sent in the same transaction
// (a claim lost meanwhile writes nothing), and once per follow-up and product.
function reviewRequestStatement(
  prisma: PrismaClient,
  { shop, customerKey, productId, followUpId, at }: { shop: string; customerKey: string; productId: string; followUpId: string; at: Date },
): Prisma.PrismaPromise<number> {
  // PostgreSQL gives a bare parameter in a SELECT list the type text; the column wants a timestamp.
  const when = providerOf(prisma) === "postgresql" ? Prisma.sql`CAST(${at} AS TIMESTAMP(3))` : Prisma.sql`${at}`;
  return prisma.$executeRaw`
    INSERT INTO "ReviewRequest" ("id", "shop", "customerKey", "productId", "askedAt", "followUpId")
    SELECT ${randomUUID()}, ${shop}, ${customerKey}, ${productId}, ${when}, ${followUpId}
    WHERE EXISTS (SELECT 1 FROM "FollowUp" WHERE "id" = ${followUpId} AND "status" = 'sent')
    ON CONFLICT ("followUpId", "productId") DO NOTHING`;
}
