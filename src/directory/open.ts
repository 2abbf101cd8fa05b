/**
 * openDirectory: the directory the `directory:` block names, for the composition root.
 * `url: "embedded"` starts the demo directory and points a connector at it; any other URL gets a
 * connector straight away (nothing is contacted until the first login or ping).
 */
import type { DirectoryConfig } from '../config/directory.js';
import type { Logger } from '../shared/logger.js';
import { startEmbeddedDirectory, type EmbeddedDirectory } from './embedded/index.js';
import { LdapConnector } from './ldap-connector.js';

export interface OpenDirectory {
  connector: LdapConnector;
  /** Set when the demo directory is running (its logins are for the start-up banner). */
  embedded?: EmbeddedDirectory;
  /** Waits for logins in flight, then stops the demo directory if there is one. */
  close(): Promise<void>;
}

export async function openDirectory(config: DirectoryConfig, deps: { dataDir: string; logger: Logger }): Promise<OpenDirectory> {
  if (config.url !== 'embedded') {
    const connector = new LdapConnector(config, deps.logger);
    return { connector, close: () => connector.close() };
  }
  const embedded = await startEmbeddedDirectory({ dataDir: deps.dataDir, logger: deps.logger, timeoutMs: config.timeoutMs });
  const connector = new LdapConnector({ ...embedded, poolSize: config.poolSize, poolIdleMs: config.poolIdleMs, nestedGroupCacheMs: config.nestedGroupCacheMs }, deps.logger);
  return {
    connector,
    embedded,
    close: async () => {
      await connector.close();
      await embedded.close();
    },
  };
}
