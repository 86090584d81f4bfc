-- AlterTable
ALTER TABLE "Flow" ADD COLUMN     "sendTimeZone" TEXT NOT NULL DEFAULT 'shop';

-- CreateTable
CREATE TABLE "CustomerTimeZone" (
    "orderRef" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "timeZone" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CustomerTimeZone_pkey" PRIMARY KEY ("orderRef")
);

-- AddForeignKey
ALTER TABLE "CustomerTimeZone" ADD CONSTRAINT "CustomerTimeZone_orderRef_fkey" FOREIGN KEY ("orderRef") REFERENCES "Order"("id") ON DELETE CASCADE ON UPDATE CASCADE;

