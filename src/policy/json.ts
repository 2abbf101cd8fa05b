/**
 * A strict JSON reader for policy documents.
 *
 * - Only tab, LF, CR and U+0020–U+00FF may appear in the raw text (AWS's policy character set).
 * - Duplicate object keys are an error (JSON.parse would silently keep the last).
 * - Objects have a null prototype, so `__proto__` and `constructor` are ordinary keys.
 * - Nesting deeper than MAX_DEPTH is an error, so hostile input cannot exhaust the stack.
 * Errors are `JsonSyntaxError`s carrying a line and column.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export const MAX_DEPTH = 64;

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${message} at line ${line}, column ${column}`);
  }
}

export function isJsonObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Parses `text` strictly; throws JsonSyntaxError. `policyCharset` (default true)
 * also refuses characters outside AWS's policy character set.
 */
export function parseStrictJson(text: string, policyCharset = true): JsonValue {
  return new Reader(text, policyCharset).document();
}

/** Index of the first character outside tab, LF, CR and U+0020–U+00FF, or -1. */
export function firstDisallowedChar(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff || (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d)) return i;
  }
  return -1;
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

class Reader {
  private pos = 0;
  constructor(
    private readonly text: string,
    private readonly policyCharset: boolean,
  ) {}

  document(): JsonValue {
    const bad = this.policyCharset ? firstDisallowedChar(this.text) : -1;
    if (bad >= 0) {
      const code = this.text.charCodeAt(bad).toString(16).toUpperCase().padStart(4, '0');
      this.fail(`disallowed character U+${code}`, bad);
    }
    const value = this.value(0);
    this.skipSpace();
    if (this.pos < this.text.length) this.fail('unexpected text after the document');
    return value;
  }

  private value(depth: number): JsonValue {
    this.skipSpace();
    const c = this.text[this.pos];
    switch (c) {
      case '{':
        return this.object(depth + 1);
      case '[':
        return this.array(depth + 1);
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      case undefined:
        return this.fail('unexpected end of document');
      default:
        return this.number();
    }
  }

  private object(depth: number): JsonObject {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
    const out = Object.create(null) as JsonObject;
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') this.fail('expected a quoted key');
      const keyAt = this.pos;
      const key = this.string();
      if (Object.prototype.hasOwnProperty.call(out, key)) this.fail(`duplicate key "${key}"`, keyAt);
      this.skipSpace();
      if (this.text[this.pos] !== ':') this.fail("expected ':'");
      this.pos++;
      out[key] = this.value(depth);
      this.skipSpace();
      const sep = this.text[this.pos++];
      if (sep === '}') return out;
      if (sep !== ',') this.fail("expected ',' or '}'", this.pos - 1);
    }
  }

  private array(depth: number): JsonValue[] {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
    const out: JsonValue[] = [];
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth));
      this.skipSpace();
      const sep = this.text[this.pos++];
      if (sep === ']') return out;
      if (sep !== ',') this.fail("expected ',' or ']'", this.pos - 1);
    }
  }

  private string(): string {
    const start = ++this.pos;
    let out = '';
    let chunk = start;
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (Number.isNaN(c)) this.fail('unterminated string', start - 1);
      if (c === 0x22) {
        out += this.text.slice(chunk, this.pos++);
        return out;
      }
      if (c < 0x20) this.fail('control character in string');
      if (c === 0x5c) {
        out += this.text.slice(chunk, this.pos);
        const e = this.text[this.pos + 1];
        if (e === 'u') {
          const hex = this.text.slice(this.pos + 2, this.pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          this.pos += 6;
        } else if (e !== undefined && ESCAPES[e] !== undefined) {
          out += ESCAPES[e];
          this.pos += 2;
        } else {
          this.fail('bad escape sequence');
        }
        chunk = this.pos;
        continue;
      }
      this.pos++;
    }
  }

  private number(): number {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (!m) this.fail('unexpected character');
    this.pos += m[0].length;
    return Number(m[0]);
  }

  private literal<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail('unexpected character');
    this.pos += word.length;
    return value;
  }

  private skipSpace(): void {
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else return;
    }
  }

  private fail(message: string, at = this.pos): never {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < at && i < this.text.length; i++) {
      if (this.text.charCodeAt(i) === 0x0a) {
        line++;
        lineStart = i + 1;
      }
    }
    throw new JsonSyntaxError(message, line, at - lineStart + 1);
  }
}
