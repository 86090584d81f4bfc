// How the merchant's settings are checked alike: each problem names where it is, as a JSON path
// under the setting (or the setting's name when it stands alone), and unknown keys are refused.

export function settingObject(
  input: unknown,
  { path, name, allowedKeys }: { path: string; name: string; allowedKeys?: readonly string[] },
): { where: (p: string) => string; fields: Record<string, unknown> | null; problems: string[] } {
  const where = (p: string) => `${path}${p}` || `(${name})`;
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return { where, fields: null, problems: [`${where("")}: must be an object`] };
  }
  const fields = input as Record<string, unknown>;
  const problems: string[] = [];
  if (allowedKeys)
    for (const key of Object.keys(fields))
      if (!allowedKeys.includes(key))
        problems.push(`${where(`/${key}`)}: is not a ${name} setting (allowed: ${allowedKeys.join(", ")})`);
  return { where, fields, problems };
}
