/**
 * The error hierarchy. Every error a caller can see has a stable AWS error
 * code and an HTTP status as part of its type. Messages are shown to callers
 * only when `expose` is true (status < 500); 5xx errors are logged with their
 * cause and answered with a generic message.
 */

export type ErrorType = 'Sender' | 'Receiver';

export abstract class ServiceError extends Error {
  /** Stable AWS error code, e.g. `NoSuchEntity`. */
  abstract readonly code: string;
  /** HTTP status the query protocol answers with. */
  abstract readonly status: number;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }

  /** `Sender` for client faults (4xx), `Receiver` for server faults (5xx). */
  get type(): ErrorType {
    return this.status < 500 ? 'Sender' : 'Receiver';
  }

  /** Whether the message may be shown to the caller. */
  get expose(): boolean {
    return this.status < 500;
  }
}

function define<C extends string>(code: C, status: number) {
  return class extends ServiceError {
    readonly code: C = code;
    readonly status: number = status;
  };
}

export class ValidationError extends define('ValidationError', 400) {}
export class InvalidInput extends define('InvalidInput', 400) {}
export class InvalidAction extends define('InvalidAction', 400) {}
export class MissingParameter extends define('MissingParameter', 400) {}
export class InvalidParameterValue extends define('InvalidParameterValue', 400) {}
export class InvalidParameterCombination extends define('InvalidParameterCombination', 400) {}
export class MalformedPolicyDocument extends define('MalformedPolicyDocument', 400) {}
export class PackedPolicyTooLarge extends define('PackedPolicyTooLarge', 400) {}
export class NoSuchEntity extends define('NoSuchEntity', 404) {}
export class EntityAlreadyExists extends define('EntityAlreadyExists', 409) {}
export class DeleteConflict extends define('DeleteConflict', 409) {}
export class UnmodifiableEntity extends define('UnmodifiableEntity', 400) {}
export class LimitExceeded extends define('LimitExceeded', 409) {}
export class AccessDenied extends define('AccessDenied', 403) {}
export class MissingAuthenticationToken extends define('MissingAuthenticationToken', 403) {}
export class IncompleteSignature extends define('IncompleteSignature', 400) {}
export class InvalidClientTokenId extends define('InvalidClientTokenId', 403) {}
export class SignatureDoesNotMatch extends define('SignatureDoesNotMatch', 403) {}
export class RequestExpired extends define('RequestExpired', 400) {}
export class ExpiredToken extends define('ExpiredToken', 400) {}
export class ServiceUnavailable extends define('ServiceUnavailable', 503) {}

/** An unexpected fault. The message is logged, never shown. */
export class ServiceFailure extends define('ServiceFailure', 500) {}

/** Wraps anything thrown into a ServiceError, keeping the original as `cause`. */
export function toServiceError(err: unknown): ServiceError {
  if (err instanceof ServiceError) return err;
  return new ServiceFailure('internal failure', { cause: err });
}

/** The message a caller may see for this error. */
export function publicMessage(err: ServiceError): string {
  return err.expose ? err.message : 'We encountered an internal error. Please try again.';
}

export class PasswordPolicyViolation extends define('PasswordPolicyViolation', 400) {}
export class InvalidAuthenticationCode extends define('InvalidAuthenticationCode', 403) {}
export class InvalidUserType extends define('InvalidUserType', 400) {}
export class MalformedQueryString extends define('MalformedQueryString', 400) {}
export class PolicyNotAttachable extends define('PolicyNotAttachable', 400) {}
export class MalformedCertificate extends define('MalformedCertificate', 400) {}
export class InvalidCertificate extends define('InvalidCertificate', 400) {}
export class DuplicateCertificate extends define('DuplicateCertificate', 409) {}
export class PayloadTooLarge extends define('RequestEntityTooLarge', 413) {}
