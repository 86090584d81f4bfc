-- CreateTable
CREATE TABLE "FollowUpFailure" (
    "followUpId" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "FollowUpFailure_pkey" PRIMARY KEY ("followUpId")
);

-- AddForeignKey
ALTER TABLE "FollowUpFailure" ADD CONSTRAINT "FollowUpFailure_followUpId_fkey" FOREIGN KEY ("followUpId") REFERENCES "FollowUp"("id") ON DELETE CASCADE ON UPDATE CASCADE;

