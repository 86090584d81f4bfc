-- CreateTable
CREATE TABLE "FollowUpFailure" (
    "followUpId" TEXT NOT NULL PRIMARY KEY,
    "code" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    CONSTRAINT "FollowUpFailure_followUpId_fkey" FOREIGN KEY ("followUpId") REFERENCES "FollowUp" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

