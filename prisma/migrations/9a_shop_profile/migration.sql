-- AlterTable
ALTER TABLE "Shop" ADD COLUMN "ownerEmail" TEXT;
ALTER TABLE "Shop" ADD COLUMN "publishedLocales" TEXT;

