/**
 * `gatehouse audit verify [--config FILE] [--from TIME]`: checks the audit hash chain of every
 * account (src/audit/chain.ts) and names the first broken record. Exit 0 when intact, 1 when
 * broken, 2 for bad input. TIME is ISO 8601 (or epoch ms).
 */
import { loadConfig, type Env } from '../config/index.js';
import { openStore } from '../store/index.js';
import { verifyChain, type VerifyResult } from '../audit/chain.js';

export async function auditVerify(options: { configFile?: string | undefined; from?: string | undefined; env?: Env }): Promise<{ code: number; text: string }> {
  let from: number | undefined;
  if (options.from !== undefined) {
    from = /^\d+$/.test(options.from) ? Number(options.from) : Date.parse(options.from);
    if (!Number.isFinite(from)) return { code: 2, text: `gatehouse audit verify: --from ${JSON.stringify(options.from)} is not a time (ISO 8601 or epoch ms)\n` };
  }
  const config = loadConfig({ file: options.configFile, env: options.env ?? process.env });
  const store = await openStore(config.store.url, { dataDir: config.dataDir });
  try {
    const result: VerifyResult = await verifyChain(store, from === undefined ? {} : { from });
    if (result.ok) return { code: 0, text: `audit chain intact: ${result.events} events in ${result.accounts} account(s)\n` };
    return {
      code: 1,
      text: `audit chain BROKEN at account ${result.accountId} seq ${result.seq}${result.eventId ? ` (event ${result.eventId})` : ''}: ${result.reason}; ${result.events} events verified before it\n`,
    };
  } finally {
    await store.close();
  }
}
