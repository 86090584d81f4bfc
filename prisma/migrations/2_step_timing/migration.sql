-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_FlowStep" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "flowId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "delayAmount" INTEGER NOT NULL,
    "delayUnit" TEXT NOT NULL,
    "delayAt" TEXT,
    "delayFrom" TEXT NOT NULL DEFAULT 'previous_step',
    "sendWindow" TEXT,
    "template" TEXT NOT NULL,
    "category" TEXT NOT NULL DEFAULT 'marketing',
    "subject" TEXT NOT NULL,
    "previewText" TEXT,
    "content" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "FlowStep_flowId_fkey" FOREIGN KEY ("flowId") REFERENCES "Flow" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_FlowStep" ("category", "content", "createdAt", "delayAmount", "delayUnit", "flowId", "id", "key", "position", "previewText", "subject", "template", "updatedAt") SELECT "category", "content", "createdAt", "delayAmount", "delayUnit", "flowId", "id", "key", "position", "previewText", "subject", "template", "updatedAt" FROM "FlowStep";
DROP TABLE "FlowStep";
ALTER TABLE "new_FlowStep" RENAME TO "FlowStep";
CREATE UNIQUE INDEX "FlowStep_flowId_key_key" ON "FlowStep"("flowId", "key");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
