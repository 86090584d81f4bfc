// A recipient domain's MX records, for telling which mailbox provider hosts it.
import { domainToASCII } from "node:url";
import { withDeadline } from "./resolver.server";

// What the lookup needs of a resolver; `dns.promises.Resolver` has it.
export interface MxResolver {
  resolveMx(hostname: string): Promise<{ exchange: string; priority: number }[]>;
}

export type MxAnswer =
  | { kind: "found"; mx: { exchange: string; priority: number }[] }
  // NXDOMAIN or no MX: an answer, the domain receives no mail of its own.
  | { kind: "none"; reason: "nxdomain" | "nodata" }
  // SERVFAIL, a timeout, a refusal: no answer, ask again later.
  | { kind: "error"; code: string };

export async function lookUpMx({ domain, resolver, timeoutMs }: { domain: string; resolver: MxResolver; timeoutMs: number }): Promise<MxAnswer> {
  // DNS speaks ASCII: an internationalized domain is looked up in its punycode form.
  const ascii = domainToASCII(domain) || domain;
  try {
    const mx = await withDeadline(resolver.resolveMx(ascii), timeoutMs);
    // RFC 7505's null MX ("0 .") says the domain takes no mail.
    const real = mx.filter((m) => m.exchange && m.exchange !== ".");
    return real.length ? { kind: "found", mx: real } : { kind: "none", reason: "nodata" };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException)?.code ?? "EUNKNOWN";
    if (code === "ENOTFOUND") return { kind: "none", reason: "nxdomain" };
    if (code === "ENODATA") return { kind: "none", reason: "nodata" };
    return { kind: "error", code };
  }
}
