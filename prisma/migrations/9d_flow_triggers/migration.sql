-- CreateTable
CREATE TABLE "FlowTriggerUse" (
    "shop" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL,
    "reportedAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "trigger")
);

-- CreateTable
CREATE TABLE "FlowTriggerFire" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "factKey" TEXT NOT NULL,
    "followUpId" TEXT,
    "orderId" TEXT,
    "customerId" TEXT,
    "payload" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL,
    "claimToken" TEXT,
    "leaseUntil" DATETIME,
    "lastError" TEXT,
    "sentAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "FlowTriggerFire_status_nextAttemptAt_idx" ON "FlowTriggerFire"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "FlowTriggerFire_shop_customerId_idx" ON "FlowTriggerFire"("shop", "customerId");

-- CreateIndex
CREATE UNIQUE INDEX "FlowTriggerFire_shop_trigger_factKey_key" ON "FlowTriggerFire"("shop", "trigger", "factKey");

