// The shop's brand as the Settings page edits it: the logo uploaded to the shop's Files (and the
// one it replaces deleted there), and a preview of a real follow-up with a brand not saved yet.
import type { PrismaClient } from "@prisma/client";
import { checkLogoFile } from "~/domain/brand-logo";
import { validateBrand, type Brand, type ContentProblem } from "~/domain/content";
import { defaultFlows } from "~/domain/flows";
import { AdminApiError, adminClientForShop, ShopNotConnectedError, type AdminClient } from "~/adapters/shopify-admin/index.server";
import { deleteFilesFromShop, FileUploadError, uploadImageToFiles } from "~/adapters/shopify-admin/files.server";
import { logger as defaultLogger, type Logger } from "~/platform/logger.server";
import { audit, listAudit } from "../compliance/audit.server";
import { previewDocument, previewStep } from "../flows/flow-editor.server";

export type LogoUpload = { ok: true; logoUrl: string } | { ok: false; problem: string };

const LOGO_UPLOADED = "brand.logo_uploaded";

/**
 * Puts the merchant's logo in the shop's Files and gives back its Shopify CDN address, which the
 * form then saves as the brand's logo. A file the emails cannot show is refused before upload.
 */
export async function uploadLogo({
  prisma,
  shop,
  actor,
  file,
  client,
  timeoutMs,
}: {
  prisma: PrismaClient;
  shop: string;
  actor: string;
  file: { name: string; bytes: Uint8Array };
  // Default: the shop's own Admin API client, one quick try (the merchant is waiting).
  client?: AdminClient;
  timeoutMs?: number;
}): Promise<LogoUpload> {
  const checked = checkLogoFile(file);
  if (!checked.ok) return { ok: false, problem: checked.problem };
  const row = await prisma.shop.findUnique({ where: { domain: shop }, select: { name: true } });
  try {
    const admin = client ?? (await adminClientForShop({ prisma, shop, maxRetries: 1, timeoutMs: 15_000 }));
    const uploaded = await uploadImageToFiles({
      client: admin,
      filename: checked.filename,
      mimeType: checked.mimeType,
      bytes: file.bytes,
      alt: `${row?.name ?? shop} logo`,
      ...(timeoutMs ? { timeoutMs } : {}),
    });
    if (validateBrand({ logoUrl: uploaded.url }).length) {
      return { ok: false, problem: `Shopify gave the logo an address the emails cannot use (${uploaded.url}); paste an https address instead.` };
    }
    // The address too: a later save that replaces this logo finds the file to delete by it.
    await audit(prisma, { shop, actor, action: LOGO_UPLOADED, detail: { fileId: uploaded.fileId, url: uploaded.url } });
    return { ok: true, logoUrl: uploaded.url };
  } catch (err) {
    if (err instanceof FileUploadError) return { ok: false, problem: err.message };
    // Shops that installed before the logo upload existed have not granted write_files yet.
    if (err instanceof AdminApiError && err.code === "ACCESS_DENIED") {
      return {
        ok: false,
        problem: "Afterglow may not add files to your store yet: approve its updated access (Files) in your Shopify admin, then upload again, or paste the logo's https address.",
      };
    }
    if (err instanceof ShopNotConnectedError || err instanceof AdminApiError) return { ok: false, problem: err.message };
    throw err;
  }
}

/**
 * After a save replaced the logo: the previous one leaves the shop's Files when we put it there
 * (an upload's audit entry names its address) and no email's content shows it. A logo the
 * merchant pasted is theirs and stays. The save has happened: a failure is logged, not thrown.
 */
export async function deleteReplacedLogo({
  prisma,
  shop,
  actor,
  previousUrl,
  client,
  logger = defaultLogger,
}: {
  prisma: PrismaClient;
  shop: string;
  actor: string;
  previousUrl: string;
  client?: AdminClient;
  logger?: Logger;
}): Promise<{ deleted: string | null }> {
  const uploads = await listAudit(prisma, shop, { action: LOGO_UPLOADED, limit: 500 });
  const fileId = uploads.find((e) => e.detail?.url === previousUrl)?.detail?.fileId;
  if (typeof fileId !== "string") return { deleted: null };
  // A merchant may have pasted the old logo's address into an email's image block.
  const shownInEmail = await prisma.flowStep.findFirst({
    where: { flow: { shop }, OR: [{ content: { contains: previousUrl } }, { variants: { contains: previousUrl } }] },
    select: { id: true },
  });
  if (shownInEmail) return { deleted: null };
  try {
    const admin = client ?? (await adminClientForShop({ prisma, shop, maxRetries: 1, timeoutMs: 10_000 }));
    await deleteFilesFromShop(admin, [fileId]);
    await audit(prisma, { shop, actor, action: "brand.logo_deleted", detail: { fileId } });
    return { deleted: fileId };
  } catch (err) {
    // Shopify's refusal, an outage, a token revoked: the file is litter, not a broken save.
    logger.warn("the replaced logo stays in the shop's Files: Shopify did not delete it", { shop, fileId, err });
    return { deleted: null };
  }
}

export type BrandPreview = { ok: true; html: string; subject: string } | { ok: false; problems: ContentProblem[] };

/**
 * The first step of the shop's default flow (the thank-you email) with the sample order and this
 * brand, rendered by the dispatcher's own render path as the flow editor's preview is.
 */
export async function previewBrand({ prisma, shop, brand }: { prisma: PrismaClient; shop: string; brand: unknown }): Promise<BrandPreview> {
  const problems = validateBrand(brand);
  if (problems.length) return { ok: false, problems };
  const row = await prisma.shop.findUnique({ where: { domain: shop } });
  if (!row) throw new Error(`The shop ${shop} is not connected to Afterglow; reinstall the app.`);
  const fallback = defaultFlows()[0]!;
  const stored = await prisma.flow.findFirst({
    where: { shop, key: fallback.key },
    include: { steps: { orderBy: { position: "asc" }, take: 1 } },
  });
  const first = stored?.steps[0];
  const step = first
    ? {
        key: first.key,
        template: first.template,
        subject: first.subject,
        previewText: first.previewText ?? "",
        content: first.content ? (JSON.parse(first.content) as Record<string, unknown>) : null,
      }
    : { ...fallback.steps[0]!, previewText: fallback.steps[0]!.previewText ?? "", content: null };
  const b = (brand ?? {}) as Brand;
  const unsaved: Brand = {
    ...(b.logoUrl ? { logoUrl: b.logoUrl } : {}),
    ...(b.accentColor ? { accentColor: b.accentColor } : {}),
    ...(b.font ? { font: b.font } : {}),
  };
  const rendered = await previewStep({
    prisma,
    shop: { ...row, brand: JSON.stringify(unsaved) },
    flowKey: stored?.key ?? fallback.key,
    step,
    order: null,
  });
  return { ok: true, html: previewDocument(rendered), subject: rendered.subject };
}
