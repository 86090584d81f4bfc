-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "marketingConsentRequired" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "serviceEmailsAllowed" BOOLEAN NOT NULL DEFAULT true;

-- AlterTable
ALTER TABLE "FlowStep" ADD COLUMN     "category" TEXT NOT NULL DEFAULT 'marketing',
ADD COLUMN     "delayAt" TEXT,
ADD COLUMN     "delayFrom" TEXT NOT NULL DEFAULT 'previous_step',
ADD COLUMN     "sendWindow" TEXT;

-- CreateTable
CREATE TABLE "CustomerConsent" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "email" TEXT,
    "marketingState" TEXT NOT NULL,
    "consentUpdatedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CustomerConsent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "CustomerConsent_shop_email_idx" ON "CustomerConsent"("shop", "email");

-- CreateIndex
CREATE UNIQUE INDEX "CustomerConsent_shop_customerId_key" ON "CustomerConsent"("shop", "customerId");

-- CreateIndex
CREATE INDEX "FollowUp_messageId_idx" ON "FollowUp"("messageId");
