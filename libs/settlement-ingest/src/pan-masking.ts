import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Transform, TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const STAR = 0x2a;

/**
 * Masks every Luhn-valid run of 13–19 digits in a byte stream (first 6 and last 4 kept), whatever
 * the file's encoding: digits are the same single bytes in UTF-8, latin1 and windows-1252, and no
 * other byte is touched. Works on the bytes in place (no text decoding: a 1M-row file takes a
 * fraction of a second); a digit run cut by a chunk boundary is carried into the next chunk.
 */
export class PanMaskingStream extends Transform {
  private carry: Buffer | null = null;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const bytes = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    // A digit run reaching the end may continue in the next chunk: hold it back (it is short, or
    // too long to be a PAN whatever follows).
    let cut = bytes.length;
    while (cut > 0 && isDigit(bytes[cut - 1])) cut -= 1;
    const tail = bytes.length - cut;
    if (tail > 0 && tail <= 19) {
      this.carry = Buffer.from(bytes.subarray(cut));
      done(null, maskPanBytes(bytes.subarray(0, cut)));
    } else {
      this.carry = null;
      done(null, maskPanBytes(bytes));
    }
  }

  override _flush(done: TransformCallback): void {
    done(null, this.carry ? maskPanBytes(this.carry) : Buffer.alloc(0));
  }
}

/** Masks, in place, the Luhn-valid 13–19 digit runs of `bytes` (bounded by non-digits or the ends). */
export function maskPanBytes(bytes: Buffer): Buffer {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    if (!isDigit(bytes[i])) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < n && isDigit(bytes[j])) j += 1;
    const length = j - i;
    if (length >= 13 && length <= 19 && luhnValidBytes(bytes, i, j)) bytes.fill(STAR, i + 6, j - 4);
    i = j;
  }
  return bytes;
}

function luhnValidBytes(bytes: Buffer, from: number, to: number): boolean {
  let sum = 0;
  for (let k = to - 1, position = 0; k >= from; k -= 1, position += 1) {
    let d = bytes[k] - 48;
    if (position % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function isDigit(byte: number): boolean {
  return byte >= 48 && byte <= 57;
}

/** Writes a PAN-masked copy of `source` at `target` (through a temporary name, so it appears whole). */
export async function copyMasked(source: string, target: string): Promise<void> {
  const partial = `${target}.partial`;
  try {
    await pipeline(createReadStream(source, { highWaterMark: 1 << 20 }), new PanMaskingStream(), createWriteStream(partial));
    await rename(partial, target);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}
