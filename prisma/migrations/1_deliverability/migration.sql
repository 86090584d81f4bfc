-- AlterTable
ALTER TABLE "ComplianceRequest" ADD COLUMN "completedAt" DATETIME;
ALTER TABLE "ComplianceRequest" ADD COLUMN "report" TEXT;

-- CreateTable
CREATE TABLE "Suppression" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "scope" TEXT NOT NULL DEFAULT 'all',
    "reason" TEXT NOT NULL,
    "source" TEXT,
    "detail" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "MessageEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "sgEventId" TEXT,
    "dedupeKey" TEXT NOT NULL,
    "shop" TEXT,
    "followUpId" TEXT,
    "messageId" TEXT,
    "event" TEXT NOT NULL,
    "email" TEXT,
    "reason" TEXT,
    "detail" TEXT,
    "machineOpen" BOOLEAN NOT NULL DEFAULT false,
    "occurredAt" DATETIME NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "AuditLog" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "detail" TEXT,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "CustomerConsent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "email" TEXT,
    "marketingState" TEXT NOT NULL,
    "consentUpdatedAt" DATETIME,
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
    "installedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" DATETIME,
    "profileFetchedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Shop" ("address", "createdAt", "currencyCode", "domain", "email", "ianaTimezone", "installedAt", "logoUrl", "name", "primaryLocale", "profileFetchedAt", "replyTo", "senderEmail", "senderName", "sendingEnabled", "storefrontUrl", "uninstalledAt", "updatedAt") SELECT "address", "createdAt", "currencyCode", "domain", "email", "ianaTimezone", "installedAt", "logoUrl", "name", "primaryLocale", "profileFetchedAt", "replyTo", "senderEmail", "senderName", "sendingEnabled", "storefrontUrl", "uninstalledAt", "updatedAt" FROM "Shop";
DROP TABLE "Shop";
ALTER TABLE "new_Shop" RENAME TO "Shop";
CREATE TABLE "new_FlowStep" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "flowId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "delayAmount" INTEGER NOT NULL,
    "delayUnit" TEXT NOT NULL,
    "template" TEXT NOT NULL,
    "category" TEXT NOT NULL DEFAULT 'marketing',
    "subject" TEXT NOT NULL,
    "previewText" TEXT,
    "content" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "FlowStep_flowId_fkey" FOREIGN KEY ("flowId") REFERENCES "Flow" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_FlowStep" ("content", "createdAt", "delayAmount", "delayUnit", "flowId", "id", "key", "position", "previewText", "subject", "template", "updatedAt") SELECT "content", "createdAt", "delayAmount", "delayUnit", "flowId", "id", "key", "position", "previewText", "subject", "template", "updatedAt" FROM "FlowStep";
DROP TABLE "FlowStep";
ALTER TABLE "new_FlowStep" RENAME TO "FlowStep";
CREATE UNIQUE INDEX "FlowStep_flowId_key_key" ON "FlowStep"("flowId", "key");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "Suppression_shop_createdAt_idx" ON "Suppression"("shop", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Suppression_shop_email_scope_key" ON "Suppression"("shop", "email", "scope");

-- CreateIndex
CREATE UNIQUE INDEX "MessageEvent_sgEventId_key" ON "MessageEvent"("sgEventId");

-- CreateIndex
CREATE UNIQUE INDEX "MessageEvent_dedupeKey_key" ON "MessageEvent"("dedupeKey");

-- CreateIndex
CREATE INDEX "MessageEvent_followUpId_idx" ON "MessageEvent"("followUpId");

-- CreateIndex
CREATE INDEX "MessageEvent_shop_event_occurredAt_idx" ON "MessageEvent"("shop", "event", "occurredAt");

-- CreateIndex
CREATE INDEX "MessageEvent_messageId_idx" ON "MessageEvent"("messageId");

-- CreateIndex
CREATE INDEX "AuditLog_shop_at_idx" ON "AuditLog"("shop", "at");

-- CreateIndex
CREATE INDEX "CustomerConsent_shop_email_idx" ON "CustomerConsent"("shop", "email");

-- CreateIndex
CREATE UNIQUE INDEX "CustomerConsent_shop_customerId_key" ON "CustomerConsent"("shop", "customerId");

-- CreateIndex
CREATE INDEX "FollowUp_messageId_idx" ON "FollowUp"("messageId");
