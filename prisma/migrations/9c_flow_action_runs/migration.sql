-- CreateTable
CREATE TABLE "FlowActionRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "actionRunId" TEXT NOT NULL,
    "flowId" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "FlowActionRun_shop_receivedAt_idx" ON "FlowActionRun"("shop", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "FlowActionRun_shop_actionRunId_key" ON "FlowActionRun"("shop", "actionRunId");

