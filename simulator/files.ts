// The store's Files and the storage behind Shopify's staged uploads, as the Admin API simulator
// answers them: stagedUploadsCreate hands out a target on the simulator's own server with a
// signed POST policy (as Google Cloud Storage checks one), the target takes the multipart POST
// only with every parameter as issued and the file last, fileCreate makes a file from a staged
// copy, and the file is processed (PROCESSING, then READY or FAILED) as it is read. READY files
// are served at their CDN path on the simulator, the way cdn.shopify.com serves them.
import type http from "node:http";
import { createHash, createHmac, randomUUID } from "node:crypto";
import type { SeedStore } from "./store";

export interface StagedUpload {
  key: string; // tmp/<shop>/files/<uuid>/<filename>
  url: string;
  resourceUrl: string;
  parameters: Array<{ name: string; value: string }>;
  resource: string;
  filename: string;
  mimeType: string;
  maxBytes: number;
  bytes: Buffer | null;
}

export interface SeedFile {
  id: string; // gid://shopify/MediaImage/… or gid://shopify/GenericFile/…
  filename: string;
  mimeType: string;
  alt: string;
  createdAt: string;
  updatedAt: string;
  bytes: Buffer | null;
  // Reads so far: the first sees PROCESSING, later ones the outcome.
  reads: number;
  // Decided when the file is made: what processing will end in.
  failure: { code: string; message: string } | null;
  cdnPath: string; // /s/files/1/…/files/<filename>
  version: number;
}

interface FilesState {
  staged: StagedUpload[];
  files: SeedFile[];
  // While true, every file stays PROCESSING: Shopify's processing taking longer than anyone waits.
  holdProcessing: boolean;
}

// Shopify's limit for an image in Files.
export const IMAGE_MAX_BYTES = 20 * 1024 * 1024;
export const CDN_ORIGIN = "https://cdn.shopify.com";
export const STAGED_UPLOAD_PATH = "/staged-uploads/";

const SIGNING_KEY = randomUUID();
const state = new WeakMap<SeedStore, FilesState>();

// Kept beside each store rather than in its seed, so every test store starts with no files.
export function filesOf(store: SeedStore): FilesState {
  let s = state.get(store);
  if (!s) {
    s = { staged: [], files: [], holdProcessing: false };
    state.set(store, s);
  }
  return s;
}

const shopNumber = (store: SeedStore) => String(/\/(\d+)$/.exec(store.shop.id)?.[1] ?? "1").padStart(12, "0");

export function stageUpload({
  store,
  origin,
  resource,
  filename,
  mimeType,
  fileSize,
  now,
}: {
  store: SeedStore;
  origin: string;
  resource: string;
  filename: string;
  mimeType: string;
  fileSize: number | null;
  now: Date;
}): StagedUpload {
  const key = `tmp/${Number(shopNumber(store))}/files/${randomUUID()}/${filename}`;
  const maxBytes = Math.min(fileSize ?? IMAGE_MAX_BYTES, IMAGE_MAX_BYTES);
  const date = now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  const credential = `shopify-staged-uploads@simulator.iam.gserviceaccount.com/${date.slice(0, 8)}/auto/storage/goog4_request`;
  const policy = Buffer.from(
    JSON.stringify({
      conditions: [
        { "Content-Type": mimeType },
        { success_action_status: "201" },
        { acl: "private" },
        ["content-length-range", 1, maxBytes],
        { bucket: "shopify-staged-uploads" },
        { key },
        { "x-goog-date": date },
        { "x-goog-credential": credential },
        { "x-goog-algorithm": "GOOG4-RSA-SHA256" },
      ],
      expiration: new Date(now.getTime() + 7 * 24 * 3600_000).toISOString(),
    }),
  ).toString("base64");
  const upload: StagedUpload = {
    key,
    url: `${origin}${STAGED_UPLOAD_PATH}`,
    resourceUrl: `${origin}${STAGED_UPLOAD_PATH}${key}`,
    parameters: [
      { name: "Content-Type", value: mimeType },
      { name: "success_action_status", value: "201" },
      { name: "acl", value: "private" },
      { name: "key", value: key },
      { name: "x-goog-date", value: date },
      { name: "x-goog-credential", value: credential },
      { name: "x-goog-algorithm", value: "GOOG4-RSA-SHA256" },
      { name: "x-goog-signature", value: createHmac("sha256", SIGNING_KEY).update(policy).digest("hex") },
      { name: "policy", value: policy },
    ],
    resource,
    filename,
    mimeType,
    maxBytes,
    bytes: null,
  };
  filesOf(store).staged.push(upload);
  return upload;
}

