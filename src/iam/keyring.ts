/**
 * Secrets at rest: access-key secrets and MFA seeds are encrypted with
 * AES-256-GCM under a key-encryption key (KEK). The KEK comes from config
 * (`GATEHOUSE_KEK`, 32 bytes base64) or from `<dataDir>/kek` (created once,
 * mode 0600). Ciphertext format: `v1.<iv b64>.<tag b64>.<ciphertext b64>`;
 * the record id is bound as additional authenticated data, so a ciphertext
 * moved to another record does not decrypt.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class Keyring {
  private constructor(private readonly kek: Buffer) {}

  static fromKey(key: Buffer): Keyring {
    if (key.length !== 32) throw new Error('keyring: the key-encryption key must be 32 bytes');
    return new Keyring(key);
  }

  /** Loads `<dataDir>/kek`, creating it (0600) on first use, unless `base64Key` is given. */
  static open(dataDir: string, base64Key?: string): Keyring {
    if (base64Key) return Keyring.fromKey(Buffer.from(base64Key, 'base64'));
    const file = join(dataDir, 'kek');
    if (!existsSync(file)) {
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    }
    return Keyring.fromKey(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64'));
  }

  /** A 32-byte key for another purpose (e.g. session tokens), derived with HKDF so the KEK itself is never reused. */
  deriveKey(purpose: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.kek, 'gatehouse-keyring', purpose, 32));
  }

  encrypt(plaintext: string, recordId: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.kek, iv);
    cipher.setAAD(Buffer.from(recordId));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `v1.${iv.toString('base64')}.${cipher.getAuthTag().toString('base64')}.${ct.toString('base64')}`;
  }

  decrypt(ciphertext: string, recordId: string): string {
    const [version, iv, tag, ct] = ciphertext.split('.');
    if (version !== 'v1' || !iv || !tag || ct === undefined) throw new Error('keyring: unknown ciphertext format');
    const decipher = createDecipheriv('aes-256-gcm', this.kek, Buffer.from(iv, 'base64'));
    decipher.setAAD(Buffer.from(recordId));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64')), decipher.final()]).toString('utf8');
  }
}
