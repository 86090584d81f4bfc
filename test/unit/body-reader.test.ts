// The one bounded body reader of every inbound hook (app/webhooks/body.server.ts).
import { describe, expect, it } from "vitest";
import { readBoundedBody } from "~/webhooks/body.server";

// A sender of `count` chunks of `size` bytes that records how many were read.
function sender(count: number, size: number, { failAt }: { failAt?: number } = {}) {
  const seen = { chunks: 0 };
  async function* chunks() {
    for (let i = 0; i < count; i++) {
      if (i === failAt) throw new Error("socket hang up");
      seen.chunks++;
      yield new Uint8Array(size).fill(65 + (i % 26));
    }
  }
  return { source: chunks(), seen };
}

describe("readBoundedBody", () => {
  it("returns the body as sent when it fits", async () => {
    const { source } = sender(3, 10);
    const read = await readBoundedBody(source, { limit: 30 });
    expect(read.kind).toBe("body");
    expect(read.kind === "body" && read.bytes.toString()).toBe("A".repeat(10) + "B".repeat(10) + "C".repeat(10));
  });

  it("answers too large as soon as the limit is passed, and still reads the rest within the drain limit", async () => {
    const { source, seen } = sender(10, 10);
    let overDrain = 0;
    const read = await readBoundedBody(source, { limit: 25, drainLimit: 1000, onOverDrain: () => overDrain++ });
    expect(read).toEqual({ kind: "too large" });
    expect(seen.chunks).toBeLessThan(10); // answered before the sender finished
    await new Promise((r) => setTimeout(r, 10));
    expect(seen.chunks).toBe(10); // the rest was drained, not left unread
    expect(overDrain).toBe(0);
  });

  it("past the drain limit, hangs up once and drops whatever still arrives until the sender stops", async () => {
    const { source, seen } = sender(100, 10);
    let overDrain = 0;
    expect(await readBoundedBody(source, { limit: 25, drainLimit: 50, onOverDrain: () => overDrain++ })).toEqual({ kind: "too large" });
    await new Promise((r) => setTimeout(r, 10));
    expect(overDrain).toBe(1); // at 80 bytes > 25 + 50
    expect(seen.chunks).toBe(100); // the caller's hang-up, not the reader, ends the connection
  });

  it("stops reading past the drain limit when nobody hangs up", async () => {
    const { source, seen } = sender(100, 10);
    expect(await readBoundedBody(source, { limit: 25, drainLimit: 50 })).toEqual({ kind: "too large" });
    await new Promise((r) => setTimeout(r, 10));
    expect(seen.chunks).toBe(8); // 80 bytes > 25 + 50
  });

  it("stops at once without a drain limit", async () => {
    const { source, seen } = sender(100, 10);
    expect(await readBoundedBody(source, { limit: 15 })).toEqual({ kind: "too large" });
    await new Promise((r) => setTimeout(r, 10));
    expect(seen.chunks).toBe(2);
  });

  it("says aborted when the sender goes away, and never returns part of a body", async () => {
    const { source } = sender(5, 10, { failAt: 2 });
    expect(await readBoundedBody(source, { limit: 1000 })).toEqual({ kind: "aborted" });
  });

  it("reads an empty body", async () => {
    const { source } = sender(0, 10);
    const read = await readBoundedBody(source, { limit: 10 });
    expect(read.kind === "body" && read.bytes.length).toBe(0);
  });
});
