import { bootConfig } from '@app/core';
import { Boot, runCli } from './commands';

/** `npm run cli -- <command> [options]` (`--help` for the list, `<command> --help` for one). */
async function main(): Promise<void> {
  let booted: ReturnType<Boot> | undefined;
  const boot: Boot = () => (booted ??= bootConfig());
  const code = await runCli(process.argv.slice(2), boot);
  booted?.logger.flush();
  process.exit(code);
}

void main();
