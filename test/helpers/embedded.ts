import { createHmac, randomUUID } from "node:crypto";

// An App Bridge session token (HS256, signed with the app's secret), as the embedded admin
// sends it with fetch; Shopify's library checks iss/dest/aud and the time claims.
export function sessionToken({ shop, apiKey, secret }: { shop: string; apiKey: string; secret: string }): string {
  const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const head = b64({ alg: "HS256", typ: "JWT" });
  const body = b64({
    iss: `https://${shop}/admin`,
    dest: `https://${shop}`,
    aud: apiKey,
    sub: "42",
    exp: now + 60,
    nbf: now - 5,
    iat: now - 5,
    jti: randomUUID(),
    sid: randomUUID(),
  });
  return `${head}.${body}.${createHmac("sha256", secret).update(`${head}.${body}`).digest("base64url")}`;
}

// Any claims, signed HS256 with `secret` (or with the header a test gives, to be refused).
export function signJwt(claims: Record<string, unknown>, secret: string, header: Record<string, unknown> = { alg: "HS256", typ: "JWT" }): string {
  const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const head = b64(header);
  const body = b64(claims);
  return `${head}.${body}.${createHmac("sha256", secret).update(`${head}.${body}`).digest("base64url")}`;
}

// The session token of a checkout or customer-account UI extension (shopify.sessionToken.get()):
// dest is the shop's bare domain, sub the logged-in customer's GID (absent for a guest), five minutes.
export function checkoutSessionToken({
  shop,
  apiKey,
  secret,
  customerId,
  claims = {},
}: {
  shop: string;
  apiKey: string;
  secret: string;
  customerId?: string;
  claims?: Record<string, unknown>;
}): string {
  const now = Math.floor(Date.now() / 1000);
  return signJwt(
    { dest: shop, aud: apiKey, exp: now + 300, nbf: now, iat: now, jti: randomUUID(), ...(customerId ? { sub: customerId } : {}), ...claims },
    secret,
  );
}

// The ID token Shopify adds to an admin UI extension's fetch() to the app, with claims a test changes.
export function adminExtensionToken({ shop, apiKey, secret, claims = {} }: { shop: string; apiKey: string; secret: string; claims?: Record<string, unknown> }): string {
  const now = Math.floor(Date.now() / 1000);
  return signJwt(
    { iss: `https://${shop}/admin`, dest: `https://${shop}`, aud: apiKey, sub: "42", exp: now + 60, nbf: now - 5, iat: now - 5, jti: randomUUID(), sid: randomUUID(), ...claims },
    secret,
  );
}
