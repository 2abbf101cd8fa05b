/**
 * The table of condition operators, by base name. `Null` is not here: it tests
 * presence rather than values, and the condition evaluator handles it.
 */
import type { Operator } from './operator.js';
import { stringOperators } from './string.js';
import { numericOperators } from './numeric.js';
import { dateOperators } from './date.js';
import { Bool } from './bool.js';
import { BinaryEquals } from './binary.js';
import { IpAddress, NotIpAddress } from './ip.js';
import { ArnEquals, ArnLike, ArnNotEquals, ArnNotLike } from './arn.js';

export type { Operator } from './operator.js';
export { isError } from './operator.js';

const all: Operator[] = [
  ...stringOperators,
  ...numericOperators,
  ...dateOperators,
  Bool,
  BinaryEquals,
  IpAddress,
  NotIpAddress,
  ArnEquals,
  ArnLike,
  ArnNotEquals,
  ArnNotLike,
] as Operator[];

export const OPERATORS: ReadonlyMap<string, Operator> = new Map(all.map((op) => [op.name, op]));