function readRaw(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

// Google Cloud Storage answers in XML.
function storageError(res: http.ServerResponse, status: number, code: string, message: string): void {
  const body = `<?xml version='1.0' encoding='UTF-8'?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  res.writeHead(status, { "Content-Type": "application/xml; charset=UTF-8", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

/** The staged-upload target: a POST policy upload, checked as the storage checks it. */
export async function receiveStagedUpload(stores: SeedStore[], req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const raw = await readRaw(req);
  if (req.method !== "POST") return storageError(res, 405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
  const contentType = String(req.headers["content-type"] ?? "");
  if (!/^multipart\/form-data;\s*boundary=/i.test(contentType)) {
    return storageError(res, 400, "InvalidArgument", "POST requires a multipart/form-data body.");
  }
  let entries: Array<[string, FormDataEntryValue]>;
  try {
    entries = [...(await new Response(new Uint8Array(raw), { headers: { "Content-Type": contentType } }).formData()).entries()];
  } catch {
    return storageError(res, 400, "InvalidArgument", "The multipart body could not be read.");
  }
  const fields = new Map(entries.filter(([, v]) => typeof v === "string") as Array<[string, string]>);
  const key = fields.get("key");
  const upload = key ? stores.flatMap((s) => filesOf(s).staged).find((u) => u.key === key) : undefined;
  if (!upload) return storageError(res, 403, "AccessDenied", "Invalid according to Policy: Policy Condition failed: [\"eq\", \"$key\"]");
  for (const { name, value } of upload.parameters) {
    if (fields.get(name) !== value) {
      return storageError(res, 403, "AccessDenied", `Invalid according to Policy: Policy Condition failed: ["eq", "$${name}", "${name === "policy" ? "…" : value}"]`);
    }
  }
  // The storage reads the fields up to the file and ignores anything after it.
  const last = entries.at(-1);
  const fileEntry = entries.find(([name]) => name === "file");
  if (!fileEntry || typeof fileEntry[1] === "string") return storageError(res, 400, "InvalidArgument", "The POST has no file field.");
  if (last !== fileEntry) return storageError(res, 400, "InvalidArgument", "The file must be the last field of the form.");
  const bytes = Buffer.from(await (fileEntry[1] as Blob).arrayBuffer());
  if (bytes.length < 1 || bytes.length > upload.maxBytes) {
    return storageError(res, 400, "EntityTooLarge", `Your proposed upload is ${bytes.length} bytes; the policy allows 1 to ${upload.maxBytes}.`);
  }
  upload.bytes = bytes;
  const body =
    `<?xml version="1.0" encoding="UTF-8"?><PostResponse><Location>${upload.resourceUrl}</Location>` +
    `<Bucket>shopify-staged-uploads</Bucket><Key>${upload.key}</Key><ETag>"${createHash("md5").update(bytes).digest("hex")}"</ETag></PostResponse>`;
  res.writeHead(201, { "Content-Type": "application/xml; charset=UTF-8", "Content-Length": Buffer.byteLength(body), Location: upload.resourceUrl });
  res.end(body);
}

// What Shopify makes of an image: the formats its image processing reads.
function imageFormat(bytes: Buffer): string | null {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return "image/png";
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "image/jpeg";
  if (/^GIF8[79]a/.test(bytes.subarray(0, 6).toString("latin1"))) return "image/gif";
  if (bytes.subarray(0, 4).toString("latin1") === "RIFF" && bytes.subarray(8, 12).toString("latin1") === "WEBP") return "image/webp";
  if (/<svg[\s>]/i.test(bytes.subarray(0, 1024).toString("utf8"))) return "image/svg+xml";
  return null;
}

/** A file made from a staged upload; null when `source` is none of this store's staged uploads. */
export function createFileFromStaged({
  store,
  source,
  image,
  alt,
  id,
  now,
}: {
  store: SeedStore;
  source: string;
  image: boolean;
  alt: string;
  id: string;
  now: Date;
}): SeedFile | null {
  const upload = filesOf(store).staged.find((u) => u.resourceUrl === source);
  if (!upload) return null;
  const bytes = upload.bytes;
  const format = bytes ? imageFormat(bytes) : null;
  const failure = !bytes
    ? { code: image ? "IMAGE_DOWNLOAD_FAILURE" : "GENERIC_FILE_DOWNLOAD_FAILURE", message: "File could not be processed because the source could not be downloaded." }
    : image && !format
      ? { code: "UNSUPPORTED_IMAGE_FILE_TYPE", message: "File could not be created because the image is an unsupported file type." }
      : null;
  const at = now.toISOString().replace(/\.\d{3}Z$/, "Z");
  const n = shopNumber(store);
  // fileCreate's default duplicateResolutionMode, APPEND_UUID: a second logo.png gets a name of its own.
  const taken = filesOf(store).files.some((f) => f.filename === upload.filename);
  const filename = taken ? upload.filename.replace(/(\.[^.]*)?$/, (ext) => `_${randomUUID()}${ext}`) : upload.filename;
  const file: SeedFile = {
    id,
    filename,
    mimeType: format ?? upload.mimeType,
    alt,
    createdAt: at,
    updatedAt: at,
    bytes,
    reads: 0,
    failure,
    cdnPath: `/s/files/1/${n.slice(0, 4)}/${n.slice(4, 8)}/${n.slice(8)}/files/${filename}`,
    version: Math.floor(now.getTime() / 1000),
  };
  filesOf(store).files.push(file);
  return file;
}

export type FileStatus = "UPLOADED" | "PROCESSING" | "READY" | "FAILED";

/** The file's status at this read: processing is seen once before the outcome. */
export function readFileStatus(store: SeedStore, file: SeedFile): FileStatus {
  if (filesOf(store).holdProcessing) return "PROCESSING";
  file.reads += 1;
  if (file.reads === 1) return "PROCESSING";
  return file.failure ? "FAILED" : "READY";
}

export const cdnUrlOf = (file: SeedFile) => `${CDN_ORIGIN}${file.cdnPath}?v=${file.version}`;

/** A READY file's bytes by its CDN address (or its path on the simulator), as the CDN serves it. */
export function cdnFile(stores: SeedStore[], url: string): { bytes: Buffer; mimeType: string } | null {
  let path: string;
  try {
    path = new URL(url, CDN_ORIGIN).pathname;
  } catch {
    return null;
  }
  for (const store of stores) {
    const file = filesOf(store).files.find((f) => f.cdnPath === path && f.bytes && !f.failure && f.reads >= 2);
    if (file?.bytes) return { bytes: file.bytes, mimeType: file.mimeType };
  }
  return null;
}
