/**
 * Resource matching for the Resource / NotResource elements.
 *
 * A pattern that is a six-part ARN is matched segment by segment (a wildcard
 * never crosses one of the first five colons; the resource part keeps any
 * further colons, and `*` in it crosses `/` and `:`); anything else is matched
 * as one glob. Each segment is compiled to the cheapest test that decides it —
 * any, exact, prefix, glob — and only segments holding policy variables are
 * resolved per request. The request resource is split once per decision.
 */
import type { RequestContext } from './context.js';
import type { Template } from './template.js';
import { Glob, globMatch, globMatchRange, hasWildcard, isMatchAll, STAR } from './wildcard.js';

/** A request resource with the positions of its first five colons, split once per decision. */
export class ResourceName {
  readonly cuts: number[] | undefined;
  constructor(readonly text: string) {
    const cuts: number[] = [];
    let at = -1;
    for (let i = 0; i < 5; i++) {
      at = text.indexOf(':', at + 1);
      if (at < 0) break;
      cuts.push(at);
    }
    this.cuts = cuts.length === 5 ? cuts : undefined;
  }
  /** Start (inclusive) and end (exclusive) of segment `i` (0–5). */
  start(i: number): number {
    return i === 0 ? 0 : this.cuts![i - 1]! + 1;
  }
  end(i: number): number {
    return i === 5 ? this.text.length : this.cuts![i]!;
  }
}

const ANY = 0;
const EXACT = 1;
const PREFIX = 2;
const GLOB = 3;
const DYNAMIC = 4;

/** One compiled segment; a single shape so the matching loop stays monomorphic. */
class Segment {
  constructor(
    readonly kind: number,
    /** EXACT: the text; PREFIX and DYNAMIC: the literal text the segment starts with. */
    readonly text: string,
    /** GLOB: the compiled pattern (linear-time, see wildcard.ts). */
    readonly glob: Glob | undefined,
    readonly template: Template | undefined,
  ) {}
}

export class ResourcePattern {
  /** Literal text every matching resource starts with (a cheap first test). */
  private readonly prefix: string;
  private readonly segments: Segment[] | undefined;

  constructor(private readonly template: Template) {
    this.prefix = template.literalPrefix();
    const parts = template.splitSegments(6);
    this.segments = parts?.map(compileSegment);
  }

  /** Whether the resource matches; a variable that cannot be resolved matches nothing. */
  matches(resource: ResourceName, ctx: RequestContext): boolean {
    const text = resource.text;
    if (!text.startsWith(this.prefix)) return false;
    const segs = this.segments;
    if (segs === undefined || resource.cuts === undefined) {
      const p = this.template.resolvePattern(ctx);
      return p !== undefined && globMatch(p, text);
    }
    for (let i = 0; i < 6; i++) {
      const seg = segs[i]!;
      const s = resource.start(i);
      const e = resource.end(i);
      const kind = seg.kind;
      if (kind === ANY) continue;
      if (kind === EXACT) {
        if (e - s !== seg.text.length || !text.startsWith(seg.text, s)) return false;
        continue;
      }
      if (e - s < seg.text.length || !text.startsWith(seg.text, s)) return false;
      if (kind === GLOB) {
        if (!seg.glob!.matches(text, s, e)) return false;
      } else if (kind === DYNAMIC) {
        const p = seg.template!.resolvePattern(ctx);
        if (p === undefined || !globMatchRange(p, 0, p.length, text, s, e)) return false;
      }
    }
    return true;
  }
}

function compileSegment(t: Template): Segment {
  const codes = t.constantPattern;
  if (codes === undefined) return new Segment(DYNAMIC, t.literalPrefix(), undefined, t);
  if (isMatchAll(codes)) return new Segment(ANY, '', undefined, undefined);
  if (!hasWildcard(codes)) return new Segment(EXACT, t.constantText!, undefined, undefined);
  const last = codes.length - 1;
  if (codes[last] === STAR && !hasWildcard(codes.slice(0, last))) return new Segment(PREFIX, t.literalPrefix(), undefined, undefined);
  return new Segment(GLOB, t.literalPrefix(), new Glob(codes), undefined);
}


