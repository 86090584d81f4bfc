import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

// The folder holding package.json, above the calling module: a source file and its compiled copy
// under build/node/ sit at different depths, and both need the same migrations, build and assets.
export function projectRoot(moduleUrl: string): string {
  let dir = path.dirname(fileURLToPath(moduleUrl));
  while (!fs.existsSync(path.join(dir, "package.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`No package.json above ${fileURLToPath(moduleUrl)}: run Afterglow from its project folder.`);
    dir = parent;
  }
  return dir;
}
