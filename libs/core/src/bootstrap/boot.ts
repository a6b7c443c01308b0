import { AppConfigService } from '../config/app-config.service';
import { ConfigError, Env, loadConfig } from '../config/load-config';
import { AppLogger } from '../logging/app-logger';
import { logFormatFor } from '../logging/pretty';

/** Read from the working directory at boot when present, like @nestjs/config's default env file. */
export const ENV_FILE = '.env';

/**
 * The first thing every entry point does: every date the process handles is UTC, and a bad
 * variable stops it here with a message naming the variable (exit code 78, EX_CONFIG). Logs are
 * readable lines on a terminal outside production, JSON otherwise (logFormatFor). A `.env`
 * in the working directory is read under the environment, and the boot log says so (names only,
 * never values), so that a copied file never changes things silently.
 */
export function bootConfig(env: Env = process.env): { config: AppConfigService; logger: AppLogger } {
  process.env.TZ = 'UTC';
  try {
    const config = new AppConfigService(loadConfig(env, { envFile: ENV_FILE }));
    const logger = new AppLogger({ ...config.get('log'), format: logFormatFor(config.get('nodeEnv'), process.stdout.isTTY) });
    const envFile = config.get('envFile');
    if (envFile) {
      const applied = envFile.applied.length > 0 ? envFile.applied.join(', ') : 'none (the environment sets them all)';
      logger.log(
        { envFile: envFile.path, applied: envFile.applied, ignored: envFile.ignored },
        `Read ${envFile.path}; variables already in the environment take precedence. Taken from it: ${applied}` +
          (envFile.ignored.length > 0 ? `; not variables of this product, ignored: ${envFile.ignored.join(', ')}` : ''),
        'Config',
      );
    }
    return { config, logger };
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}
