// What a form post from an embedded admin page tells: the shop, the staff member who sent it
// and what they asked for (the form's `intent`).
import { authenticate } from "../shopify.server";

// The audit log names the staff member by email; an offline session knows no one, only "staff".
export function staffActor(session: { onlineAccessInfo?: { associated_user?: { email?: string } } }): string {
  return session.onlineAccessInfo?.associated_user?.email || "staff";
}

// The signed-in staff member's own address; only online sessions carry it.
export function staffEmail(session: { onlineAccessInfo?: { associated_user?: { email?: string } } }): string | null {
  return session.onlineAccessInfo?.associated_user?.email || null;
}

export async function readAdminForm(request: Request) {
  const { session } = await authenticate.admin(request);
  const form = await request.formData();
  return { shop: session.shop, actor: staffActor(session), staffEmail: staffEmail(session), form, intent: String(form.get("intent") ?? "") };
}
