-- AlterTable
ALTER TABLE "Flow" ADD COLUMN "deliveryFallbackDays" INTEGER;

-- CreateIndex
CREATE INDEX "Order_shop_fulfilledAt_idx" ON "Order"("shop", "fulfilledAt");

