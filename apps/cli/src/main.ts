import { bootConfig } from '@app/core';
import { runCommand } from './commands';

/** `npm run cli -- <command> [options]`: what the source systems' Makefile did. */
async function main(): Promise<void> {
  const { config, logger } = bootConfig();
  const [command = 'help', ...args] = process.argv.slice(2);
  const code = await runCommand(command, args, config, logger);
  logger.flush();
  process.exit(code);
}

void main();
