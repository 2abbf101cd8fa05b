/**
 * The limits of a policy simulation (IAM Simulate*, the console simulator): what an
 * action name looks like, and a work estimate that bounds every request before any of
 * it is computed (SECURITY.md H1).
 *
 * The estimate is an upper bound on what `explain` can do for one action × resource
 * pair, in "units" of about one character comparison:
 *   pair = Σ policies [ chars + action × (|action| + 8) + resource × (|resource| + 8)
 *                       + context × (context text + 8) + statements × statementUnits ]
 * where `action`, `resource` and `context` are the weights of the strings a statement
 * matches against the action (Action, NotAction), the resource (Resource, NotResource) and
 * the context values (Condition and Principal values, and Resource entries with a policy
 * variable, whose substituted text comes from the context). A string's weight is its cost
 * per character of text: the wildcard matcher (wildcard.ts) costs text + pattern for literal
 * pieces (weight 1 + min(8, ⌈length / 4⌉), which also covers indexOf on short pieces) and
 * text × ⌈piece / 32⌉ words for pieces with `?` (weight 8 + ⌈length / 2⌉, each word step
 * costing a few units). The context text is Σ over the context values of (key + value + 1).
 * Measured on the worst shapes we could build (many short `?` action patterns), a unit costs
 * at most about 0.6 ns once the code is warm (most shapes 0.01–0.3 ns, on a loaded 2-core
 * machine); the ceilings below are set from that, with room.
 */
/** `service:Action`, as AWS writes them; `*` and `?` are allowed in the action part. */
const ACTION_NAME = /^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$/;

/** Why `name` is not an action name, or undefined when it is one. */
export function actionNameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'An action name is required, for example iam:CreateUser.';
  if (!ACTION_NAME.test(name)) return `Invalid action name ${name}: an action is a service prefix and an action name, for example iam:CreateUser.`;
  return undefined;
}

/** The defaults and ceilings a simulation runs under; README "Security limits" lists them. */
export const SIMULATION_LIMITS = {
  /** Results per page when MaxItems is absent (AWS's default). */
  defaultMaxItems: 100,
  /**
   * Characters of one policy document given in the request (AWS's model allows 131,072):
   * compiling one is a single step, and 32 KB (a KMS key policy's maximum) compiles in ~10 ms.
   */
  documentChars: 32_768,
  /**
   * Results plus matched statements in one page: past it the page ends early with IsTruncated
   * and a Marker (AWS: "IAM might return fewer than the MaxItems number of results"), which
   * bounds the XML answer.
   */
  pageEntries: 2_000,
  /** Units each statement of the policies adds to a pair: a matched statement's share of the answer. */
  statementUnits: 20_000,
  /** Units one action × resource pair may cost: at most about 30 ms of matching. */
  pairUnits: 30_000_000,
  /** Units one request (one page of results) may cost: at most about 3 s of matching, in slices. */
  requestUnits: 3_000_000_000,
  /** Units evaluated before yielding the event loop (setImmediate): at most about 10 ms. */
  sliceUnits: 10_000_000,
} as const;

/** The estimate's inputs for one policy document. */
export interface PolicyWeight {
  chars: number;
  action: number;
  resource: number;
  context: number;
  statements: number;
}

/** What one action × resource pair brings to the estimate besides the policies. */
export interface PairText {
  action: number;
  resource: number;
  context: number;
}

/** The cost per character of text of one string used as a pattern (see the header). */
function stringWeight(s: string): number {
  return s.includes('?') ? 8 + Math.ceil(s.length / 2) : 1 + Math.min(8, Math.ceil(s.length / 4));
}

/** Σ weights of every string under `v` (a JSON value). */
function leavesWeight(v: unknown): number {
  if (typeof v === 'string') return stringWeight(v);
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + leavesWeight(x), 0);
  if (v !== null && typeof v === 'object') return Object.entries(v).reduce((n: number, [k, x]) => n + stringWeight(k) + leavesWeight(x), 0);
  return 0;
}

/**
 * The weights of a policy document that parsePolicy accepted (so its text is valid JSON
 * without duplicate keys, and JSON.parse sees what the engine saw).
 */
export function policyWeight(text: string): PolicyWeight {
  const w: PolicyWeight = { chars: text.length, action: 0, resource: 0, context: 0, statements: 0 };
  if (text === '') return w;
  const doc = JSON.parse(text) as { Statement?: unknown };
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  for (const st of statements) {
    if (st === null || typeof st !== 'object') continue;
    w.statements++;
    for (const [key, value] of Object.entries(st as Record<string, unknown>)) {
      if (key === 'Action' || key === 'NotAction') w.action += leavesWeight(value);
      else if (key === 'Condition' || key === 'Principal' || key === 'NotPrincipal') w.context += leavesWeight(value);
      else if (key === 'Resource' || key === 'NotResource') {
        for (const r of Array.isArray(value) ? value : [value]) {
          const rw = leavesWeight(r);
          w.resource += rw;
          if (typeof r === 'string' && r.includes('${')) w.context += rw;
        }
      }
    }
  }
  return w;
}

/** Units one pair costs at most, for policies of total weights `w` and the pair's own text. */
export function pairUnits(w: PolicyWeight, text: PairText): number {
  return w.chars + w.action * (text.action + 8) + w.resource * (text.resource + 8) + w.context * (text.context + 8) + w.statements * SIMULATION_LIMITS.statementUnits;
}

/** Σ of several weights. */
export function totalWeight(weights: readonly PolicyWeight[]): PolicyWeight {
  const out: PolicyWeight = { chars: 0, action: 0, resource: 0, context: 0, statements: 0 };
  for (const w of weights) {
    out.chars += w.chars;
    out.action += w.action;
    out.resource += w.resource;
    out.context += w.context;
    out.statements += w.statements;
  }
  return out;
}
