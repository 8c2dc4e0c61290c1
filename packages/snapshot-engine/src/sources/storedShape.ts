import { SnapshotError } from "../errors";
import { formatPayload, PrettyList, validatePayload } from "../payload";
import type { FormattedPayload, PayloadRules } from "../payload";
import type { SourcePages } from "./fetchSource";

/**
 * The stored bytes of a declared source's pages. With `records`: the JSON list of every page's
 * records (one page included). Without: one page as its body came, or several pages, each a list,
 * joined into one list. Either way pretty JSON with a 2-space indent and a trailing newline.
 */
export function storedShape(
  fetched: SourcePages,
  hasRecords: boolean,
  rules: PayloadRules,
  gzip: boolean,
  where: string,
): { formatted: FormattedPayload; itemCount: number } {
  const { pages } = fetched;
  if (!hasRecords && pages.length === 1) {
    const body = pages[0].body;
    const itemCount = validatePayload(body, rules, where);
    return { formatted: formatPayload(body, gzip), itemCount };
  }
  const list = new PrettyList(rules.requiredFields, gzip);
  pages.forEach((page, index) => {
    if (page.records === undefined) {
      throw new SnapshotError(
        "invalid-payload",
        `${where}: page ${index + 1} is a JSON ${page.body === null ? "null" : typeof page.body}, not a list, so the pages cannot be joined; nothing was stored. Set the source's \`records\` to the path of each page's list`,
      );
    }
    list.add(page.records);
  });
  return list.finish(rules.minItems, where);
}
