-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "ownerEmail" TEXT,
ADD COLUMN     "publishedLocales" TEXT;

