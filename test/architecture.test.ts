/**
 * The dependency rules of DESIGN.md §1–2, checked over the import graph of src/**\/*.ts
 * (relative imports, `import type`, re-exports and dynamic imports included; statements are
 * read at the start of a line, so doc comments (` * …`) and `//` lines are never taken for imports):
 * - nothing outside src/http imports src/http, but the composition root (src/main.ts), which
 *   wires the HTTP app; the portal and the console reach operations through src/api;
 * - src/api never imports src/http, src/portal or src/console;
 * - src/policy imports nothing but src/shared;
 * - no import cycle, found as strongly connected components (Tarjan) of the graph.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

const SRC = resolve(import.meta.dirname, '../src');
/** Modules allowed to import src/http: the composition root wires the HTTP app. */
const HTTP_WIRING = new Set(['main.ts']);

type Graph = Map<string, Set<string>>;

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** The file a relative specifier names (`./x.js` → x.ts, a folder → its index.ts), if it is a TypeScript module of src. */
function target(from: string, spec: string): string | undefined {
  const base = resolve(dirname(from), spec);
  for (const candidate of [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')]) {
    if (candidate.endsWith('.ts') && existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** `import … from 'x'`, `export … from 'x'` (across lines), `import 'x'`, and `import('x')`. */
const STATIC = /^[ \t]*(?:import|export)\s[^;'"`]*?\bfrom\s*['"]([^'"]+)['"]/gm;
const BARE = /^[ \t]*import\s*['"]([^'"]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

export function specifiers(text: string): string[] {
  return [STATIC, BARE, DYNAMIC].flatMap((re) => [...text.matchAll(re)].map((m) => m[1]!));
}

/** src-relative path → the src-relative paths it imports. */
export function importGraph(root = SRC): Graph {
  const graph: Graph = new Map();
  for (const file of sourceFiles(root)) {
    const deps = new Set<string>();
    for (const fileName of specifiers(readFileSync(file, 'utf8'))) {
      if (!fileName.startsWith('.')) continue;
      const t = target(file, fileName);
      if (t !== undefined) deps.add(relative(root, t));
    }
    graph.set(relative(root, file), deps);
  }
  return graph;
}

/** Tarjan's strongly connected components; returns the cycles (components of 2+ modules, or a module importing itself). */
export function cycles(graph: Graph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || graph.get(v)?.has(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

const folderOf = (path: string) => (path.includes('/') ? path.slice(0, path.indexOf('/')) : '');

/** Every import from a module in `from` (a top-level folder of src) that `allowed` refuses, as "a → b". */
function breaches(graph: Graph, from: (file: string) => boolean, allowed: (dep: string) => boolean): string[] {
  const out: string[] = [];
  for (const [file, deps] of graph) if (from(file)) for (const d of deps) if (!allowed(d)) out.push(`${file} → ${d}`);
  return out;
}

describe('architecture: the import graph of src', () => {
  const graph = importGraph();

  it('reads the graph (sanity: known edges are seen, type imports and re-exports included)', () => {
    assert.ok(graph.size > 100, `${graph.size} modules`);
    assert.ok(graph.get('http/query/dispatch.ts')?.has('api/invoke.ts'), 'a type-only import is an edge');
    assert.ok(graph.get('api/index.ts')?.has('api/invoke.ts'), 'a re-export is an edge');
  });

  it('nothing outside src/http imports src/http (the composition root wires it)', () => {
    assert.deepEqual(breaches(graph, (f) => folderOf(f) !== 'http' && !HTTP_WIRING.has(f), (d) => folderOf(d) !== 'http'), []);
  });

  it('src/api never imports http, portal or console', () => {
    assert.deepEqual(breaches(graph, (f) => folderOf(f) === 'api', (d) => !['http', 'portal', 'console'].includes(folderOf(d))), []);
  });

  it('src/policy imports nothing but src/shared', () => {
    assert.deepEqual(breaches(graph, (f) => folderOf(f) === 'policy', (d) => ['policy', 'shared'].includes(folderOf(d))), []);
  });

  it('has no import cycle', () => {
    assert.deepEqual(cycles(graph), []);
  });

  it('the cycle finder finds cycles (a → b → c → a, a self-import) and nothing in a DAG', () => {
    const g: Graph = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a', 'd'])],
      ['d', new Set<string>()],
      ['e', new Set(['e'])],
    ]);
    assert.deepEqual(cycles(g).sort(), [['a', 'b', 'c'], ['e']]);
    assert.deepEqual(cycles(new Map([['x', new Set(['y'])], ['y', new Set<string>()]])), []);
  });

  it('reads imports as statements, not from comments', () => {
    const text = [
      "import { a } from './a.js';",
      'import type {',
      '  B,',
      "  C } from './bc.js';",
      "export { d } from './d.js';",
      "export type * from './e.js';",
      "import './side.js';",
      ' * import { no } from "./doc-comment.js";',
      "// import { no } from './line-comment.js';",
      "const lazy = await import('./lazy.js');",
      "const url = 'import x from y';",
    ].join('\n');
    assert.deepEqual(specifiers(text).sort(), ['./a.js', './bc.js', './d.js', './e.js', './lazy.js', './side.js']);
  });

  it('the breach finder names the offending import', () => {
    const g: Graph = new Map([['policy/engine.ts', new Set(['iam/caller.ts', 'shared/errors.ts'])]]);
    assert.deepEqual(breaches(g, (f) => folderOf(f) === 'policy', (d) => ['policy', 'shared'].includes(folderOf(d))), ['policy/engine.ts → iam/caller.ts']);
  });
});
