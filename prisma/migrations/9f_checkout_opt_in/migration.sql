-- CreateTable
CREATE TABLE "ThankYouPageSetting" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "offerEmailSignUp" BOOLEAN NOT NULL DEFAULT true,
    "updatedAt" DATETIME NOT NULL
);

