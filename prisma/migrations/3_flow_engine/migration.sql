-- AlterTable
ALTER TABLE "Order" ADD COLUMN "customerOrdersCount" INTEGER;
ALTER TABLE "Order" ADD COLUMN "customerTags" TEXT;
ALTER TABLE "Order" ADD COLUMN "deliveredAt" DATETIME;
ALTER TABLE "Order" ADD COLUMN "discountCodes" TEXT;
ALTER TABLE "Order" ADD COLUMN "financialStatus" TEXT;
ALTER TABLE "Order" ADD COLUMN "fulfilledAt" DATETIME;
ALTER TABLE "Order" ADD COLUMN "lineItems" TEXT;
ALTER TABLE "Order" ADD COLUMN "orderTags" TEXT;
ALTER TABLE "Order" ADD COLUMN "paidAt" DATETIME;
ALTER TABLE "Order" ADD COLUMN "productFactsAt" DATETIME;
ALTER TABLE "Order" ADD COLUMN "refundedAt" DATETIME;
ALTER TABLE "Order" ADD COLUMN "sourceName" TEXT;

-- AlterTable
ALTER TABLE "Flow" ADD COLUMN "conditions" TEXT;
ALTER TABLE "Flow" ADD COLUMN "exitRules" TEXT;

-- AlterTable
ALTER TABLE "FlowStep" ADD COLUMN "variants" TEXT;

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
    "installedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" DATETIME,
    "profileFetchedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Shop" ("address", "createdAt", "currencyCode", "domain", "email", "ianaTimezone", "installedAt", "logoUrl", "marketingConsentRequired", "name", "primaryLocale", "profileFetchedAt", "replyTo", "senderEmail", "senderName", "sendgridApiKeyEnc", "sendingEnabled", "serviceEmailsAllowed", "storefrontUrl", "uninstalledAt", "updatedAt") SELECT "address", "createdAt", "currencyCode", "domain", "email", "ianaTimezone", "installedAt", "logoUrl", "marketingConsentRequired", "name", "primaryLocale", "profileFetchedAt", "replyTo", "senderEmail", "senderName", "sendgridApiKeyEnc", "sendingEnabled", "serviceEmailsAllowed", "storefrontUrl", "uninstalledAt", "updatedAt" FROM "Shop";
DROP TABLE "Shop";
ALTER TABLE "new_Shop" RENAME TO "Shop";
CREATE TABLE "new_FollowUp" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "orderRef" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "flowId" TEXT NOT NULL,
    "stepId" TEXT NOT NULL,
    "stepKey" TEXT NOT NULL,
    "template" TEXT NOT NULL,
    "category" TEXT NOT NULL DEFAULT 'marketing',
    "variant" TEXT,
    "isTest" BOOLEAN NOT NULL DEFAULT false,
    "discountCode" TEXT,
    "recipient" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'scheduled',
    "dueAt" DATETIME NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL,
    "claimToken" TEXT,
    "leaseUntil" DATETIME,
    "lastError" TEXT,
    "skipReason" TEXT,
    "transport" TEXT,
    "messageId" TEXT,
    "sentAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "FollowUp_orderRef_fkey" FOREIGN KEY ("orderRef") REFERENCES "Order" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_FollowUp" ("attempts", "claimToken", "createdAt", "dueAt", "flowId", "id", "lastError", "leaseUntil", "messageId", "nextAttemptAt", "orderId", "orderRef", "recipient", "sentAt", "shop", "skipReason", "status", "stepId", "stepKey", "template", "transport", "updatedAt") SELECT "attempts", "claimToken", "createdAt", "dueAt", "flowId", "id", "lastError", "leaseUntil", "messageId", "nextAttemptAt", "orderId", "orderRef", "recipient", "sentAt", "shop", "skipReason", "status", "stepId", "stepKey", "template", "transport", "updatedAt" FROM "FollowUp";
DROP TABLE "FollowUp";
ALTER TABLE "new_FollowUp" RENAME TO "FollowUp";
CREATE INDEX "FollowUp_status_nextAttemptAt_idx" ON "FollowUp"("status", "nextAttemptAt");
CREATE INDEX "FollowUp_status_leaseUntil_idx" ON "FollowUp"("status", "leaseUntil");
CREATE INDEX "FollowUp_shop_status_idx" ON "FollowUp"("shop", "status");
CREATE INDEX "FollowUp_orderRef_idx" ON "FollowUp"("orderRef");
CREATE INDEX "FollowUp_messageId_idx" ON "FollowUp"("messageId");
CREATE INDEX "FollowUp_shop_recipient_sentAt_idx" ON "FollowUp"("shop", "recipient", "sentAt");
CREATE UNIQUE INDEX "FollowUp_shop_orderId_flowId_stepKey_key" ON "FollowUp"("shop", "orderId", "flowId", "stepKey");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
