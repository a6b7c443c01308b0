import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CANONICAL_PROFILE, SettlementProfile } from '../settlement-record';
import { globMatches, loadProfiles, parseProfiles, ProfileError, profileFor } from './profiles';

function problemsOf(json: unknown): string {
  try {
    parseProfiles(json, 'test.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ProfileError);
    return (error as Error).message;
  }
  throw new Error('expected the profiles to be refused');
}

describe('loadProfiles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'profiles-'));

  it('reads the example profiles file shipped in samples/', () => {
    const profiles = loadProfiles(join(__dirname, '../../../../samples/profiles.example.json'));
    expect(profiles).toEqual([
      expect.objectContaining({
        name: 'acme-eu',
        folder: 'acme',
        delimiter: ';',
        encoding: 'latin1',
        decimalSeparator: ',',
        thousandsSeparator: '.',
        dateFormat: 'DD/MM/YYYY',
        defaultCurrency: 'EUR',
      }),
      {
        name: 'napas-tab',
        pattern: 'NAPAS_*.txt',
        delimiter: '\t',
        encoding: 'utf-8',
        decimalSeparator: '.',
        thousandsSeparator: null,
        dateFormat: 'YYYYMMDD',
        columns: {},
        defaultCurrency: 'VND',
      },
    ]);
    expect(profiles[0].columns.Belegnummer).toBe('DOC_IDT');
  });

  it('accepts a bare array, normalising encodings, currencies and column names', () => {
    const path = join(dir, 'array.json');
    writeFileSync(path, JSON.stringify([{ name: 'x', encoding: 'CP1252', defaultCurrency: 'usd', columns: { ' Amt ': 'amount' } }]));
    expect(loadProfiles(path)).toEqual([expect.objectContaining({ name: 'x', encoding: 'windows-1252', defaultCurrency: 'USD', columns: { Amt: 'AMOUNT' } })]);
  });

  it('says which file cannot be read or parsed', () => {
    expect(() => loadProfiles(join(dir, 'missing.json'))).toThrow(/cannot read .*missing\.json: ENOENT/);
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{ nope');
    expect(() => loadProfiles(path)).toThrow(/broken\.json is not valid JSON/);
  });

  it('names the profile and the field of every problem', () => {
    const message = problemsOf([
      { name: 'a', encoding: 'utf-16', delimiter: ';;', dateFormat: 'MM/YY', decimalSeparator: ';', extra: 1 },
      { name: 'b', thousandsSeparator: '.', decimalSeparator: '.', defaultCurrency: 'EURO', columns: { Betrag: 'AMOUNTS' } },
      { folder: 'x/y', pattern: 'a/*.csv' },
    ]);
    for (const expected of [
      'profile "a": unknown field "extra"',
      'profile "a": delimiter: must be one character',
      'profile "a": encoding: "utf-16" is not supported (utf-8, latin1, windows-1252)',
      'profile "a": decimalSeparator: must be "." or ","',
      'profile "a": dateFormat: "MM/YY"',
      'profile "b": thousandsSeparator: must differ from decimalSeparator',
      'profile "b": columns: "Betrag" must map to one of DOC_IDT',
      'profile "b": defaultCurrency: "EURO" is not an ISO 4217 currency code',
      'profile #3: name: required',
      'profile #3: folder: must be the name of one inbox subfolder',
      'profile #3: pattern: must be a file-name pattern',
    ]) {
      expect(message).toContain(expected);
    }
  });

  it('refuses duplicate names and folders, the reserved name, and a file that is not a list', () => {
    expect(
      problemsOf([
        { name: 'a', folder: 'f' },
        { name: 'A', folder: 'F' },
      ]),
    ).toMatch(/name used twice.*folder "F" is already the folder of profile "a"/);
    expect(problemsOf([{ name: 'canonical' }])).toContain('reserved');
    expect(problemsOf({ name: 'a' })).toContain('expected an array of profiles');
    expect(problemsOf(['a'])).toContain('profile #1: must be an object');
  });
});

describe('profileFor', () => {
  const base = { ...CANONICAL_PROFILE, columns: {} };
  const byFolder: SettlementProfile = { ...base, name: 'acme', folder: 'acme', pattern: 'ACME_*.csv' };
  const byPattern: SettlementProfile = { ...base, name: 'napas', pattern: 'napas_??.CSV' };
  const other: SettlementProfile = { ...base, name: 'other', pattern: '*.csv' };
  const profiles = [byFolder, byPattern, other];

  it('takes an explicit name first, case-insensitively, canonical included', () => {
    expect(profileFor('acme/file.csv', profiles, 'NAPAS')).toBe(byPattern);
    expect(profileFor('acme/file.csv', profiles, 'canonical')).toBe(CANONICAL_PROFILE);
    expect(profileFor('acme/file.csv', profiles, '  ')).toBe(byFolder);
  });

  it('refuses an unknown explicit name, listing the declared ones', () => {
    expect(() => profileFor('file.csv', profiles, 'nope')).toThrow('unknown profile "nope" (declared: canonical, acme, napas, other)');
  });

  it('then the inbox folder, then the file-name pattern, then the canonical profile', () => {
    expect(profileFor('acme/anything.txt', profiles)).toBe(byFolder);
    expect(profileFor('ACME\\sub\\x.txt', profiles)).toBe(byFolder);
    expect(profileFor('napas_01.csv', profiles)).toBe(byPattern);
    expect(profileFor('unknown/napas_01.csv', profiles)).toBe(byPattern);
    expect(profileFor('napas_001.csv', profiles)).toBe(other);
    expect(profileFor('ACME_1.csv', profiles)).toBe(byFolder);
    expect(profileFor('file.txt', profiles)).toBe(CANONICAL_PROFILE);
    expect(profileFor('file.csv', [])).toBe(CANONICAL_PROFILE);
  });

  it('matches * and ? only, everything else literally', () => {
    expect(globMatches('a.c*', 'a.csv')).toBe(true);
    expect(globMatches('a.c*', 'abcsv')).toBe(false);
    expect(globMatches('(x)?', '(x)1')).toBe(true);
    expect(globMatches('a?', 'a')).toBe(false);
  });
});
