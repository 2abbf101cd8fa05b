/** SigningCertificateRepository over SQL. One certificate body (by fingerprint) per account. */
import { UniqueViolation, type KeyStatus, type SigningCertificateRecord, type SigningCertificateRepository } from '../types.js';
import { accountOf, bump } from './common.js';
import type { SqlDriver } from './driver.js';

type CertRow = { id: string; account_id: string; user_id: string | null; body: string; fingerprint: string; status: KeyStatus; uploaded_at: number };

const toCert = (r: CertRow): SigningCertificateRecord => ({
  id: r.id,
  accountId: r.account_id,
  userId: r.user_id,
  body: r.body,
  fingerprint: r.fingerprint,
  status: r.status,
  uploadedAt: Number(r.uploaded_at),
});

export class SqlSigningCertificates implements SigningCertificateRepository {
  constructor(private readonly db: SqlDriver) {}

  create(cert: SigningCertificateRecord): Promise<void> {
    return this.db.transaction(async (tx) => {
      const clash = await tx.get<{ id: string }>('SELECT id FROM signing_certificates WHERE account_id = ? AND fingerprint = ?', [cert.accountId, cert.fingerprint]);
      if (clash) throw new UniqueViolation(`store: certificate ${cert.fingerprint} already in account ${cert.accountId}`);
      await tx.run(
        'INSERT INTO signing_certificates (id, account_id, user_id, body, fingerprint, status, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [cert.id, cert.accountId, cert.userId, cert.body, cert.fingerprint, cert.status, cert.uploadedAt],
      );
      await bump(tx, cert.accountId);
    });
  }

  async get(id: string): Promise<SigningCertificateRecord | undefined> {
    const row = await this.db.get<CertRow>('SELECT * FROM signing_certificates WHERE id = ?', [id]);
    return row && toCert(row);
  }

  async listFor(accountId: string, userId: string | null): Promise<SigningCertificateRecord[]> {
    const rows =
      userId === null
        ? await this.db.all<CertRow>('SELECT * FROM signing_certificates WHERE account_id = ? AND user_id IS NULL ORDER BY uploaded_at, id', [accountId])
        : await this.db.all<CertRow>('SELECT * FROM signing_certificates WHERE account_id = ? AND user_id = ? ORDER BY uploaded_at, id', [accountId, userId]);
    return rows.map(toCert);
  }

  setStatus(id: string, status: KeyStatus): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const accountId = await accountOf(tx, 'signing_certificates', id);
      if (accountId === undefined) return false;
      await tx.run('UPDATE signing_certificates SET status = ? WHERE id = ?', [status, id]);
      await bump(tx, accountId);
      return true;
    });
  }

  delete(id: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const accountId = await accountOf(tx, 'signing_certificates', id);
      if (accountId === undefined) return false;
      await tx.run('DELETE FROM signing_certificates WHERE id = ?', [id]);
      await bump(tx, accountId);
      return true;
    });
  }
}
