/** CloudTrail's LookupEvents errors (JSON 1.1 `__type`), all 400. */
import { ServiceError } from '../shared/errors.js';

function define<C extends string>(code: C) {
  return class extends ServiceError {
    readonly code: C = code;
    readonly status: number = 400;
  };
}

export class InvalidLookupAttributes extends define('InvalidLookupAttributesException') {}
export class InvalidTimeRange extends define('InvalidTimeRangeException') {}
export class InvalidMaxResults extends define('InvalidMaxResultsException') {}
export class InvalidNextToken extends define('InvalidNextTokenException') {}
export class InvalidEventCategory extends define('InvalidEventCategoryException') {}
export class SerializationException extends define('SerializationException') {}
export class UnknownOperation extends define('UnknownOperationException') {}
