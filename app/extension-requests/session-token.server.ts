// The session token a UI extension sends as `Authorization: Bearer …`: a JWT Shopify signs with
// the app's secret (HS256). Checkout and customer-account targets get it from
// shopify.sessionToken.get(); admin targets' fetch() to the app adds Shopify's ID token itself.
// Only the claims are trusted, never the rest of the request.
import { createHmac, timingSafeEqual } from "node:crypto";

// Where the token was made: checkout and the order status page put the shop's bare domain in
// `dest`; the admin puts its URL there and `${dest}/admin` in `iss`.
export type ExtensionSurface = "checkout" | "admin";

export interface ExtensionSession {
  shop: string;
  // checkout: the logged-in customer's GID, absent for a guest; admin: the staff member's user id.
  sub: string | null;
}

export class InvalidSessionTokenError extends Error {
  override readonly name = "InvalidSessionTokenError";
}

// Shopify's own library allows this much clock difference on exp and nbf.
export const CLOCK_TOLERANCE_SECONDS = 10;

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

function decodePart(part: string, what: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    if (value && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new InvalidSessionTokenError(`The session token's ${what} is not a JSON object.`);
}

export function verifyExtensionSessionToken({
  token,
  apiKey,
  secret,
  surface,
  now = new Date(),
}: {
  token: string;
  apiKey: string;
  secret: string;
  surface: ExtensionSurface;
  now?: Date;
}): ExtensionSession {
  if (!apiKey || !secret) throw new InvalidSessionTokenError("The app has no SHOPIFY_API_KEY or SHOPIFY_API_SECRET to check session tokens with.");
  const parts = token.split(".");
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) throw new InvalidSessionTokenError("The session token is not a JWT.");
  const [head, body, signature] = parts;
  const header = decodePart(head, "header");
  // Only what Shopify signs with: never "none", never a key the token names itself.
  if (header.alg !== "HS256") throw new InvalidSessionTokenError(`The session token is signed with ${String(header.alg)}, not HS256.`);
  const expected = createHmac("sha256", secret).update(`${head}.${body}`).digest();
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new InvalidSessionTokenError("The session token's signature does not match the app's secret.");

  const claims = decodePart(body, "payload");
  if (claims.aud !== apiKey) throw new InvalidSessionTokenError("The session token was issued for another app (aud).");
  const seconds = now.getTime() / 1000;
  if (typeof claims.exp !== "number" || seconds > claims.exp + CLOCK_TOLERANCE_SECONDS) throw new InvalidSessionTokenError("The session token has expired.");
  if (typeof claims.nbf !== "number" || seconds < claims.nbf - CLOCK_TOLERANCE_SECONDS) throw new InvalidSessionTokenError("The session token is not valid yet (nbf).");

  const dest = typeof claims.dest === "string" ? claims.dest : "";
  let shop: string;
  if (surface === "admin") {
    const url = /^https:\/\/([^/]+)$/.exec(dest);
    shop = url?.[1] ?? "";
    if (claims.iss !== `${dest}/admin`) throw new InvalidSessionTokenError("The admin session token's issuer is not its shop's admin.");
  } else {
    shop = dest;
  }
  if (!SHOP_DOMAIN.test(shop)) throw new InvalidSessionTokenError(`The session token names no shop (dest "${dest}").`);
  const sub = typeof claims.sub === "string" && claims.sub ? claims.sub : null;
  return { shop, sub };
}
