import type { KedConfig } from '../../../src/config/ked-config';
import { loadConfig } from '../../../src/config/ked-config';
import { SERVER_URL, scratchDatabase, serverReachable, tempDataDir, type Engine } from './engines';

/** A configuration for one test app on the given engine, and what to clean up afterwards. */
export async function testConfig(engine: Engine, env: Record<string, string> = {}): Promise<{ config: KedConfig; cleanup: () => Promise<void> } | null> {
  if (engine === 'server' && !(await serverReachable())) {
    // CI's machine runs a server: there, an unreachable one is a failure, not a skip.
    if (process.env.CI) throw new Error(`CI is set but no PostgreSQL server answers at ${SERVER_URL}`);
    return null;
  }
  const data = tempDataDir();
  const scratch = engine === 'server' ? await scratchDatabase() : null;
  const config = loadConfig({
    KED_DATA_DIR: data.dir,
    PORT: '0',
    LOG_LEVEL: 'warn',
    // Tests that want facts applied turn the worker on themselves.
    KED_WORKER: 'off',
    // Each test app makes its own key; keys.e2e-spec covers the first-start admin key.
    KED_INITIAL_ADMIN_KEY: 'off',
    ...env,
    ...(scratch ? { DATABASE_URL: scratch.url } : {}),
  });
  return {
    config,
    cleanup: async () => {
      await scratch?.drop();
      data.remove();
    },
  };
}
