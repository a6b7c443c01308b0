import { readFileSync } from 'node:fs';
import { isCurrency } from '@app/core';
import { CANONICAL_PROFILE, SETTLEMENT_COLUMNS, SettlementProfile } from '../settlement-record';
import { compileDateFormat } from './value-rules';

/**
 * Source profiles (§Settlement file): read from the JSON file named by SETTLEMENT_PROFILES, either
 * an array of profiles or `{ "profiles": [...] }`. Every field is checked and every problem named
 * (profile and field), so a bad file stops boot with a message that says what to fix. A field left
 * out takes the canonical value (comma, UTF-8, `.`, no thousands separator, YYYY-MM-DD, VND): a
 * profile declares how its sender differs from the canonical form.
 */

const ENCODINGS: Record<string, SettlementProfile['encoding']> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  latin1: 'latin1',
  'iso-8859-1': 'latin1',
  'windows-1252': 'windows-1252',
  cp1252: 'windows-1252',
};
const DECIMAL_SEPARATORS = ['.', ','];
/** Apostrophe (Swiss), space and the no-break spaces French-style files use. */
const THOUSANDS_SEPARATORS = [',', '.', ' ', "'", '\u00a0', '\u202f'];
const FIELDS = ['name', 'folder', 'pattern', 'delimiter', 'encoding', 'decimalSeparator', 'thousandsSeparator', 'dateFormat', 'columns', 'defaultCurrency'];
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export class ProfileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProfileError';
  }
}

export function loadProfiles(filePath: string): SettlementProfile[] {
  let text: string;
  try {
    text = readFileSync(filePath, 'utf8');
  } catch (error) {
    throw new ProfileError(`cannot read ${filePath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ProfileError(`${filePath} is not valid JSON: ${(error as Error).message}`);
  }
  return parseProfiles(json, filePath);
}

/** Validates already-parsed JSON (what loadProfiles read). */
export function parseProfiles(json: unknown, source = 'profiles'): SettlementProfile[] {
  const list = Array.isArray(json) ? json : isObject(json) && Array.isArray(json.profiles) ? json.profiles : null;
  if (list === null) throw new ProfileError(`${source}: expected an array of profiles or { "profiles": [...] }`);
  const problems: string[] = [];
  const profiles: SettlementProfile[] = [];
  list.forEach((entry: unknown, i: number) => {
    const label = isObject(entry) && typeof entry.name === 'string' ? `profile "${entry.name}"` : `profile #${i + 1}`;
    const own: string[] = [];
    const profile = parseProfile(entry, own);
    problems.push(...own.map((p) => `${label}: ${p}`));
    if (profile) profiles.push(profile);
  });
  problems.push(...crossChecks(profiles));
  if (problems.length > 0) throw new ProfileError(`${source}: ${problems.join('; ')}`);
  return profiles;
}

function parseProfile(entry: unknown, problems: string[]): SettlementProfile | null {
  if (!isObject(entry)) {
    problems.push('must be an object');
    return null;
  }
  for (const key of Object.keys(entry)) if (!FIELDS.includes(key)) problems.push(`unknown field "${key}" (fields: ${FIELDS.join(', ')})`);
  const d = CANONICAL_PROFILE;
  const name = entry.name;
  if (typeof name !== 'string' || !NAME.test(name)) problems.push('name: required, 1–64 of letters, digits, _ . - (starting with a letter or digit)');
  else if (name.toLowerCase() === CANONICAL_PROFILE.name) problems.push(`name: "${CANONICAL_PROFILE.name}" is reserved for the built-in profile`);

  const folder = optionalString(entry, 'folder', problems);
  if (folder !== undefined && (folder === '' || /[\\/]/.test(folder) || folder === '.' || folder === '..')) {
    problems.push('folder: must be the name of one inbox subfolder (no slashes)');
  }
  const pattern = optionalString(entry, 'pattern', problems);
  if (pattern !== undefined && (pattern === '' || /[\\/]/.test(pattern))) problems.push('pattern: must be a file-name pattern with * and ? (no slashes)');

  const delimiter = stringField(entry, 'delimiter', d.delimiter, problems);
  if (delimiter.length !== 1 || ['"', '\r', '\n'].includes(delimiter)) problems.push('delimiter: must be one character, not a quote or a line break');

  const encodingText = stringField(entry, 'encoding', d.encoding, problems);
  const encoding = ENCODINGS[encodingText.toLowerCase()];
  if (!encoding) problems.push(`encoding: "${encodingText}" is not supported (utf-8, latin1, windows-1252)`);

  const decimalSeparator = stringField(entry, 'decimalSeparator', d.decimalSeparator, problems);
  if (!DECIMAL_SEPARATORS.includes(decimalSeparator)) problems.push(`decimalSeparator: must be "." or ","`);

  let thousandsSeparator: string | null = d.thousandsSeparator;
  if (entry.thousandsSeparator !== undefined && entry.thousandsSeparator !== null) {
    thousandsSeparator = stringField(entry, 'thousandsSeparator', '', problems);
    if (!THOUSANDS_SEPARATORS.includes(thousandsSeparator)) {
      problems.push(`thousandsSeparator: must be null or one of ${THOUSANDS_SEPARATORS.map((s) => JSON.stringify(s)).join(', ')}`);
    } else if (thousandsSeparator === decimalSeparator) {
      problems.push('thousandsSeparator: must differ from decimalSeparator');
    }
  }

  const dateFormat = stringField(entry, 'dateFormat', d.dateFormat, problems);
  try {
    compileDateFormat(dateFormat);
  } catch (error) {
    problems.push(`dateFormat: "${dateFormat}" is not a format of YYYY, MM, DD and separators (${(error as Error).message})`);
  }

  const columns = parseColumns(entry.columns, problems);

  const currencyText = stringField(entry, 'defaultCurrency', d.defaultCurrency, problems);
  const defaultCurrency = currencyText.toUpperCase();
  if (!isCurrency(defaultCurrency)) problems.push(`defaultCurrency: "${currencyText}" is not an ISO 4217 currency code`);

  if (problems.length > 0) return null;
  const profile: SettlementProfile = {
    name: name as string,
    delimiter,
    encoding,
    decimalSeparator,
    thousandsSeparator,
    dateFormat,
    columns,
    defaultCurrency,
  };
  if (folder !== undefined) profile.folder = folder;
  if (pattern !== undefined) profile.pattern = pattern;
  return profile;
}

