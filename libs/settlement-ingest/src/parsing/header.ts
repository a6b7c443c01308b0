import { REQUIRED_COLUMNS, SETTLEMENT_COLUMNS, SettlementColumn, SettlementFileError, SettlementProfile } from '../settlement-record';
import { echo } from './value-rules';

/** Where each settlement column sits in the file's rows (-1: absent), and how many fields a row must have. */
export interface HeaderLayout {
  /** Indexed like SETTLEMENT_COLUMNS. */
  positions: Int32Array;
  fieldCount: number;
}

const KNOWN = new Set<string>(SETTLEMENT_COLUMNS);

/** Header name → canonical column: names compared trimmed and upper-cased, the profile's renames first. */
function renames(profile: SettlementProfile): Map<string, string> {
  const map = new Map<string, string>();
  for (const [from, to] of Object.entries(profile.columns)) map.set(from.trim().toUpperCase(), to.trim().toUpperCase());
  return map;
}

/**
 * Reads the header row. Unknown columns are ignored; a file fails as a whole when its header names a
 * settlement column twice or lacks a required one (every missing one is named).
 */
export function readHeader(names: readonly string[], count: number, line: number, profile: SettlementProfile): HeaderLayout {
  if (count > names.length) throw new SettlementFileError(`header has ${count} columns, more than this parser accepts`);
  if (profile.encoding !== 'utf-8' && names[0]?.startsWith('\u00ef\u00bb\u00bf')) {
    throw new SettlementFileError(`the file starts with a UTF-8 byte order mark, but profile "${profile.name}" declares ${profile.encoding}`);
  }
  const rename = renames(profile);
  const positions = new Int32Array(SETTLEMENT_COLUMNS.length).fill(-1);
  const duplicates: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = names[i].trim().toUpperCase();
    const column = rename.get(name) ?? name;
    if (!KNOWN.has(column)) continue;
    const slot = SETTLEMENT_COLUMNS.indexOf(column as SettlementColumn);
    if (positions[slot] >= 0) duplicates.push(`${column} (columns ${positions[slot] + 1} and ${i + 1})`);
    else positions[slot] = i;
  }
  if (duplicates.length > 0) throw new SettlementFileError(`header names a column twice: ${duplicates.join(', ')}`);

  const missing = REQUIRED_COLUMNS.filter((column) => positions[SETTLEMENT_COLUMNS.indexOf(column)] < 0);
  if (missing.length > 0) {
    const found = positions.some((p) => p >= 0);
    const shown = echo(names.slice(0, Math.min(count, 8)).join(profile.delimiter));
    const what = found ? 'header lacks required columns' : 'no header row: the first line names none of the settlement columns';
    throw new SettlementFileError(`${what}: missing ${missing.join(', ')} (line ${line}: ${shown})`);
  }
  return { positions, fieldCount: count };
}
