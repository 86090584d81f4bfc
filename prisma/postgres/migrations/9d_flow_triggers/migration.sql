-- CreateTable
CREATE TABLE "FlowTriggerUse" (
    "shop" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL,
    "reportedAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "FlowTriggerUse_pkey" PRIMARY KEY ("shop","trigger")
);

-- CreateTable
CREATE TABLE "FlowTriggerFire" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "factKey" TEXT NOT NULL,
    "followUpId" TEXT,
    "orderId" TEXT,
    "customerId" TEXT,
    "payload" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL,
    "claimToken" TEXT,
    "leaseUntil" TIMESTAMP(3),
    "lastError" TEXT,
    "sentAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "FlowTriggerFire_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "FlowTriggerFire_status_nextAttemptAt_idx" ON "FlowTriggerFire"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "FlowTriggerFire_shop_customerId_idx" ON "FlowTriggerFire"("shop", "customerId");

-- CreateIndex
CREATE UNIQUE INDEX "FlowTriggerFire_shop_trigger_factKey_key" ON "FlowTriggerFire"("shop", "trigger", "factKey");

