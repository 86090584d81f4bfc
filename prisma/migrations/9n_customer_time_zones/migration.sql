-- CreateTable
CREATE TABLE "CustomerTimeZone" (
    "orderRef" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "timeZone" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "CustomerTimeZone_orderRef_fkey" FOREIGN KEY ("orderRef") REFERENCES "Order" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Flow" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "conditions" TEXT,
    "exitRules" TEXT,
    "deliveryFallbackDays" INTEGER,
    "sendTimeZone" TEXT NOT NULL DEFAULT 'shop',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Flow" ("active", "conditions", "createdAt", "deliveryFallbackDays", "exitRules", "id", "key", "name", "shop", "trigger", "updatedAt") SELECT "active", "conditions", "createdAt", "deliveryFallbackDays", "exitRules", "id", "key", "name", "shop", "trigger", "updatedAt" FROM "Flow";
DROP TABLE "Flow";
ALTER TABLE "new_Flow" RENAME TO "Flow";
CREATE INDEX "Flow_shop_trigger_active_idx" ON "Flow"("shop", "trigger", "active");
CREATE UNIQUE INDEX "Flow_shop_key_key" ON "Flow"("shop", "key");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

