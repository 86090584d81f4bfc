-- CreateTable
CREATE TABLE "ThankYouPageSetting" (
    "shop" TEXT NOT NULL,
    "offerEmailSignUp" BOOLEAN NOT NULL DEFAULT true,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ThankYouPageSetting_pkey" PRIMARY KEY ("shop")
);

