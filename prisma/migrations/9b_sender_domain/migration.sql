-- CreateTable
CREATE TABLE "SenderDomain" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "domain" TEXT NOT NULL,
    "sendgridDomainId" INTEGER NOT NULL,
    "records" TEXT NOT NULL,
    "validatedAt" DATETIME,
    "verifiedAt" DATETIME,
    "linkBrandingId" INTEGER,
    "linkRecords" TEXT,
    "linkValidatedAt" DATETIME,
    "linkVerifiedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

