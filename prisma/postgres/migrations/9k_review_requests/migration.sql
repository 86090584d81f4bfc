-- CreateTable
CREATE TABLE "ShopReviewSetting" (
    "shop" TEXT NOT NULL,
    "reviewApp" TEXT NOT NULL DEFAULT 'custom',
    "anchor" TEXT,
    "reaskDays" INTEGER NOT NULL DEFAULT 365,
    "apiTokenEnc" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ShopReviewSetting_pkey" PRIMARY KEY ("shop")
);

-- CreateTable
CREATE TABLE "ReviewRequest" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "customerKey" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "askedAt" TIMESTAMP(3) NOT NULL,
    "followUpId" TEXT NOT NULL,

    CONSTRAINT "ReviewRequest_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ReviewRequest_shop_customerKey_productId_askedAt_idx" ON "ReviewRequest"("shop", "customerKey", "productId", "askedAt");

-- CreateIndex
CREATE UNIQUE INDEX "ReviewRequest_followUpId_productId_key" ON "ReviewRequest"("followUpId", "productId");

