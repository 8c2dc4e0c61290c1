/**
 * The `rel="next"` target of an RFC 8288 `Link` header. A small parser of our own rather than a
 * dependency: the engine needs one relation, and a quoted comma or semicolon inside a parameter
 * (which naive splitting gets wrong) is handled by scanning the header once.
 */

/** One link-value: its target and its parameters (names lower-cased). */
export interface LinkValue {
  target: string;
  params: Record<string, string>;
}

/** Every link-value of a `Link` header, in order; malformed parts are skipped. */
export function parseLinkHeader(header: string): LinkValue[] {
  const links: LinkValue[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < header.length && /[\s,]/.test(header[i])) {
      i += 1;
    }
  };
  while (i < header.length) {
    skipSpace();
    if (header[i] !== "<") {
      // Not a link-value: skip to the next top-level comma.
      while (i < header.length && header[i] !== ",") {
        i += 1;
      }
      continue;
    }
    const close = header.indexOf(">", i);
    if (close < 0) {
      break;
    }
    const link: LinkValue = { target: header.slice(i + 1, close).trim(), params: {} };
    i = close + 1;
    for (;;) {
      while (i < header.length && /\s/.test(header[i])) {
        i += 1;
      }
      if (header[i] !== ";") {
        break;
      }
      i += 1;
      const name = /^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*/.exec(header.slice(i));
      if (!name) {
        break;
      }
      i += name[0].length;
      let value = "";
      if (header[i] === "=") {
        i += 1;
        while (i < header.length && /\s/.test(header[i])) {
          i += 1;
        }
        if (header[i] === '"') {
          i += 1;
          while (i < header.length && header[i] !== '"') {
            if (header[i] === "\\" && i + 1 < header.length) {
              i += 1;
            }
            value += header[i];
            i += 1;
          }
          i += 1;
        } else {
          const token = /^[^;,\s]*/.exec(header.slice(i))![0];
          value = token;
          i += token.length;
        }
      }
      const key = name[1].toLowerCase();
      // RFC 8288 §3: occurrences after the first of the same parameter are ignored.
      if (!(key in link.params)) {
        link.params[key] = value;
      }
    }
    links.push(link);
  }
  return links;
}

/** The absolute URL of the `rel="next"` link, resolved against `base`, or undefined. */
export function nextLink(header: string | null, base: string): string | undefined {
  if (!header) {
    return undefined;
  }
  const next = parseLinkHeader(header).find((link) =>
    (link.params.rel ?? "").toLowerCase().split(/\s+/).includes("next"),
  );
  return next ? new URL(next.target, base).toString() : undefined;
}
