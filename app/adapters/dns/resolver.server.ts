// The one way the app asks DNS: a `dns.promises.Resolver` on the configured servers
// (AFTERGLOW_DNS_SERVERS, none: the system's) with a deadline of our own per lookup.
import { Resolver } from "node:dns/promises";

export function createDnsResolver({ servers, timeoutMs }: { servers: readonly string[]; timeoutMs: number }): Resolver {
  // Two tries of half the budget each: one lost UDP packet shouldn't fail the lookup.
  // Without a deadline of ours (0), the resolver keeps its own timeouts and retries.
  const resolver = new Resolver(timeoutMs > 0 ? { timeout: Math.max(100, Math.floor(timeoutMs / 2)), tries: 2 } : {});
  if (servers.length) resolver.setServers([...servers]);
  return resolver;
}

export function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  if (ms === 0) return promise; // 0: no deadline of ours, not one that has already passed
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`DNS lookup took longer than ${ms} ms`), { code: "ETIMEOUT" })), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
