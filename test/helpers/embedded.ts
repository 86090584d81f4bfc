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
