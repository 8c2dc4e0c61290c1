import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * The plugin's folder (where PulumiPlugin.yaml, package.json and schema.json are), found upwards
 * from this file: the sources sit in provider/src, the build in provider/dist/provider/src.
 */
export function packageRoot(from: string = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, "PulumiPlugin.yaml"))) {
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(
        `No PulumiPlugin.yaml above ${from}: the api-s3-load plugin must run from its provider/ folder.`,
      );
    }
    dir = parent;
  }
  return dir;
}
