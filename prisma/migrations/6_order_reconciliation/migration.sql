-- AlterTable
ALTER TABLE "Shop" ADD COLUMN "ordersReconciledAt" DATETIME;
