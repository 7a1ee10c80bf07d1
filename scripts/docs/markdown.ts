/** Small Markdown writers for the generated docs: tables, code blocks, note blocks. */

/** One table cell: pipes escaped, line breaks folded (a cell is one line). */
function cell(text: string): string {
  return text.replace(/\r?\n+/g, " ").replace(/\|/g, "\\|").trim();
}

export function code(text: string): string {
  return `\`${text}\``;
}

export function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map((r) => line(r.map(cell)))].join("\n");
}

export function fenced(lang: string, text: string): string {
  return `\`\`\`${lang}\n${text.replace(/^\n+|\s+$/g, "")}\n\`\`\``;
}

/**
 * Note blocks (each a paragraph, a list item "- ..." or a fenced block) as Markdown: list items that
 * follow each other form one list; everything else is separated by a blank line.
 */
export function blocks(items: readonly string[]): string {
  let out = "";
  items.forEach((raw, i) => {
    const item = raw.trim();
    const listItem = item.startsWith("- ");
    const previousListItem = i > 0 && items[i - 1].trim().startsWith("- ");
    if (i > 0) out += listItem && previousListItem ? "\n" : "\n\n";
    out += item;
  });
  return out;
}

/** Sentence case with a final full stop, as descriptions are written. */
export function sentence(s: string): string {
  const t = s.trim();
  if (!t) return t;
  const first = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?:]$/.test(first) ? first : `${first}.`;
}

/** The sections of a page, each "## title" and its text; empty ones left out. */
export function page(title: string, intro: string, sections: Array<[string, string]>): string {
  const parts = [`# ${title}`, intro.trim()];
  for (const [heading, body] of sections) if (body.trim()) parts.push(`## ${heading}`, body.trim());
  return `${parts.filter((p) => p !== "").join("\n\n")}\n`;
}
