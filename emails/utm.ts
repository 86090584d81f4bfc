export interface UtmTags {
  source: string;
  medium: string;
  campaign: string;
  content?: string;
  // A recommended product's source (complementary, related, best_seller…), sent as ag_src so
  // clicks can be counted per source.
  recommendationSource?: string;
}

const WEB_PROTOCOLS = new Set(["http:", "https:"]);

/** True for absolute http(s) URLs, the only ones worth linking to from an email. */
export function isWebUrl(url: string | null | undefined): url is string {
  if (!url) return false;
  try {
    return WEB_PROTOCOLS.has(new URL(url).protocol);
  } catch {
    return false;
  }
}

/**
 * Adds utm_source/utm_medium/utm_campaign (and utm_content when given) to an http(s) URL.
 * Other query parameters and the fragment are kept byte for byte; any utm_* already on the
 * URL is dropped, since one link should carry one campaign's attribution.
 * Anything that is not an absolute http(s) URL is returned unchanged.
 */
export function withUtm(url: string, tags: UtmTags): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (!WEB_PROTOCOLS.has(parsed.protocol)) return url;

  const kept = parsed.search
    .replace(/^\?/, "")
    .split("&")
    .filter((pair) => pair !== "" && !isUtmKey(pair.split("=")[0]) && pair.split("=")[0] !== "ag_src");

  const added: Array<[string, string | undefined]> = [
    ["utm_source", tags.source],
    ["utm_medium", tags.medium],
    ["utm_campaign", tags.campaign],
    ["utm_content", tags.content],
    ["ag_src", tags.recommendationSource],
  ];
  for (const [key, value] of added) {
    if (value) kept.push(`${key}=${encodeURIComponent(value)}`);
  }

  parsed.search = kept.join("&");
  return parsed.toString();
}

function isUtmKey(rawKey: string): boolean {
  let key = rawKey;
  try {
    key = decodeURIComponent(rawKey.replace(/\+/g, " "));
  } catch {
    // A malformed escape is not a utm key we set; keep the pair as it was.
  }
  return key.toLowerCase().startsWith("utm_");
}
