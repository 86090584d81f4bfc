-- CreateTable
CREATE TABLE "ConsentWriteBack" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "marketingState" TEXT NOT NULL,
    "optInLevel" TEXT,
    "requestedAt" DATETIME NOT NULL,
    "suppressionId" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL,
    "lastError" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "ConsentWriteBack_nextAttemptAt_idx" ON "ConsentWriteBack"("nextAttemptAt");

-- CreateIndex
CREATE UNIQUE INDEX "ConsentWriteBack_shop_customerId_key" ON "ConsentWriteBack"("shop", "customerId");

