-- CreateTable
CREATE TABLE "FlowActionStep" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "stepReference" TEXT NOT NULL,
    "flowId" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FlowActionStep_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "FlowActionStep_shop_stepReference_key" ON "FlowActionStep"("shop", "stepReference");

