import { AppConfigService } from '../config/app-config.service';
import { ConfigError, Env, loadConfig } from '../config/load-config';
import { AppLogger } from '../logging/app-logger';

/**
 * The first thing every entry point does: every date the process handles is UTC, and a bad
 * variable stops it here with a message naming the variable (exit code 78, EX_CONFIG).
 */
export function bootConfig(env: Env = process.env): { config: AppConfigService; logger: AppLogger } {
  process.env.TZ = 'UTC';
  try {
    const config = new AppConfigService(loadConfig(env));
    const logger = new AppLogger(config.get('log'));
    return { config, logger };
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}
