-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "abAutoPromote" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "DailyStat" (
    "id" TEXT NOT NULL,
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
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DailyStat_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Attribution" (
    "id" TEXT NOT NULL,
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
    "touchedAt" TIMESTAMP(3),
    "orderedAt" TIMESTAMP(3) NOT NULL,
    "day" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Attribution_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "JobState" (
    "name" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "JobState_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "RecommendationSourceStat" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "impressions" INTEGER NOT NULL DEFAULT 0,
    "clicks" INTEGER NOT NULL DEFAULT 0,
    "orders" INTEGER NOT NULL DEFAULT 0,
    "revenue" TEXT NOT NULL DEFAULT '0',
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RecommendationSourceStat_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DeliverabilityHealth" (
    "shop" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "report" TEXT NOT NULL,
    "checkedAt" TIMESTAMP(3) NOT NULL,
    "alertedAt" TIMESTAMP(3),
    "resumedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DeliverabilityHealth_pkey" PRIMARY KEY ("shop")
);

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
