-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "ordersReconciledAt" TIMESTAMP(3);
