-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "attributionCountsOpens" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "attributionWindowDays" INTEGER NOT NULL DEFAULT 5,
ADD COLUMN     "brand" TEXT,
ADD COLUMN     "defaultSendWindow" TEXT,
ADD COLUMN     "frequencyCap" TEXT,
ADD COLUMN     "sendingPausedAt" TIMESTAMP(3),
ADD COLUMN     "sendingPausedReason" TEXT,
ADD COLUMN     "testSentAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Order" ADD COLUMN     "customerOrdersCount" INTEGER,
ADD COLUMN     "customerTags" TEXT,
ADD COLUMN     "deliveredAt" TIMESTAMP(3),
ADD COLUMN     "discountCodes" TEXT,
ADD COLUMN     "financialStatus" TEXT,
ADD COLUMN     "fulfilledAt" TIMESTAMP(3),
ADD COLUMN     "lineItems" TEXT,
ADD COLUMN     "orderTags" TEXT,
ADD COLUMN     "paidAt" TIMESTAMP(3),
ADD COLUMN     "productFactsAt" TIMESTAMP(3),
ADD COLUMN     "refundedAt" TIMESTAMP(3),
ADD COLUMN     "sourceName" TEXT;

-- AlterTable
ALTER TABLE "Flow" ADD COLUMN     "conditions" TEXT,
ADD COLUMN     "exitRules" TEXT;

-- AlterTable
ALTER TABLE "FlowStep" ADD COLUMN     "variants" TEXT;

-- AlterTable
ALTER TABLE "FollowUp" ADD COLUMN     "category" TEXT NOT NULL DEFAULT 'marketing',
ADD COLUMN     "discountCode" TEXT,
ADD COLUMN     "isTest" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "variant" TEXT;

-- CreateIndex
CREATE INDEX "FollowUp_shop_recipient_sentAt_idx" ON "FollowUp"("shop", "recipient", "sentAt");
