import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Transform, TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { maskPansInText } from '@app/core';

/** A PAN is at most 19 digits: a tail this long may continue in the next chunk. */
const CARRY = 19;

/**
 * Masks every Luhn-valid 13–19 digit run in a byte stream, whatever the file's encoding: digits are
 * the same single bytes in UTF-8, latin1 and windows-1252, and reading bytes as latin1 maps each
 * byte to one character and back without loss. A run cut by a chunk boundary is carried over.
 */
export class PanMaskingStream extends Transform {
  private carry = '';

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const text = this.carry + chunk.toString('latin1');
    let cut = text.length;
    while (cut > 0 && cut > text.length - CARRY - 1 && isDigit(text.charCodeAt(cut - 1))) cut -= 1;
    // A digit run reaching the end may continue: keep it (and only it) for the next chunk.
    if (cut < text.length && text.length - cut <= CARRY) {
      this.carry = text.slice(cut);
      done(null, Buffer.from(maskPansInText(text.slice(0, cut)), 'latin1'));
    } else {
      this.carry = '';
      done(null, Buffer.from(maskPansInText(text), 'latin1'));
    }
  }

  override _flush(done: TransformCallback): void {
    done(null, Buffer.from(maskPansInText(this.carry), 'latin1'));
  }
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
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
