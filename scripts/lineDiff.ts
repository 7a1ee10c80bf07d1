/**
 * A unified-style line diff for generated files (`- old`, `+ new`, three lines of context, `@@` with
 * line numbers). The common head and tail are cut first, so the table below only covers the changed
 * middle; a middle too big for it is shown as removed-then-added.
 */
const CONTEXT = 3;
const MAX_CELLS = 4_000_000;

type Op = { kind: " " | "-" | "+"; line: string; oldNo: number; newNo: number };

export function lineDiff(before: string, after: string): string {
  if (before === after) return "";
  const a = before.split("\n");
  const b = after.split("\n");
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);

  const ops: Op[] = [];
  for (let i = 0; i < head; i++) ops.push({ kind: " ", line: a[i], oldNo: i + 1, newNo: i + 1 });
  ops.push(...middle(am, bm, head));
  for (let i = 0; i < tail; i++) {
    const ai = a.length - tail + i;
    const bi = b.length - tail + i;
    ops.push({ kind: " ", line: a[ai], oldNo: ai + 1, newNo: bi + 1 });
  }
  return hunks(ops);
}

function middle(a: string[], b: string[], offset: number): Op[] {
  const ops: Op[] = [];
  if ((a.length + 1) * (b.length + 1) > MAX_CELLS) {
    a.forEach((line, i) => ops.push({ kind: "-", line, oldNo: offset + i + 1, newNo: offset }));
    b.forEach((line, j) => ops.push({ kind: "+", line, oldNo: offset, newNo: offset + j + 1 }));
    return ops;
  }
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const w = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * w);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * w + j] = a[i] === b[j] ? lcs[(i + 1) * w + j + 1] + 1 : Math.max(lcs[(i + 1) * w + j], lcs[i * w + j + 1]);
    }
  }
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push({ kind: " ", line: a[i], oldNo: offset + i + 1, newNo: offset + j + 1 });
      i++;
      j++;
    } else if (i < a.length && (j === b.length || lcs[(i + 1) * w + j] >= lcs[i * w + j + 1])) {
      // Removals first, as in a unified diff.
      ops.push({ kind: "-", line: a[i], oldNo: offset + i + 1, newNo: offset + j });
      i++;
    } else {
      ops.push({ kind: "+", line: b[j], oldNo: offset + i, newNo: offset + j + 1 });
      j++;
    }
  }
  return ops;
}

function hunks(ops: Op[]): string {
  const changes = ops.map((op, i) => (op.kind === " " ? -1 : i)).filter((i) => i >= 0);
  const out: string[] = [];
  let c = 0;
  while (c < changes.length) {
    const first = changes[c];
    let last = first;
    // Changes closer than 2 × CONTEXT lines share a hunk.
    while (c + 1 < changes.length && changes[c + 1] - last <= 2 * CONTEXT) last = changes[++c];
    c++;
    const start = Math.max(0, first - CONTEXT);
    const end = Math.min(ops.length, last + CONTEXT + 1);
    const s = ops[start];
    out.push(`@@ -${s.kind === "+" ? s.oldNo + 1 : s.oldNo} +${s.kind === "-" ? s.newNo + 1 : s.newNo} @@`);
    for (let x = start; x < end; x++) out.push(`${ops[x].kind}${ops[x].line}`);
  }
  return out.join("\n");
}
