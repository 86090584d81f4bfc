-- CreateTable
CREATE TABLE "SenderDomain" (
    "shop" TEXT NOT NULL,
    "domain" TEXT NOT NULL,
    "sendgridDomainId" INTEGER NOT NULL,
    "records" TEXT NOT NULL,
    "validatedAt" TIMESTAMP(3),
    "verifiedAt" TIMESTAMP(3),
    "linkBrandingId" INTEGER,
    "linkRecords" TEXT,
    "linkValidatedAt" TIMESTAMP(3),
    "linkVerifiedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SenderDomain_pkey" PRIMARY KEY ("shop")
);

