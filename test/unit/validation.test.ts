import { describe, expect, it } from "vitest";
import { settingObject } from "~/domain/validation";

describe("settingObject: how a setting's problems are named", () => {
  it("names a setting that stands alone, and refuses what is not an object", () => {
    const { fields, problems } = settingObject(["mon"], { path: "", name: "send window" });
    expect(fields).toBeNull();
    expect(problems).toEqual(["(send window): must be an object"]);
  });

  it("refuses unknown keys at their path, saying which are allowed", () => {
    const { where, fields, problems } = settingObject(
      { enabled: true, maxSend: 2 },
      { path: "/settings/frequencyCap", name: "smart sending", allowedKeys: ["enabled", "maxSends", "periodHours"] },
    );
    expect(fields).toEqual({ enabled: true, maxSend: 2 });
    expect(where("/enabled")).toBe("/settings/frequencyCap/enabled");
    expect(problems).toEqual([
      "/settings/frequencyCap/maxSend: is not a smart sending setting (allowed: enabled, maxSends, periodHours)",
    ]);
  });
});
