-- CreateTable
CREATE TABLE "ShopReviewSetting" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "reviewApp" TEXT NOT NULL DEFAULT 'custom',
    "anchor" TEXT,
    "reaskDays" INTEGER NOT NULL DEFAULT 365,
    "apiTokenEnc" TEXT,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ReviewRequest" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "customerKey" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "askedAt" DATETIME NOT NULL,
    "followUpId" TEXT NOT NULL
);

-- CreateIndex
CREATE INDEX "ReviewRequest_shop_customerKey_productId_askedAt_idx" ON "ReviewRequest"("shop", "customerKey", "productId", "askedAt");

-- CreateIndex
CREATE UNIQUE INDEX "ReviewRequest_followUpId_productId_key" ON "ReviewRequest"("followUpId", "productId");

