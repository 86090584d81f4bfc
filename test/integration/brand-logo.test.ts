// The logo upload of the Settings page against the store simulator, which answers
// stagedUploadsCreate and fileCreate on the real Admin schema, takes the bytes at its own staged
// target only as Google Cloud Storage would (every signed parameter, the file last), and
// processes the file before it serves it from its CDN path.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

const { ctx, simulator } = await vi.hoisted(async () => {
  const { startAdminSimulator } = await import("../../simulator/admin-api");
  const simulator = await startAdminSimulator();
  const ctx = (await import("../helpers/env")).appTestEnv({
    name: "brand-logo",
    apiKey: "brand-logo-key",
    secret: "brand-logo-secret",
    env: { LOG_LEVEL: "error", SHOPIFY_ADMIN_API_URL: simulator.url },
  });
  return { ctx, simulator };
});

import prisma from "~/db.server";
import { action as logoAction } from "~/routes/app.settings.logo";
import { action as previewAction } from "~/routes/app.settings.preview";
import { action as settingsAction, type SettingsActionData } from "~/routes/app.settings";
import { uploadLogo, type LogoUpload } from "~/services/shop/brand.server";
import { connectShop, storeOfflineToken } from "~/services/shop/shops.server";
import { AdminApiThrottle, createAdminClient, type AdminClient } from "~/adapters/shopify-admin/index.server";
import { deleteFilesFromShop, FileUploadError, uploadImageToFiles } from "~/adapters/shopify-admin/files.server";
import { STAGED_UPLOADS_CREATE_MUTATION } from "~/adapters/shopify-admin/queries";
import type { StagedUploadsCreateMutation } from "~/types/admin.generated";
import { listAudit } from "~/services/compliance/audit.server";
import { filesOf } from "../../simulator/files";
import { SIMULATOR_ACCESS_TOKEN, SIMULATOR_SHOP, type SeedStore } from "../../simulator/store";
import { sessionToken } from "../helpers/embedded";
import { solidPng } from "../helpers/png";

const SHOP = SIMULATOR_SHOP;
const LOGO = solidPng({ width: 120, height: 40, rgb: [138, 43, 226] });
let store: SeedStore;

beforeAll(async () => {
  store = simulator.stores[0]!;
  await storeOfflineToken({ prisma, shop: SHOP, accessToken: SIMULATOR_ACCESS_TOKEN, scope: store.accessScopes.join(",") });
  await connectShop({ prisma, shop: SHOP, profile: { name: "Juniper & Pine", email: "owner@juniper.example" } });
});
afterAll(async () => {
  await simulator.close();
  await ctx.cleanup();
});
beforeEach(() => simulator.holdFileProcessing(false));

function client(): AdminClient {
  return createAdminClient({ shop: SHOP, accessToken: SIMULATOR_ACCESS_TOKEN, urlTemplate: simulator.url, throttle: new AdminApiThrottle(), maxRetries: 0 });
}

const operationsSince = (from: number) => simulator.requests.slice(from).map((r) => r.operationName);

