/**
 * Where each statement of a policy document sits in its text, as IAM's simulator reports
 * it in MatchedStatements[].StartPosition / EndPosition: 1-based line and column, where a
 * statement starts just after the token before it was read and ends just after its `}`:
 * - a single Statement object starts just after its own `{` (AWS's example: a one-line
 *   document whose Statement object spans columns 37–166 gives 1:38 and 1:167);
 * - in a Statement array, the first starts just after `[` and each later one just after
 *   the previous statement's `}` (AWS's example: `"Statement": [` on line 3 gives 3:19,
 *   and the statement's `}` at line 9, column 9 gives 9:10).
 *
 * The text must already be valid JSON (parsePolicy checked it). Returns undefined when
 * the statements cannot be located, so a caller leaves the positions out.
 */

export interface Position {
  Line: number;
  Column: number;
}

export interface StatementSpan {
  start: Position;
  end: Position;
}

/** The spans of the document's statements, in document order. */
export function statementSpans(text: string): StatementSpan[] | undefined {
  const offsets = statementOffsets(text);
  if (offsets === undefined) return undefined;
  const lines = lineStarts(text);
  const at = (k: number): Position => {
    let lo = 0;
    let hi = lines.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (lines[mid]! <= k) lo = mid;
      else hi = mid - 1;
    }
    return { Line: lo + 1, Column: k - lines[lo]! + 1 };
  };
  return offsets.map(([from, close]) => ({ start: at(from + 1), end: at(close + 1) }));
}

function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 0x0a) out.push(i + 1);
  return out;
}

/** For each statement, the offset of the token read before it (its `{`, the `[` or the previous `}`) and of its `}`. */
function statementOffsets(text: string): Array<[number, number]> | undefined {
  let i = skipSpace(text, 0);
  if (text[i] !== '{') return undefined;
  i = skipSpace(text, i + 1);
  while (i < text.length && text[i] === '"') {
    const keyEnd = skipString(text, i);
    const key = text.slice(i + 1, keyEnd - 1);
    i = skipSpace(text, keyEnd);
    if (text[i] !== ':') return undefined;
    i = skipSpace(text, i + 1);
    const valueEnd = skipValue(text, i);
    if (key === 'Statement') {
      if (text[i] === '{') return [[i, valueEnd - 1]];
      if (text[i] !== '[') return undefined;
      const out: Array<[number, number]> = [];
      let before = i;
      let j = skipSpace(text, i + 1);
      while (text[j] === '{') {
        const end = skipValue(text, j);
        out.push([before, end - 1]);
        before = end - 1;
        j = skipSpace(text, end);
        if (text[j] === ',') j = skipSpace(text, j + 1);
      }
      return out;
    }
    i = skipSpace(text, valueEnd);
    if (text[i] === ',') i = skipSpace(text, i + 1);
  }
  return undefined;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  return i;
}

/** The offset just past the string that opens at i. */
function skipString(text: string, i: number): number {
  i++;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i + 1;
}

/** The offset just past the value that starts at i. */
function skipValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return skipString(text, i);
  if (c !== '{' && c !== '[') {
    while (i < text.length && !',}] \n\r\t'.includes(text[i]!)) i++;
    return i;
  }
  let depth = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      i = skipString(text, i);
      continue;
    }
    if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return i;
}
