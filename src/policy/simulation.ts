/**
 * The limits of a policy simulation (IAM Simulate*, the console simulator): what an
 * action name looks like, and a work estimate that bounds every request before any of
 * it is computed (SECURITY.md H1).
 *
 * The estimate is an upper bound on what `explain` can do for one action × resource
 * pair, in "units" of about one character comparison:
 *   pair = Σ policies [ chars + weight × (|action| + |resource| + context + 8) + statements × statementUnits ]
 * where `weight` is Σ over the policy's JSON strings of its cost per character of text:
 * every string may be a pattern matched once against the action, the resource or each
 * context value. The wildcard matcher (wildcard.ts) costs text + pattern for literal
 * pieces (weight 1 + min(8, ⌈length / 4⌉), which also covers indexOf on short pieces) and
 * text × ⌈piece / 32⌉ words for pieces with `?` (weight 4 + ⌈length / 2⌉, each word step
 * costing a few units). `context` is Σ over the context values of (key + value + 1).
 * Measured on the worst shapes we could build (bench/simulate.ts), a unit costs at most
 * about 1 ns (most shapes 0.01–0.3 ns); the ceilings below are set from that.
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
  weight: number;
  statements: number;
}

/** The length, string weight and statement count of a policy document (see the header). */
export function policyWeight(text: string, statements: number): PolicyWeight {
  let weight = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    if (text.charCodeAt(i) !== 0x22) {
      i++;
      continue;
    }
    const start = ++i;
    let one = false;
    while (i < n && text.charCodeAt(i) !== 0x22) {
      if (text.charCodeAt(i) === 0x3f) one = true;
      i += text.charCodeAt(i) === 0x5c ? 2 : 1;
    }
    const length = i - start;
    weight += one ? 4 + Math.ceil(length / 2) : 1 + Math.min(8, Math.ceil(length / 4));
    i++;
  }
  return { chars: n, weight, statements };
}

/** Units one pair costs at most, for policies of total `chars` and `weight`, and request text of `requestChars`. */
export function pairUnits(policies: PolicyWeight, requestChars: number): number {
  return policies.chars + policies.weight * (requestChars + 8) + policies.statements * SIMULATION_LIMITS.statementUnits;
}

/** Σ of several weights. */
export function totalWeight(weights: readonly PolicyWeight[]): PolicyWeight {
  let chars = 0;
  let weight = 0;
  let statements = 0;
  for (const w of weights) {
    chars += w.chars;
    weight += w.weight;
    statements += w.statements;
  }
  return { chars, weight, statements };
}
