-- DropIndex
DROP INDEX "FollowUp_status_dueAt_idx";

-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "sendgridApiKeyEnc" TEXT;

-- AlterTable
ALTER TABLE "Order" ADD COLUMN     "shopCurrency" TEXT,
ADD COLUMN     "totalPriceShop" TEXT;

-- AlterTable
ALTER TABLE "FlowStep" DROP COLUMN "delayMinutes",
ADD COLUMN     "delayAmount" INTEGER NOT NULL,
ADD COLUMN     "delayUnit" TEXT NOT NULL;

-- AlterTable
ALTER TABLE "FollowUp" ALTER COLUMN "nextAttemptAt" SET NOT NULL;

-- AlterTable
ALTER TABLE "ComplianceRequest" ADD COLUMN     "completedAt" TIMESTAMP(3),
ADD COLUMN     "report" TEXT;

-- CreateTable
CREATE TABLE "Suppression" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "scope" TEXT NOT NULL DEFAULT 'all',
    "reason" TEXT NOT NULL,
    "source" TEXT,
    "detail" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Suppression_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MessageEvent" (
    "id" TEXT NOT NULL,
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
    "occurredAt" TIMESTAMP(3) NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MessageEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditLog" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "detail" TEXT,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditLog_pkey" PRIMARY KEY ("id")
);

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
CREATE INDEX "FollowUp_status_nextAttemptAt_idx" ON "FollowUp"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "FollowUp_status_leaseUntil_idx" ON "FollowUp"("status", "leaseUntil");

-- CreateIndex
CREATE INDEX "FollowUp_orderRef_idx" ON "FollowUp"("orderRef");
