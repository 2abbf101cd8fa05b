/**
 * Public types of the policy engine.
 */

/** Where a policy document is used; decides which elements it may carry. */
export type PolicyKind = 'identity' | 'session' | 'boundary' | 'trust' | 'resource';

/** The three outcomes of an authorisation decision. */
export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

export type Effect = 'Allow' | 'Deny';

/** Principal types as they appear in `aws:PrincipalType`. */
export type PrincipalType = 'User' | 'FederatedUser' | 'AssumedRole' | 'Account' | 'Anonymous';

/** A request context value: single-valued keys hold a string, multivalued keys an array. */
export type ContextValue = string | readonly string[];

/** One statement that took part in a decision. */
export interface MatchedStatement {
  /** The label of the policy (its name or ARN, or `identity[0]` etc.). */
  policy: string;
  /** Which set the policy was in. */
  policyType: PolicyKind;
  /** Zero-based index of the statement in the document. */
  statementIndex: number;
  sid?: string;
  effect: Effect;
}

export interface Explanation {
  decision: Decision;
  /** Human-readable reason for the decision, naming the policy and statement where one decided it. */
  reason: string;
  /** Every statement that matched the request (Allow and Deny), in evaluation order. */
  matchedStatements: MatchedStatement[];
}

/** A principal as the trust-policy evaluator sees it. */
export interface TrustPrincipal {
  /** `AWS` principals (users, roles, sessions, accounts), `Service` or `Federated`. */
  type: 'AWS' | 'Service' | 'Federated';
  /** ARN for AWS principals, service name (`ec2.amazonaws.com`) or provider ARN otherwise. */
  id: string;
  /** For an assumed-role session: the ARN of the role (with its path). */
  roleArn?: string;
}
