/**
 * X.509 signing certificates of IAM users (and of the account root): Upload, List, Update,
 * DeleteSigningCertificate. Each check is one named function below:
 * - checkPem: exactly one PEM `CERTIFICATE` block, parsed by node:crypto's X509Certificate
 *   (MalformedCertificate otherwise; DER, keys and other blocks are refused);
 * - checkValidity: not expired and already valid at the request's time (InvalidCertificate);
 * - at most 2 per user (LimitExceeded: SigningCertificatesPerUser);
 * - one certificate body per account (DuplicateCertificate), by SHA-256 fingerprint.
 * With no UserName the caller's own certificates are meant (the root's for the root; other
 * callers, such as role sessions, must name a user).
 * Ids are `ASCA…`. An unknown id, or one of another user, is NoSuchEntity.
 */
import { X509Certificate } from 'node:crypto';
import { DuplicateCertificate, InvalidCertificate, MalformedCertificate, NoSuchEntity, ValidationError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { UniqueViolation, type SigningCertificateRecord } from '../../store/types.js';
import { rootArn } from '../arns.js';
import { checkQuota, conflict, findUser } from './common.js';
import type { ActionHandler, ActionTable, Input, Operation, IamActionTable } from './types.js';
import { userResource } from './users.js';

export const SIGNING_CERTIFICATES_PER_USER = 2;

const PEM = /^\s*-----BEGIN CERTIFICATE-----\r?\n([A-Za-z0-9+/=\r\n]+?)\r?\n?-----END CERTIFICATE-----\s*$/;

/** Exactly one PEM certificate; MalformedCertificate for anything else. */
export function checkPem(body: string): X509Certificate {
  const malformed = () => new MalformedCertificate('Unable to parse certificate. Please ensure the certificate is in PEM format.');
  if (!PEM.test(body)) throw malformed();
  try {
    return new X509Certificate(body);
  } catch (err) {
    throw new MalformedCertificate('Unable to parse certificate. Please ensure the certificate is in PEM format.', { cause: err });
  }
}

/** Valid at `now`: InvalidCertificate when expired or not yet valid. */
export function checkValidity(cert: X509Certificate, now: number): void {
  if (Date.parse(cert.validTo) < now) throw new InvalidCertificate(`The certificate expired on ${new Date(cert.validTo).toISOString()}.`);
  if (Date.parse(cert.validFrom) > now) throw new InvalidCertificate(`The certificate is not valid before ${new Date(cert.validFrom).toISOString()}.`);
}

/**
 * The user meant by the request: UserName, else the calling IAM user, else (the root calling)
 * the root itself (undefined). Other callers must name a user (ValidationError), as in AWS.
 */
function ownerName(input: { UserName?: string | undefined }, op: Operation): string | undefined {
  const name = input.UserName ?? (op.caller.type === 'User' ? op.caller.user?.name : undefined);
  if (name === undefined && op.caller.type !== 'Account') throw new ValidationError('Must specify userName when calling with non-User credentials');
  return name;
}

async function owner(input: Input, op: Operation): Promise<{ userId: string | null; userName: string }> {
  const name = ownerName(input, op);
  if (name === undefined) return { userId: null, userName: op.caller.accountId };
  const user = await findUser(op, name);
  return { userId: user.id, userName: user.name };
}

const resource: NonNullable<ActionHandler['resource']> = (i, op) => {
  const name = ownerName(i, op);
  return name === undefined ? rootArn(op.caller.accountId) : userResource(op, name);
};

export const certificateShape = (c: SigningCertificateRecord, userName: string) => ({
  UserName: userName,
  CertificateId: c.id,
  CertificateBody: c.body,
  Status: c.status,
  UploadDate: c.uploadedAt,
});

async function findCertificate(op: Operation, id: string, userId: string | null): Promise<SigningCertificateRecord> {
  const cert = await op.deps.store.signingCertificates.get(id);
  if (!cert || cert.accountId !== op.caller.accountId || cert.userId !== userId) throw new NoSuchEntity(`The Certificate with id ${id} cannot be found.`);
  return cert;
}

export const signingCertificateActions = {
  UploadSigningCertificate: {
    resource,
    async run(input, op) {
      const who = await owner(input, op);
      const body = input.CertificateBody;
      const x509 = checkPem(body);
      checkValidity(x509, op.facts.now);
      const existing = await op.deps.store.signingCertificates.listFor(op.caller.accountId, who.userId);
      checkQuota('SigningCertificatesPerUser', existing.length + 1, SIGNING_CERTIFICATES_PER_USER);
      const cert: SigningCertificateRecord = {
        id: newId('signingCertificate'),
        accountId: op.caller.accountId,
        userId: who.userId,
        body,
        fingerprint: x509.fingerprint256.replaceAll(':', '').toLowerCase(),
        status: 'Active',
        uploadedAt: op.facts.now,
      };
      try {
        await op.deps.store.signingCertificates.create(cert);
      } catch (err) {
        if (err instanceof UniqueViolation) throw new DuplicateCertificate('The request was rejected because the same certificate is associated with an IAM user in the account.', { cause: err });
        throw err;
      }
      return { Certificate: certificateShape(cert, who.userName) };
    },
  },

  ListSigningCertificates: {
    resource,
    async run(input, op) {
      const who = await owner(input, op);
      const certs = await op.deps.store.signingCertificates.listFor(op.caller.accountId, who.userId);
      return { Certificates: certs.map((c) => certificateShape(c, who.userName)), IsTruncated: false };
    },
  },

  UpdateSigningCertificate: {
    resource,
    async run(input, op) {
      const who = await owner(input, op);
      const cert = await findCertificate(op, input.CertificateId, who.userId);
      await op.deps.store.signingCertificates.setStatus(cert.id, input.Status);
      return undefined;
    },
  },

  DeleteSigningCertificate: {
    resource,
    async run(input, op) {
      const who = await owner(input, op);
      const cert = await findCertificate(op, input.CertificateId, who.userId);
      await op.deps.store.signingCertificates.delete(cert.id);
      return undefined;
    },
  },
} satisfies IamActionTable;

/** DeleteUser refuses while the user has signing certificates (wrapping the handler in `core`). */
export function userDeletionGuard(core: ActionTable): ActionTable {
  const { DeleteUser } = core;
  if (!DeleteUser) throw new Error('signing-certificates: no DeleteUser to guard');
  return {
    DeleteUser: {
      ...DeleteUser,
      async run(input, op) {
        const user = await op.deps.store.users.get(op.caller.accountId, input.UserName);
        if (user && (await op.deps.store.signingCertificates.listFor(op.caller.accountId, user.id)).length > 0) conflict('delete signing certificates');
        return DeleteUser.run(input, op);
      },
    },
  } satisfies IamActionTable;
}
