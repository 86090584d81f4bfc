-- CreateTable
CREATE TABLE "FlowActionStep" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "stepReference" TEXT NOT NULL,
    "flowId" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE UNIQUE INDEX "FlowActionStep_shop_stepReference_key" ON "FlowActionStep"("shop", "stepReference");

