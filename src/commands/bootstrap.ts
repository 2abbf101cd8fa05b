/**
 * `gatehouse bootstrap [--config FILE] --json`: creates the account if the store has none
 * (and the broker user), then a new root access key, printed once:
 * {"AccountId":"…","AccessKeyId":"AKIA…","SecretAccessKey":"…"}.
 */
import { loadConfig, type Env } from '../config/index.js';
import { systemClock } from '../shared/clock.js';
import { openStore } from '../store/index.js';
import { Keyring } from '../iam/keyring.js';
import { createRootKey, ensureAccount } from '../iam/bootstrap.js';

export async function bootstrap(options: { configFile?: string; env?: Env }): Promise<{ AccountId: string; AccessKeyId: string; SecretAccessKey: string; created: boolean }> {
  const env = options.env ?? process.env;
  const config = loadConfig({ file: options.configFile, env });
  const store = await openStore(config.store.url, { dataDir: config.dataDir });
  try {
    const keyring = Keyring.open(config.dataDir, env.GATEHOUSE_KEK);
    const { account, created } = await ensureAccount(store, systemClock, config.federation.broker);
    return { ...(await createRootKey(store, keyring, systemClock, account.id)), created };
  } finally {
    await store.close();
  }
}
