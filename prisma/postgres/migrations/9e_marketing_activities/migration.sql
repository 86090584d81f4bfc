-- CreateTable
CREATE TABLE "MarketingActivityReport" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "flowId" TEXT NOT NULL,
    "activityId" TEXT,
    "reported" TEXT,
    "reportedAt" TIMESTAMP(3),
    "lastError" TEXT,
    "failedAt" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MarketingActivityReport_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MarketingEngagementReport" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "flowId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "reported" TEXT,
    "reportedAt" TIMESTAMP(3),
    "lastError" TEXT,
    "failedAt" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MarketingEngagementReport_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MarketingSync" (
    "shop" TEXT NOT NULL,
    "claimedUntil" TIMESTAMP(3),
    "lastPassAt" TIMESTAMP(3),
    "blockedReason" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MarketingSync_pkey" PRIMARY KEY ("shop")
);

-- CreateIndex
CREATE UNIQUE INDEX "MarketingActivityReport_shop_flowId_key" ON "MarketingActivityReport"("shop", "flowId");

-- CreateIndex
CREATE UNIQUE INDEX "MarketingEngagementReport_shop_flowId_day_key" ON "MarketingEngagementReport"("shop", "flowId", "day");

