/**
 * One compiled statement: its effect, and matchers for its action, resource,
 * principal and condition elements, each built once at parse time.
 *
 * - Actions: case-insensitive, `*` and `?`; exact names are looked up in a set.
 * - Resources: case-sensitive; ARNs match segment by segment; `*` crosses `/`;
 *   patterns with policy variables are resolved per request.
 * - NotAction / NotResource / NotPrincipal match everything not listed.
 */
import type { RequestContext } from './context.js';
import type { CompiledCondition } from './condition.js';
import type { PrincipalMatcher } from './principal.js';
import type { Template } from './template.js';
import type { Effect, TrustPrincipal } from './types.js';
import { ResourcePattern, type ResourceName } from './resource.js';
import { Glob, globCodes, hasWildcard, isMatchAll } from './wildcard.js';

export class ActionMatcher {
  private readonly all: boolean;
  private readonly exact = new Set<string>();
  /** Patterns of the form `literal*`, matched with startsWith. */
  private readonly prefixes: string[] = [];
  private readonly globs: Glob[] = [];
  /** Lower-cased service prefixes the patterns can match, or undefined when any service. */
  readonly services: ReadonlySet<string> | undefined;

  constructor(patterns: readonly string[]) {
    let all = false;
    const services = new Set<string>();
    let anyService = false;
    for (const raw of patterns) {
      const p = raw.toLowerCase();
      const codes = globCodes(p);
      const colon = p.indexOf(':');
      const service = colon < 0 ? p : p.slice(0, colon);
      if (/[*?]/.test(service)) anyService = true;
      else services.add(service);
      const star = p.indexOf('*');
      if (isMatchAll(codes)) all = true;
      else if (!hasWildcard(codes)) this.exact.add(p);
      else if (star === p.length - 1 && !p.includes('?')) this.prefixes.push(p.slice(0, -1));
      else this.globs.push(new Glob(codes));
    }
    this.all = all;
    this.services = all || anyService ? undefined : services;
  }

  /** `action` must already be lower-cased. */
  matches(action: string): boolean {
    if (this.all || this.exact.has(action)) return true;
    for (let i = 0; i < this.prefixes.length; i++) if (action.startsWith(this.prefixes[i]!)) return true;
    for (let i = 0; i < this.globs.length; i++) if (this.globs[i]!.matches(action)) return true;
    return false;
  }
}

export class ResourceMatcher {
  private readonly all: boolean;
  private readonly exact = new Set<string>();
  private readonly patterns: ResourcePattern[] = [];

  constructor(templates: readonly Template[]) {
    let all = false;
    for (const t of templates) {
      const p = t.constantPattern;
      if (p !== undefined && isMatchAll(p)) all = true;
      else if (p !== undefined && !hasWildcard(p)) this.exact.add(t.constantText!);
      else this.patterns.push(new ResourcePattern(t));
    }
    this.all = all;
  }

  /** Whether some entry matches; an entry whose variable cannot be resolved matches nothing. */
  matches(resource: ResourceName, ctx: RequestContext): boolean {
    if (this.all || this.exact.has(resource.text)) return true;
    for (let i = 0; i < this.patterns.length; i++) if (this.patterns[i]!.matches(resource, ctx) === true) return true;
    return false;
  }
}

export interface StatementParts {
  index: number;
  sid: string | undefined;
  effect: Effect;
  actions: ActionMatcher;
  notAction: boolean;
  resources: ResourceMatcher | undefined;
  notResource: boolean;
  principals: PrincipalMatcher | undefined;
  notPrincipal: boolean;
  conditions: readonly CompiledCondition[];
}

export class CompiledStatement {
  readonly index: number;
  readonly sid: string | undefined;
  readonly effect: Effect;
  private readonly actions: ActionMatcher;
  private readonly notAction: boolean;
  private readonly resources: ResourceMatcher | undefined;
  private readonly notResource: boolean;
  private readonly principals: PrincipalMatcher | undefined;
  private readonly notPrincipal: boolean;
  readonly conditions: readonly CompiledCondition[];

  constructor(parts: StatementParts) {
    this.index = parts.index;
    this.sid = parts.sid;
    this.effect = parts.effect;
    this.actions = parts.actions;
    this.notAction = parts.notAction;
    this.resources = parts.resources;
    this.notResource = parts.notResource;
    this.principals = parts.principals;
    this.notPrincipal = parts.notPrincipal;
    this.conditions = parts.conditions;
  }

  /**
   * Lower-cased services whose actions this statement can match, or undefined
   * when it may match any service (wildcard service, `*`, or NotAction).
   */
  get services(): ReadonlySet<string> | undefined {
    return this.notAction ? undefined : this.actions.services;
  }

  /** `action` must already be lower-cased. */
  matchesAction(action: string): boolean {
    return this.actions.matches(action) !== this.notAction;
  }

  /**
   * A statement without a Resource element (a trust policy) matches every resource.
   * An entry with an unresolvable variable matches no resource, so under NotResource it excludes nothing.
   */
  matchesResource(resource: ResourceName, ctx: RequestContext): boolean {
    return this.resources === undefined || this.resources.matches(resource, ctx) !== this.notResource;
  }

  /** A statement without a Principal element (an identity policy) matches every principal. */
  matchesPrincipal(principal: TrustPrincipal): boolean {
    return this.principals === undefined || this.principals.matches(principal) !== this.notPrincipal;
  }

  conditionsHold(ctx: RequestContext): boolean {
    const c = this.conditions;
    for (let i = 0; i < c.length; i++) if (!c[i]!.holds(ctx)) return false;
    return true;
  }

  /** Whether the statement applies to an action (lower-cased) on a resource in a context. */
  applies(action: string, resource: ResourceName, ctx: RequestContext): boolean {
    return this.matchesAction(action) && this.matchesResource(resource, ctx) && this.conditionsHold(ctx);
  }
}
