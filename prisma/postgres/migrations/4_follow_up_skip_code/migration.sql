-- AlterTable
ALTER TABLE "FollowUp" ADD COLUMN     "skipCode" TEXT;
