/**
 * Policy size, counted as AWS counts it: every character except whitespace
 * (space, tab, LF, CR) — including whitespace inside strings.
 */
export function policySize(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) n++;
  }
  return n;
}
