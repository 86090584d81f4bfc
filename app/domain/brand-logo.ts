// Which logo files the emails can carry, decided from the file's own bytes before anything is
// sent to Shopify. Browser-safe: the Settings page checks a dropped file with the same rules.

// What every mail client shows. Shopify's Files take more (WebP, SVG, HEIC), but the email is
// only as good as the client that opens it.
export const LOGO_TYPES = {
  "image/png": { label: "PNG", extension: "png" },
  "image/jpeg": { label: "JPEG", extension: "jpg" },
  "image/gif": { label: "GIF", extension: "gif" },
} as const;

export type LogoMimeType = keyof typeof LOGO_TYPES;

// Every open of every email loads the logo; a larger file also stays under the admin's request
// limit (ADMIN_REQUEST_MAX_BYTES, 1 MB by default) with room for the form around it.
export const LOGO_MAX_BYTES = 512 * 1024;

// Formats a merchant may well try, and why the emails cannot use them.
const REFUSED: Array<{ name: string; why: string; matches: (head: Uint8Array, text: string) => boolean }> = [
  {
    name: "SVG",
    why: "Gmail and Outlook do not show SVG images in emails.",
    matches: (_head, text) => /<svg[\s>]/i.test(text) || /^\s*<\?xml/i.test(text),
  },
  {
    name: "WebP",
    why: "Outlook for Windows does not show WebP images in emails.",
    matches: (head) => ascii(head, 0, 4) === "RIFF" && ascii(head, 8, 12) === "WEBP",
  },
  {
    name: "HEIC",
    why: "only Apple Mail shows HEIC images.",
    matches: (head) => ascii(head, 4, 8) === "ftyp" && /^(heic|heix|hevc|mif1|msf1|avif)$/.test(ascii(head, 8, 12)),
  },
];

function ascii(bytes: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...bytes.subarray(from, to));
}

const startsWith = (bytes: Uint8Array, signature: number[]) => signature.every((b, i) => bytes[i] === b);

/** The image type the bytes are, whatever the file's name or declared type says. */
export function sniffLogoType(bytes: Uint8Array): LogoMimeType | null {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (ascii(bytes, 0, 6) === "GIF87a" || ascii(bytes, 0, 6) === "GIF89a") return "image/gif";
  return null;
}

export type LogoCheck = { ok: true; mimeType: LogoMimeType; filename: string } | { ok: false; problem: string };

const kilobytes = (bytes: number) => `${Math.ceil(bytes / 1024)} KB`;

/**
 * Whether a file can be the emails' logo: a PNG, JPEG or GIF by its bytes, and no larger than
 * LOGO_MAX_BYTES. The filename Shopify stores gets the extension of what the file really is.
 */
export function checkLogoFile({ name, bytes }: { name: string; bytes: Uint8Array }): LogoCheck {
  if (bytes.length === 0) return { ok: false, problem: "The file is empty. Choose your logo as a PNG, JPEG or GIF." };
  if (bytes.length > LOGO_MAX_BYTES) {
    return {
      ok: false,
      problem: `The logo is ${kilobytes(bytes.length)}; the most is ${kilobytes(LOGO_MAX_BYTES)}. Save it smaller: a PNG 600 pixels wide is plenty for an email.`,
    };
  }
  const mimeType = sniffLogoType(bytes);
  if (!mimeType) {
    const head = bytes.subarray(0, 512);
    const refused = REFUSED.find((r) => r.matches(head, new TextDecoder().decode(head)));
    return {
      ok: false,
      problem: refused
        ? `${refused.name} logos cannot be used: ${refused.why} Save the logo as a PNG or JPEG.`
        : "This file is not a PNG, JPEG or GIF image. Save the logo in one of those formats.",
    };
  }
  return { ok: true, mimeType, filename: logoFilename(name, mimeType) };
}

// "My Logo (final).PNG" as image/png -> "my-logo-final.png": Shopify's Files refuse a name whose
// extension does not match the file, and a plain name reads well in the merchant's Files list.
export function logoFilename(name: string, mimeType: LogoMimeType): string {
  const base = name
    .replace(/\.[^.]*$/, "")
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 80);
  return `${base || "logo"}.${LOGO_TYPES[mimeType].extension}`;
}