describe("logo upload to the shop's Files", () => {
  it("stages the upload, posts the bytes, makes the file and waits until Shopify serves it from its CDN", async () => {
    const from = simulator.requests.length;
    const result = await uploadLogo({ prisma, shop: SHOP, actor: "ada@juniper.example", file: { name: "Juniper Logo.PNG", bytes: LOGO } });
    expect(result).toEqual({ ok: true, logoUrl: expect.stringMatching(/^https:\/\/cdn\.shopify\.com\/s\/files\/1\/.+\/files\/juniper-logo\.png\?v=\d+$/) });
    const { logoUrl } = result as { logoUrl: string };
    expect(simulator.cdnFile(logoUrl)?.bytes.equals(LOGO)).toBe(true);
    // Served at the same path by the simulator, as the CDN serves it.
    const served = await fetch(`${simulator.origin}${new URL(logoUrl).pathname}`);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await served.arrayBuffer()).equals(LOGO)).toBe(true);
    // Made once, then read until READY (the first read finds it processing).
    expect(operationsSince(from)).toEqual(["StagedUploadsCreate", "FileCreate", "FileStatus", "FileStatus"]);
    const create = simulator.requests.find((r) => r.operationName === "FileCreate")!;
    expect(create.variables).toEqual({ files: [{ originalSource: expect.stringContaining("/staged-uploads/tmp/"), contentType: "IMAGE", alt: "Juniper & Pine logo" }] });
    const file = filesOf(store).files.at(-1)!;
    expect(file).toMatchObject({ filename: "juniper-logo.png", mimeType: "image/png", alt: "Juniper & Pine logo" });
    expect((await listAudit(prisma, SHOP)).find((e) => e.action === "brand.logo_uploaded")).toMatchObject({ actor: "ada@juniper.example", detail: { fileId: file.id } });
  });

  it("the Settings page's upload route takes the file as a multipart form and answers the logo's address", async () => {
    const form = new FormData();
    form.append("logo", new Blob([new Uint8Array(LOGO)], { type: "image/png" }), "logo.png");
    const res = await logoAction({
      request: new Request("https://afterglow.test/app/settings/logo", {
        method: "POST",
        body: form,
        headers: { Authorization: `Bearer ${sessionToken({ shop: SHOP, apiKey: ctx.apiKey, secret: ctx.secret })}` },
      }),
      params: {},
      context: {},
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as LogoUpload;
    expect(body).toEqual({ ok: true, logoUrl: expect.stringMatching(/^https:\/\/cdn\.shopify\.com\/.+\/files\/logo\.png\?v=\d+$/) });
  });

  it("refuses SVG and an oversized image before anything reaches Shopify", async () => {
    const from = simulator.requests.length;
    const svg = await uploadLogo({ prisma, shop: SHOP, actor: "staff", file: { name: "logo.svg", bytes: new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>') } });
    expect(svg).toEqual({ ok: false, problem: "SVG logos cannot be used: Gmail and Outlook do not show SVG images in emails. Save the logo as a PNG or JPEG." });
    const huge = Buffer.concat([LOGO, Buffer.alloc(600 * 1024)]);
    const big = await uploadLogo({ prisma, shop: SHOP, actor: "staff", file: { name: "logo.png", bytes: huge } });
    expect(big).toEqual({ ok: false, problem: expect.stringMatching(/^The logo is \d+ KB; the most is 512 KB\./) });
    expect(simulator.requests.length).toBe(from);
  });

  it("names Shopify's userErrors when it refuses to stage the upload or to make the file", async () => {
    const staged = await uploadImageToFiles({ client: client(), filename: "notes.txt", mimeType: "text/plain", bytes: LOGO, alt: "x" }).catch((e: unknown) => e);
    expect(staged).toBeInstanceOf(FileUploadError);
    expect(staged).toMatchObject({ step: "stage", message: expect.stringContaining("input.0.mimeType: Mime type text/plain is not an image type") });

    // A file made from a staged target that was never uploaded to: Shopify cannot download it.
    const data = await client().request<StagedUploadsCreateMutation, object>(STAGED_UPLOADS_CREATE_MUTATION, {
      input: [{ resource: "IMAGE", filename: "empty.png", mimeType: "image/png", httpMethod: "POST" }],
    });
    const target = data.stagedUploadsCreate!.stagedTargets![0]!;
    const { FILE_CREATE_MUTATION } = await import("~/adapters/shopify-admin/queries");
    const refused = await client().request<{ fileCreate: { userErrors: Array<{ code: string; field: string[] }> } }, object>(FILE_CREATE_MUTATION, {
      files: [{ originalSource: target.resourceUrl, contentType: "IMAGE", alt: "x".repeat(513) }],
    });
    expect(refused.fileCreate.userErrors).toEqual([expect.objectContaining({ code: "ALT_VALUE_LIMIT_EXCEEDED", field: ["files", "0", "alt"] })]);
  });

  it("the staged target takes the POST only with every signed parameter as issued and the file last", async () => {
    const data = await client().request<StagedUploadsCreateMutation, object>(STAGED_UPLOADS_CREATE_MUTATION, {
      input: [{ resource: "IMAGE", filename: "logo.png", mimeType: "image/png", httpMethod: "POST", fileSize: String(LOGO.length) }],
    });
    const target = data.stagedUploadsCreate!.stagedTargets![0]!;
    const post = (parameters: Array<{ name: string; value: string }>, fileFirst = false, bytes: Buffer = LOGO) => {
      const form = new FormData();
      const file = new Blob([new Uint8Array(bytes)], { type: "image/png" });
      if (fileFirst) form.append("file", file, "logo.png");
      for (const p of parameters) form.append(p.name, p.value);
      if (!fileFirst) form.append("file", file, "logo.png");
      return fetch(target.url!, { method: "POST", body: form });
    };
    const tampered = target.parameters.map((p) => (p.name === "Content-Type" ? { ...p, value: "image/svg+xml" } : p));
    const wrong = await post(tampered);
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).toContain("<Code>AccessDenied</Code>");
    expect((await post(target.parameters.filter((p) => p.name !== "x-goog-signature"))).status).toBe(403);
    expect((await post(target.parameters, true)).status).toBe(400);
    // The policy limits the size to the fileSize asked for.
    expect((await post(target.parameters, false, Buffer.concat([LOGO, Buffer.alloc(10)]))).status).toBe(400);
    const ok = await post(target.parameters);
    expect(ok.status).toBe(201);
    expect(await ok.text()).toContain(`<Location>${target.resourceUrl}</Location>`);
  });

  it("a file that never becomes READY ends in a clear error instead of a wait without end", async () => {
    simulator.holdFileProcessing(true);
    const started = Date.now();
    const result = await uploadLogo({ prisma, shop: SHOP, actor: "staff", file: { name: "logo.png", bytes: LOGO }, timeoutMs: 1_500 });
    expect(result).toEqual({ ok: false, problem: expect.stringContaining("Shopify had not finished processing logo.png after 2 s") });
    expect((result as { problem: string }).problem).toContain("Content > Files");
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("a file Shopify cannot process (not really an image) fails with Shopify's reason", async () => {
    const notAnImage = Buffer.from("this is not a picture at all");
    const error = await uploadImageToFiles({ client: client(), filename: "logo.png", mimeType: "image/png", bytes: notAnImage, alt: "x", pollIntervalMs: 50 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ step: "processing", message: expect.stringContaining("the image is an unsupported file type") });
  });

  it("a shop that has not granted write_files is told to approve the app's new access", async () => {
    const scopes = [...store.accessScopes];
    store.accessScopes = scopes.filter((s) => s !== "write_files");
    try {
      const result = await uploadLogo({ prisma, shop: SHOP, actor: "staff", file: { name: "logo.png", bytes: LOGO } });
      expect(result).toEqual({ ok: false, problem: expect.stringContaining("approve its updated access (Files)") });
    } finally {
      store.accessScopes = scopes;
    }
  });
});

describe("brand preview", () => {
  const preview = (brand: unknown) =>
    previewAction({
      request: new Request("https://afterglow.test/app/settings/preview", {
        method: "POST",
        body: new URLSearchParams({ brand: JSON.stringify(brand) }),
        headers: { Authorization: `Bearer ${sessionToken({ shop: SHOP, apiKey: ctx.apiKey, secret: ctx.secret })}` },
      }),
      params: {},
      context: {},
    });

  it("renders the default flow's first email with the unsaved brand", async () => {
    const res = await preview({ logoUrl: "https://cdn.shopify.com/s/files/1/x/files/logo.png?v=1", accentColor: "#8a2be2", font: "Georgia" });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(decodeURIComponent(res.headers.get("X-Afterglow-Subject") ?? "")).toMatch(/^Thank you for your order/);
    expect(html).toContain('src="https://cdn.shopify.com/s/files/1/x/files/logo.png?v=1"');
    expect(html).toContain("background-color:#8a2be2");
    expect(html).toContain("font-family:Georgia");
    expect(html).toContain('<base target="_blank">');
    // Nothing was saved.
    expect((await prisma.shop.findUniqueOrThrow({ where: { domain: SHOP } })).brand).toBeNull();
  });

  it("answers the brand's problems by path", async () => {
    const res = await preview({ accentColor: "green", font: "Comic Sans" });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { problems: Array<{ path: string }> }).problems.map((p) => p.path)).toEqual(["/accentColor", "/font"]);
  });
});

describe("saving the brand with the Settings form", () => {
  const save = (fields: Record<string, string>) =>
    settingsAction({
      request: new Request("https://afterglow.test/app/settings", {
        method: "POST",
        body: new URLSearchParams({ senderName: "Juniper & Pine", frequencyCapEnabled: "on", frequencyCapMaxSends: "1", frequencyCapPeriodHours: "16", marketingConsentRequired: "on", ...fields }),
        headers: { Authorization: `Bearer ${sessionToken({ shop: SHOP, apiKey: ctx.apiKey, secret: ctx.secret })}` },
      }),
      params: {},
      context: {},
    });
  const storedBrand = async () => (await prisma.shop.findUniqueOrThrow({ where: { domain: SHOP } })).brand;
  const LOGO_URL = "https://cdn.shopify.com/s/files/1/0001/files/logo.png?v=1";

  it("stores the logo, colour and font, leaving empty parts out", async () => {
    const res = await save({ brandLogoUrl: LOGO_URL, brandAccentColor: "#8A2BE2", brandFont: "Georgia" });
    expect(res.status).toBe(200);
    expect(((await res.json()) as SettingsActionData).changed).toContain("brand");
    expect(JSON.parse((await storedBrand())!)).toEqual({ logoUrl: LOGO_URL, accentColor: "#8a2be2", font: "Georgia" });
    await save({ brandLogoUrl: LOGO_URL, brandAccentColor: "", brandFont: "" });
    expect(JSON.parse((await storedBrand())!)).toEqual({ logoUrl: LOGO_URL });
  });

  it("refuses a bad brand with each problem under its part, changing nothing", async () => {
    const before = await storedBrand();
    const res = await save({ brandLogoUrl: "http://example.com/logo.png", brandAccentColor: "purple", brandFont: "Comic Sans" });
    expect(res.status).toBe(400);
    const { errors } = (await res.json()) as SettingsActionData;
    expect(errors).toEqual({
      "brand.logoUrl": "The logo must be an https:// image address.",
      "brand.accentColor": '"purple" is not a colour like #2f5d50 (a # and six hex digits).',
      "brand.font": expect.stringContaining('Unknown font "Comic Sans"'),
    });
    expect(await storedBrand()).toBe(before);
  });

  it("a form without the brand's fields keeps the brand", async () => {
    const before = await storedBrand();
    expect((await save({})).status).toBe(200);
    expect(await storedBrand()).toBe(before);
  });
});

describe("a replaced logo leaves the shop's Files", () => {
  const save = (logoUrl: string) =>
    settingsAction({
      request: new Request("https://afterglow.test/app/settings", {
        method: "POST",
        body: new URLSearchParams({ senderName: "Juniper & Pine", frequencyCapEnabled: "on", frequencyCapMaxSends: "1", frequencyCapPeriodHours: "16", marketingConsentRequired: "on", brandLogoUrl: logoUrl, brandAccentColor: "", brandFont: "" }),
        headers: { Authorization: `Bearer ${sessionToken({ shop: SHOP, apiKey: ctx.apiKey, secret: ctx.secret })}` },
      }),
      params: {},
      context: {},
    });
  const upload = async (name: string) => {
    const result = await uploadLogo({ prisma, shop: SHOP, actor: "ada@juniper.example", file: { name, bytes: LOGO } });
    if (!result.ok) throw new Error(result.problem);
    return result.logoUrl;
  };
  const fileAt = (url: string) => filesOf(store).files.find((f) => new URL(url).pathname === f.cdnPath);
  const saved = async (logoUrl: string) => {
    const from = simulator.requests.length;
    expect((await save(logoUrl)).status).toBe(200);
    return operationsSince(from);
  };

  it("deletes the file we uploaded when a save replaces it, and only that file", async () => {
    const first = await upload("logo.png");
    await saved(first);
    const firstFile = fileAt(first)!;
    // The same file name again: Shopify gives the second file a name of its own.
    const second = await upload("logo.png");
    expect(second).not.toBe(first);
    expect(await saved(second)).toEqual(["FileDelete"]);
    expect(filesOf(store).files.some((f) => f.id === firstFile.id)).toBe(false);
    expect(simulator.cdnFile(first)).toBeNull();
    expect(simulator.cdnFile(second)).not.toBeNull();
    expect((await listAudit(prisma, SHOP, { action: "brand.logo_deleted" }))[0]).toMatchObject({ detail: { fileId: firstFile.id } });
    // Saving the same logo again deletes nothing.
    expect(await saved(second)).toEqual([]);
  });

  it("never deletes an address the merchant typed, nor a file an email still shows", async () => {
    const ours = await upload("ours.png");
    await saved(ours);
    // Typed over ours: ours goes; then an upload replacing the typed address deletes nothing.
    const typed = "https://cdn.shopify.com/s/files/1/0001/files/merchant-own.png?v=3";
    expect(await saved(typed)).toEqual(["FileDelete"]);
    const next = await upload("next.png");
    expect(await saved(next)).toEqual([]);
    // The merchant put our logo's address into an email's image block: it stays in Files.
    const flow = await prisma.flow.findFirstOrThrow({ where: { shop: SHOP }, include: { steps: true } });
    await prisma.flowStep.update({ where: { id: flow.steps[0].id }, data: { content: JSON.stringify({ blocks: [{ type: "image", url: next, alt: "Our logo" }] }) } });
    const last = await upload("last.png");
    expect(await saved(last)).toEqual([]);
    expect(fileAt(next)).toBeDefined();
    await prisma.flowStep.update({ where: { id: flow.steps[0].id }, data: { content: null } });
  });

  it("a file the merchant already deleted, or Shopify out of reach, leaves the save standing", async () => {
    const first = await upload("gone.png");
    await saved(first);
    // Deleted by the merchant in Shopify's admin: Shopify answers FILE_DOES_NOT_EXIST, which is what we wanted.
    await deleteFilesFromShop(client(), [fileAt(first)!.id]);
    const second = await upload("kept.png");
    expect(await saved(second)).toEqual(["FileDelete"]);
    expect((await listAudit(prisma, SHOP, { action: "brand.logo_deleted" }))[0].detail).toEqual({ fileId: expect.any(String) });
    // Shopify down for the delete: saved all the same, the old file stays.
    const third = await upload("third.png");
    await simulator.setDown(true);
    try {
      expect((await save(third)).status).toBe(200);
    } finally {
      await simulator.setDown(false);
    }
    expect(JSON.parse((await prisma.shop.findUniqueOrThrow({ where: { domain: SHOP } })).brand!)).toEqual({ logoUrl: third });
    expect(fileAt(second)).toBeDefined();
  });

  it("the simulator refuses fileDelete as Shopify does: without write_files, and for ids that are not files", async () => {
    await expect(deleteFilesFromShop(client(), ["gid://shopify/MediaImage/1"])).resolves.toBeUndefined();
    const { FILE_DELETE_MUTATION } = await import("~/adapters/shopify-admin/queries");
    const missing = await client().request<{ fileDelete: { deletedFileIds: string[] | null; userErrors: Array<{ code: string; field: string[] }> } }, object>(FILE_DELETE_MUTATION, {
      fileIds: ["gid://shopify/MediaImage/1"],
    });
    expect(missing.fileDelete).toEqual({ deletedFileIds: null, userErrors: [{ field: ["fileIds"], message: expect.any(String), code: "FILE_DOES_NOT_EXIST" }] });
    const scopes = [...store.accessScopes];
    store.accessScopes = scopes.filter((s) => s !== "write_files");
    try {
      await expect(deleteFilesFromShop(client(), [filesOf(store).files[0].id])).rejects.toMatchObject({ code: "ACCESS_DENIED" });
    } finally {
      store.accessScopes = scopes;
    }
  });
});
