// An image put into the shop's Files (Shopify admin > Content > Files), the way Shopify asks for
// bytes it has not got: a staged upload target, a multipart POST of the bytes to it, a file made
// from the staged copy, and that file read until Shopify has processed it and serves it from its CDN.
// And a file we put there taken out again when nothing uses it any more.
import type {
  FileCreateMutation,
  FileCreateMutationVariables,
  FileDeleteMutation,
  FileDeleteMutationVariables,
  FileStatusQuery,
  FileStatusQueryVariables,
  StagedUploadsCreateMutation,
  StagedUploadsCreateMutationVariables,
} from "~/types/admin.generated";
import type { FileContentType, StagedUploadHttpMethodType, StagedUploadTargetGenerateUploadResource } from "~/types/admin.types";
import type { AdminClient } from "./client.server";
import { FILE_CREATE_MUTATION, FILE_DELETE_MUTATION, FILE_STATUS_QUERY, STAGED_UPLOADS_CREATE_MUTATION } from "./queries";

export type FileUploadStep = "stage" | "upload" | "create" | "processing";

export class FileUploadError extends Error {
  override readonly name = "FileUploadError";
  constructor(
    message: string,
    readonly step: FileUploadStep,
  ) {
    super(message);
  }
}

export class FileDeleteError extends Error {
  override readonly name = "FileDeleteError";
}

export interface ImageUpload {
  client: AdminClient;
  filename: string;
  mimeType: string;
  bytes: Uint8Array;
  alt: string;
  // Shopify processes an image in a second or two; the merchant is waiting on the page.
  timeoutMs?: number;
  pollIntervalMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const DEFAULT_TIMEOUT_MS = 20_000;
const DEFAULT_POLL_MS = 500;

const describeErrors = (errors: Array<{ field?: string[] | null; message: string }>) =>
  errors.map((e) => (e.field?.length ? `${e.field.join(".")}: ${e.message}` : e.message)).join("; ");

/** Puts the image in the shop's Files and returns its id and CDN address once Shopify serves it. */
export async function uploadImageToFiles(upload: ImageUpload): Promise<{ fileId: string; url: string }> {
  const { client, filename, mimeType, bytes } = upload;
  const fetchFn = upload.fetch ?? fetch;
  const sleep = upload.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = upload.now ?? Date.now;
  const shop = client.shop;

  const staged = await client.request<StagedUploadsCreateMutation, StagedUploadsCreateMutationVariables>(STAGED_UPLOADS_CREATE_MUTATION, {
    input: [
      {
        resource: "IMAGE" as StagedUploadTargetGenerateUploadResource,
        httpMethod: "POST" as StagedUploadHttpMethodType,
        filename,
        mimeType,
        fileSize: String(bytes.length),
      },
    ],
  });
  const stagingErrors = staged.stagedUploadsCreate?.userErrors ?? [];
  const target = staged.stagedUploadsCreate?.stagedTargets?.[0];
  if (stagingErrors.length || !target?.url || !target.resourceUrl) {
    throw new FileUploadError(
      `Shopify did not give ${shop} a place to upload ${filename}: ${describeErrors(stagingErrors) || "no upload target came back"}.`,
      "stage",
    );
  }

  // The storage checks a signed policy: every parameter as given, and the file last.
  const form = new FormData();
  for (const { name, value } of target.parameters) form.append(name, value);
  form.append("file", new Blob([new Uint8Array(bytes)], { type: mimeType }), filename);
  let stored: Response;
  try {
    stored = await fetchFn(target.url, { method: "POST", body: form, signal: AbortSignal.timeout(upload.timeoutMs ?? DEFAULT_TIMEOUT_MS) });
  } catch (err) {
    throw new FileUploadError(`The upload of ${filename} for ${shop} did not reach Shopify's storage: ${err instanceof Error ? err.message : String(err)}.`, "upload");
  }
  if (!stored.ok) {
    const body = await stored.text().catch(() => "");
    const reason = /<Message>([^<]*)<\/Message>/.exec(body)?.[1] ?? (body.slice(0, 200) || "no reason given");
    throw new FileUploadError(`Shopify's storage refused the upload of ${filename} for ${shop} (HTTP ${stored.status}): ${reason}.`, "upload");
  }

  const created = await client.request<FileCreateMutation, FileCreateMutationVariables>(FILE_CREATE_MUTATION, {
    files: [{ originalSource: target.resourceUrl, contentType: "IMAGE" as FileContentType, alt: upload.alt.slice(0, 512) }],
  });
  const createErrors = created.fileCreate?.userErrors ?? [];
  const fileId = created.fileCreate?.files?.[0]?.id;
  if (createErrors.length || !fileId) {
    throw new FileUploadError(`Shopify did not add ${filename} to the Files of ${shop}: ${describeErrors(createErrors) || "no file came back"}.`, "create");
  }

  // Shopify makes the file at once and processes it after; its CDN address exists only when READY.
  const deadline = now() + (upload.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  for (;;) {
    const { node } = await client.request<FileStatusQuery, FileStatusQueryVariables>(FILE_STATUS_QUERY, { id: fileId });
    if (node && "fileStatus" in node) {
      const url = "image" in node ? node.image?.url : "url" in node ? node.url : null;
      if (node.fileStatus === "READY" && url) return { fileId, url: String(url) };
      if (node.fileStatus === "FAILED") {
        const why = node.fileErrors.map((e) => e.message).join("; ") || "no reason given";
        throw new FileUploadError(`Shopify could not process ${filename} for ${shop}: ${why}.`, "processing");
      }
    } else if (!node) {
      throw new FileUploadError(`The file Shopify made from ${filename} (${fileId}) is gone from the Files of ${shop}.`, "processing");
    }
    if (now() >= deadline) {
      throw new FileUploadError(
        `Shopify had not finished processing ${filename} after ${Math.round((upload.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000)} s. ` +
          "Try again in a minute, or copy the logo's link from Content > Files in your Shopify admin and paste it here.",
        "processing",
      );
    }
    await sleep(upload.pollIntervalMs ?? DEFAULT_POLL_MS);
  }
}

/**
 * Deletes files from the shop's Files. One already gone (the merchant deleted it in the admin)
 * counts as deleted; any other refusal is a FileDeleteError naming Shopify's reason.
 */
export async function deleteFilesFromShop(client: AdminClient, fileIds: string[]): Promise<void> {
  if (fileIds.length === 0) return;
  const result = await client.request<FileDeleteMutation, FileDeleteMutationVariables>(FILE_DELETE_MUTATION, { fileIds });
  const refused = (result.fileDelete?.userErrors ?? []).filter((e) => e.code !== "FILE_DOES_NOT_EXIST");
  if (refused.length || !result.fileDelete) {
    throw new FileDeleteError(`Shopify did not delete ${fileIds.join(", ")} from the Files of ${client.shop}: ${describeErrors(refused) || "no answer came back"}.`);
  }
}
