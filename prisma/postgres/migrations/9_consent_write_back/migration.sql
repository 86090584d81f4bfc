-- CreateTable
CREATE TABLE "ConsentWriteBack" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "marketingState" TEXT NOT NULL,
    "optInLevel" TEXT,
    "requestedAt" TIMESTAMP(3) NOT NULL,
    "suppressionId" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL,
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ConsentWriteBack_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ConsentWriteBack_nextAttemptAt_idx" ON "ConsentWriteBack"("nextAttemptAt");

-- CreateIndex
CREATE UNIQUE INDEX "ConsentWriteBack_shop_customerId_key" ON "ConsentWriteBack"("shop", "customerId");

