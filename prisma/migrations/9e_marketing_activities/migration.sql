-- CreateTable
CREATE TABLE "MarketingActivityReport" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "flowId" TEXT NOT NULL,
    "activityId" TEXT,
    "reported" TEXT,
    "reportedAt" DATETIME,
    "lastError" TEXT,
    "failedAt" DATETIME,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "MarketingEngagementReport" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "flowId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "reported" TEXT,
    "reportedAt" DATETIME,
    "lastError" TEXT,
    "failedAt" DATETIME,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "MarketingSync" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "claimedUntil" DATETIME,
    "lastPassAt" DATETIME,
    "blockedReason" TEXT,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "MarketingActivityReport_shop_flowId_key" ON "MarketingActivityReport"("shop", "flowId");

-- CreateIndex
CREATE UNIQUE INDEX "MarketingEngagementReport_shop_flowId_day_key" ON "MarketingEngagementReport"("shop", "flowId", "day");

