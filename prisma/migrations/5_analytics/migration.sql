-- CreateTable
CREATE TABLE "DailyStat" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "flowId" TEXT NOT NULL,
    "stepKey" TEXT NOT NULL,
    "variant" TEXT NOT NULL DEFAULT '',
    "scheduled" INTEGER NOT NULL DEFAULT 0,
    "sent" INTEGER NOT NULL DEFAULT 0,
    "delivered" INTEGER NOT NULL DEFAULT 0,
    "opens" INTEGER NOT NULL DEFAULT 0,
    "machineOpens" INTEGER NOT NULL DEFAULT 0,
    "clicks" INTEGER NOT NULL DEFAULT 0,
    "bounces" INTEGER NOT NULL DEFAULT 0,
    "unsubscribes" INTEGER NOT NULL DEFAULT 0,
    "spamReports" INTEGER NOT NULL DEFAULT 0,
    "skipped" INTEGER NOT NULL DEFAULT 0,
    "skippedByReason" TEXT,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Attribution" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "orderRef" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "followUpId" TEXT NOT NULL,
    "flowId" TEXT NOT NULL,
    "stepKey" TEXT NOT NULL,
    "variant" TEXT NOT NULL DEFAULT '',
    "reason" TEXT NOT NULL,
    "source" TEXT,
    "revenue" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "touchedAt" DATETIME,
    "orderedAt" DATETIME NOT NULL,
    "day" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "JobState" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "state" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "RecommendationSourceStat" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "impressions" INTEGER NOT NULL DEFAULT 0,
    "clicks" INTEGER NOT NULL DEFAULT 0,
    "orders" INTEGER NOT NULL DEFAULT 0,
    "revenue" TEXT NOT NULL DEFAULT '0',
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "DeliverabilityHealth" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "level" TEXT NOT NULL,
    "report" TEXT NOT NULL,
    "checkedAt" DATETIME NOT NULL,
    "alertedAt" DATETIME,
    "resumedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Shop" (
    "domain" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT,
    "email" TEXT,
    "currencyCode" TEXT,
    "ianaTimezone" TEXT,
    "primaryLocale" TEXT,
    "address" TEXT,
    "logoUrl" TEXT,
    "storefrontUrl" TEXT,
    "senderName" TEXT,
    "senderEmail" TEXT,
    "replyTo" TEXT,
    "sendingEnabled" BOOLEAN NOT NULL DEFAULT true,
    "marketingConsentRequired" BOOLEAN NOT NULL DEFAULT true,
    "serviceEmailsAllowed" BOOLEAN NOT NULL DEFAULT true,
    "sendgridApiKeyEnc" TEXT,
    "defaultSendWindow" TEXT,
    "frequencyCap" TEXT,
    "brand" TEXT,
    "testSentAt" DATETIME,
    "attributionWindowDays" INTEGER NOT NULL DEFAULT 5,
    "attributionCountsOpens" BOOLEAN NOT NULL DEFAULT false,
    "sendingPausedAt" DATETIME,
    "sendingPausedReason" TEXT,
    "abAutoPromote" BOOLEAN NOT NULL DEFAULT false,
    "installedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" DATETIME,
    "profileFetchedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Shop" ("address", "attributionCountsOpens", "attributionWindowDays", "brand", "createdAt", "currencyCode", "defaultSendWindow", "domain", "email", "frequencyCap", "ianaTimezone", "installedAt", "logoUrl", "marketingConsentRequired", "name", "primaryLocale", "profileFetchedAt", "replyTo", "senderEmail", "senderName", "sendgridApiKeyEnc", "sendingEnabled", "sendingPausedAt", "sendingPausedReason", "serviceEmailsAllowed", "storefrontUrl", "testSentAt", "uninstalledAt", "updatedAt") SELECT "address", "attributionCountsOpens", "attributionWindowDays", "brand", "createdAt", "currencyCode", "defaultSendWindow", "domain", "email", "frequencyCap", "ianaTimezone", "installedAt", "logoUrl", "marketingConsentRequired", "name", "primaryLocale", "profileFetchedAt", "replyTo", "senderEmail", "senderName", "sendgridApiKeyEnc", "sendingEnabled", "sendingPausedAt", "sendingPausedReason", "serviceEmailsAllowed", "storefrontUrl", "testSentAt", "uninstalledAt", "updatedAt" FROM "Shop";
DROP TABLE "Shop";
ALTER TABLE "new_Shop" RENAME TO "Shop";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "DailyStat_shop_day_flowId_stepKey_variant_key" ON "DailyStat"("shop", "day", "flowId", "stepKey", "variant");

-- CreateIndex
CREATE UNIQUE INDEX "Attribution_orderRef_key" ON "Attribution"("orderRef");

-- CreateIndex
CREATE INDEX "Attribution_shop_orderedAt_idx" ON "Attribution"("shop", "orderedAt");

-- CreateIndex
CREATE INDEX "Attribution_shop_day_idx" ON "Attribution"("shop", "day");

-- CreateIndex
CREATE INDEX "Attribution_followUpId_idx" ON "Attribution"("followUpId");

-- CreateIndex
CREATE UNIQUE INDEX "RecommendationSourceStat_shop_source_key" ON "RecommendationSourceStat"("shop", "source");

-- CreateIndex
CREATE INDEX "Order_updatedAt_idx" ON "Order"("updatedAt");

-- CreateIndex
CREATE INDEX "FollowUp_shop_dueAt_idx" ON "FollowUp"("shop", "dueAt");

-- CreateIndex
CREATE INDEX "FollowUp_updatedAt_idx" ON "FollowUp"("updatedAt");

-- CreateIndex
CREATE INDEX "MessageEvent_receivedAt_idx" ON "MessageEvent"("receivedAt");
