// The logo upload of the Settings page: the file goes to the shop's Files through the Admin API
// and its CDN address comes back for the form, which stores it when the merchant saves.
import type { ActionFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import prisma from "../db.server";
import { readAdminForm } from "../admin/form-post.server";
import { uploadLogo, type LogoUpload } from "../services/shop/brand.server";

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, actor, form } = await readAdminForm(request);
  const file = form.get("logo");
  if (!file || typeof file === "string") return json<LogoUpload>({ ok: false, problem: "Choose an image file to upload." }, { status: 400 });
  const result = await uploadLogo({ prisma, shop, actor, file: { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) } });
  return json<LogoUpload>(result, { status: result.ok ? 200 : 422 });
};
