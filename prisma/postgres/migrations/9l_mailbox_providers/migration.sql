-- CreateTable
CREATE TABLE "DailyDomainStat" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "domain" TEXT NOT NULL,
    "sent" INTEGER NOT NULL DEFAULT 0,
    "delivered" INTEGER NOT NULL DEFAULT 0,
    "bounces" INTEGER NOT NULL DEFAULT 0,
    "deferred" INTEGER NOT NULL DEFAULT 0,
    "spamReports" INTEGER NOT NULL DEFAULT 0,
    "opens" INTEGER NOT NULL DEFAULT 0,
    "machineOpens" INTEGER NOT NULL DEFAULT 0,
    "clicks" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DailyDomainStat_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MailboxDomain" (
    "domain" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "mxHosts" TEXT,
    "checkedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MailboxDomain_pkey" PRIMARY KEY ("domain")
);

-- CreateIndex
CREATE INDEX "DailyDomainStat_updatedAt_idx" ON "DailyDomainStat"("updatedAt");

-- CreateIndex
CREATE UNIQUE INDEX "DailyDomainStat_shop_day_domain_key" ON "DailyDomainStat"("shop", "day", "domain");

