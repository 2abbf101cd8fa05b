/**
 * Reads the AWS CLI's own documentation examples (awscli/examples/{iam,sts}/*.rst, as Debian's
 * awscli package ships them): each example's `aws …` command, split into argv as a shell would,
 * and the JSON printed under the `Output::` that follows it (parsed leniently: the examples are
 * hand-written and some are not quite JSON).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const EXAMPLES_ROOT = ['/usr/lib/python3/dist-packages/awscli/examples', '/usr/share/awscli/examples'].find((d) => existsSync(join(d, 'iam'))) ?? '';

export interface CliExample {
  /** `iam/create-user#1`: the file and the example's position in it. */
  id: string;
  service: 'iam' | 'sts';
  /** The CLI operation, e.g. `create-user`. */
  operation: string;
  /** The arguments after `aws SERVICE OPERATION`, as a shell would split them. */
  args: string[];
  /** The documented output, when there is one and it parses. */
  output?: unknown;
  /** The documented output did not parse as JSON (it is then not compared). */
  outputUnparsed?: boolean;
}

/** Splits a command line as a POSIX shell would (quotes, backslash escapes); no expansion. */
export function shellSplit(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      cur += line.slice(i + 1, end < 0 ? line.length : end);
      i = end < 0 ? line.length : end;
      inWord = true;
    } else if (c === '"') {
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) i++;
        cur += line[i];
        i++;
      }
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

/** JSON.parse, then a few repairs of hand-written output (missing commas, trailing commas). */
export function lenientJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // A bare member (`"Users": [...]`) is wrapped as the object it belongs to.
    const whole = /^"[^"]+"\s*:/.test(text.trim()) ? `{${text}}` : text;
    const repaired = whole
      .replace(/("|\d|true|false|null|\]|\})(\s*\n\s*)(")/g, '$1,$2$3')
      .replace(/,(\s*[}\]])/g, '$1');
    return JSON.parse(repaired);
  }
}

/** The indented block after a `::` line (rST literal block), dedented. */
function literalBlock(lines: string[], start: number): { text: string; end: number } {
  let i = start;
  while (i < lines.length && lines[i]!.trim() === '') i++;
  const block: string[] = [];
  for (; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.trim() !== '' && !/^\s/.test(l)) break;
    block.push(l);
  }
  return { text: block.join('\n').trim(), end: i };
}

/** Every example of one .rst file. */
export function parseExamples(service: 'iam' | 'sts', file: string, text: string): CliExample[] {
  const operation = file.replace(/\.rst$/, '');
  const lines = text.replace(/\r/g, '').split('\n');
  const out: CliExample[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.trimEnd().endsWith('::')) continue;
    const block = literalBlock(lines, i + 1);
    const joined = block.text.replace(/\\\n\s*/g, ' ');
    const command = joined.split('\n').find((l) => l.trim().startsWith(`aws ${service} `));
    if (!command) continue;
    const argv = shellSplit(command.trim());
    const example: CliExample = { id: `${service}/${operation}#${out.length + 1}`, service, operation: argv[2] ?? operation, args: argv.slice(3) };
    // The output block follows, after an "Output::" line, before the next command.
    for (let j = block.end; j < lines.length; j++) {
      const l = lines[j]!.trim();
      if (/^Output\s*::\s*$/i.test(l) || (l.endsWith('::') && /output/i.test(l))) {
        const o = literalBlock(lines, j + 1);
        try {
          example.output = lenientJson(o.text);
        } catch {
          example.outputUnparsed = o.text !== '' && !/^None|^This command produces no output/i.test(o.text);
        }
        break;
      }
      if (l.endsWith('::')) break;
    }
    out.push(example);
    i = block.end - 1;
  }
  return out;
}

/** Every IAM and STS example shipped with the CLI. */
export function allExamples(): CliExample[] {
  if (!EXAMPLES_ROOT) return [];
  const out: CliExample[] = [];
  for (const service of ['iam', 'sts'] as const) {
    for (const file of readdirSync(join(EXAMPLES_ROOT, service)).sort()) {
      if (file.endsWith('.rst')) out.push(...parseExamples(service, file, readFileSync(join(EXAMPLES_ROOT, service, file), 'utf8')));
    }
  }
  return out;
}