/** `{ "file header": "CANONICAL_COLUMN" }`, header names compared trimmed and case-insensitively. */
function parseColumns(value: unknown, problems: string[]): Record<string, string> {
  if (value === undefined) return {};
  if (!isObject(value)) {
    problems.push('columns: must be an object { "file header": "SETTLEMENT_COLUMN" }');
    return {};
  }
  const columns: Record<string, string> = {};
  const seen = new Set<string>();
  for (const [from, to] of Object.entries(value)) {
    const key = from.trim().toUpperCase();
    if (key === '') problems.push('columns: a header name is empty');
    else if (seen.has(key)) problems.push(`columns: "${from}" is listed twice (names are compared without regard to case)`);
    seen.add(key);
    if (typeof to !== 'string' || !(SETTLEMENT_COLUMNS as readonly string[]).includes(to.trim().toUpperCase())) {
      problems.push(`columns: "${from}" must map to one of ${SETTLEMENT_COLUMNS.join(', ')}`);
      continue;
    }
    columns[from.trim()] = to.trim().toUpperCase();
  }
  return columns;
}

function crossChecks(profiles: SettlementProfile[]): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  const folders = new Map<string, string>();
  for (const p of profiles) {
    const key = p.name.toLowerCase();
    if (names.has(key)) problems.push(`profile "${p.name}": name used twice`);
    names.add(key);
    if (p.folder !== undefined) {
      const folder = p.folder.toLowerCase();
      const other = folders.get(folder);
      if (other) problems.push(`profile "${p.name}": folder "${p.folder}" is already the folder of profile "${other}"`);
      else folders.set(folder, p.name);
    }
  }
  return problems;
}

/**
 * The profile for a file: the one named explicitly (an upload's `profile` field; unknown → error),
 * else the one whose folder is the file's first path segment in the inbox, else the first whose
 * pattern matches the file name, else the canonical profile.
 */
export function profileFor(relativePath: string, profiles: readonly SettlementProfile[], explicitName?: string): SettlementProfile {
  if (explicitName !== undefined && explicitName.trim() !== '') {
    const wanted = explicitName.trim().toLowerCase();
    if (wanted === CANONICAL_PROFILE.name) return CANONICAL_PROFILE;
    const named = profiles.find((p) => p.name.toLowerCase() === wanted);
    if (!named) {
      const declared = [CANONICAL_PROFILE.name, ...profiles.map((p) => p.name)].join(', ');
      throw new ProfileError(`unknown profile "${explicitName.trim().slice(0, 64)}" (declared: ${declared})`);
    }
    return named;
  }
  const segments = relativePath.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
  if (segments.length > 1) {
    const folder = segments[0].toLowerCase();
    const byFolder = profiles.find((p) => p.folder?.toLowerCase() === folder);
    if (byFolder) return byFolder;
  }
  const fileName = segments[segments.length - 1] ?? '';
  return profiles.find((p) => p.pattern !== undefined && globMatches(p.pattern, fileName)) ?? CANONICAL_PROFILE;
}

/** `*` any run, `?` one character, everything else literal; case-insensitive, whole name. */
export function globMatches(pattern: string, name: string): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'is').test(name);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(entry: Record<string, unknown>, field: string, problems: string[]): string | undefined {
  const value = entry[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    problems.push(`${field}: must be a string`);
    return undefined;
  }
  return value;
}

function stringField(entry: Record<string, unknown>, field: string, fallback: string, problems: string[]): string {
  const value = entry[field];
  if (value === undefined) return fallback;
  if (typeof value !== 'string') {
    problems.push(`${field}: must be a string`);
    return fallback;
  }
  return value;
}
