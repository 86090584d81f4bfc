import { describe, expect, it } from "vitest";
import { checkLogoFile, LOGO_MAX_BYTES, logoFilename, sniffLogoType } from "~/domain/brand-logo";

const PNG_HEAD = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const bytes = (head: number[] | string, size = 64) => {
  const out = new Uint8Array(size);
  out.set(typeof head === "string" ? new TextEncoder().encode(head) : head);
  return out;
};

describe("logo files", () => {
  it("knows PNG, JPEG and GIF by their bytes, not by their name", () => {
    expect(sniffLogoType(bytes(PNG_HEAD))).toBe("image/png");
    expect(sniffLogoType(bytes([0xff, 0xd8, 0xff, 0xe0]))).toBe("image/jpeg");
    expect(sniffLogoType(bytes("GIF89a"))).toBe("image/gif");
    expect(sniffLogoType(bytes("GIF87a"))).toBe("image/gif");
    expect(sniffLogoType(bytes("hello"))).toBeNull();
    expect(checkLogoFile({ name: "logo.jpg", bytes: bytes(PNG_HEAD) })).toEqual({ ok: true, mimeType: "image/png", filename: "logo.png" });
  });

  it("refuses SVG, WebP and HEIC with the reason the emails cannot show them", () => {
    const svg = checkLogoFile({ name: "logo.svg", bytes: new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"></svg>') });
    expect(svg).toEqual({ ok: false, problem: expect.stringContaining("Gmail and Outlook do not show SVG") });
    const xml = checkLogoFile({ name: "logo.svg", bytes: new TextEncoder().encode('<?xml version="1.0"?>\n<svg></svg>') });
    expect(xml.ok).toBe(false);
    const webp = bytes("RIFF\0\0\0\0WEBPVP8 ");
    expect(checkLogoFile({ name: "logo.webp", bytes: webp })).toEqual({ ok: false, problem: expect.stringContaining("Outlook for Windows does not show WebP") });
    const heic = bytes("\0\0\0\x18ftypheic");
    expect(checkLogoFile({ name: "IMG_0001.HEIC", bytes: heic })).toEqual({ ok: false, problem: expect.stringContaining("HEIC") });
    expect(checkLogoFile({ name: "logo.pdf", bytes: bytes("%PDF-1.7") })).toEqual({
      ok: false,
      problem: "This file is not a PNG, JPEG or GIF image. Save the logo in one of those formats.",
    });
  });

  it("refuses an empty file and one over the limit, naming both sizes", () => {
    expect(checkLogoFile({ name: "logo.png", bytes: new Uint8Array() }).ok).toBe(false);
    expect(checkLogoFile({ name: "logo.png", bytes: bytes(PNG_HEAD, LOGO_MAX_BYTES) }).ok).toBe(true);
    const big = checkLogoFile({ name: "logo.png", bytes: bytes(PNG_HEAD, LOGO_MAX_BYTES + 1) });
    expect(big).toEqual({ ok: false, problem: expect.stringMatching(/^The logo is 513 KB; the most is 512 KB\./) });
  });

  it("gives the stored file a plain name with the extension of what it is", () => {
    expect(logoFilename("My Logo (final).PNG", "image/png")).toBe("my-logo-final.png");
    expect(logoFilename("Łódź café.jpeg", "image/jpeg")).toBe("odz-cafe.jpg");
    expect(logoFilename(".png", "image/gif")).toBe("logo.gif");
  });
});
