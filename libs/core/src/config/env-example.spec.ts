import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { AppConfig } from './config.types';
import { CONFIG_VARIABLES } from './config.variables';
import { ConfigError, loadConfig } from './load-config';

const ROOT = join(__dirname, '../../../..');
const TEXT = readFileSync(join(ROOT, '.env.example'), 'utf8');
const LINES = TEXT.split('\n');
/** The file as the product reads it (boot's .env reader is Node's dotenv parser). */
const ENTRIES = parseEnv(TEXT);

/** What may differ between two loads of the same settings: the random key that stands in for SECRET_KEY, and the file read. */
const comparable = ({ auth, envFile: _envFile, ...rest }: AppConfig) => ({ ...rest, auth: { ...auth, secretKey: 'random' } });

/**
 * Values a POSIX shell assigns as they are written, exactly as dotenv reads them: empty, a word of
 * characters the shell gives no meaning to, or a single-quoted string (no quote inside).
 */
const SHELL_SAFE_VALUE = /^(?:[A-Za-z0-9_./:@%+,=-]*|'[^']*')$/;

describe('.env.example', () => {
  it('lists exactly the variables the config reads', () => {
    expect(Object.keys(ENTRIES).sort()).toEqual([...CONFIG_VARIABLES].sort());
  });

  it('gives each variable a comment in the block above it', () => {
    for (const name of CONFIG_VARIABLES) {
      const index = LINES.findIndex((line) => line.startsWith(`${name}=`));
      const block = LINES.slice(0, index).reverse();
      const blockStart = block.findIndex((line) => line.trim() === '');
      const above = block.slice(0, blockStart === -1 ? undefined : blockStart);
      expect({ name, documented: above.some((line) => line.startsWith('#')) }).toEqual({ name, documented: true });
    }
  });

  it('can be sourced by a shell: only comments, blank lines and assignments a shell reads as dotenv does', () => {
    const unsafe = LINES.filter((line) => line.trim() !== '' && !line.startsWith('#')).filter((line) => {
      const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
      return !match || !SHELL_SAFE_VALUE.test(match[2]);
    });
    expect(unsafe).toEqual([]);
    // And the shell's reading is the product's: quotes stripped, nothing else changed.
    for (const line of LINES.filter((l) => /^[A-Z]/.test(l))) {
      const [, name, raw] = /^([A-Z0-9_]+)=(.*)$/.exec(line)!;
      expect({ name, value: raw.replace(/^'(.*)'$/, '$1') }).toEqual({ name, value: ENTRIES[name] });
    }
  });

  it('holds the defaults: read as a .env, it configures exactly what an empty environment does', () => {
    const fromFile = loadConfig({}, { cwd: ROOT, envFile: '.env.example' });
    expect(fromFile.envFile?.applied).toHaveLength(CONFIG_VARIABLES.length);
    expect(comparable(fromFile)).toEqual(comparable(loadConfig({}, { cwd: ROOT })));
  });

  it('shows only examples the config accepts, each in a "# example:" line naming a variable it lists', () => {
    const examples = LINES.filter((line) => line.startsWith('# example:')).map((line) => /^# example: ([A-Z0-9_]+)=(.+)$/.exec(line));
    expect(examples.length).toBeGreaterThanOrEqual(8);
    for (const example of examples) {
      expect(example).not.toBeNull();
      const [, name, value] = example!;
      expect(CONFIG_VARIABLES).toContain(name);
      expect(() => loadConfig({ [name]: value }, { cwd: ROOT })).not.toThrow();
    }
  });

  it('does not start production as it is: copied there unchanged, it stops boot for want of a SECRET_KEY', () => {
    let error: unknown;
    try {
      loadConfig({ NODE_ENV: 'production' }, { cwd: ROOT, envFile: '.env.example' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toContain('SECRET_KEY: required when NODE_ENV=production');
  });
});
