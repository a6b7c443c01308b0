import { isAscii } from 'node:buffer';
import type { SettlementProfile } from '../settlement-record';

/** Turns a file's bytes into text, chunk by chunk; a character cut by a chunk boundary is carried over. */
export interface ChunkDecoder {
  write(chunk: Uint8Array): string;
  end(): string;
}

/** U+FFFD: what the UTF-8 decoder puts where bytes are not valid UTF-8. */
export const REPLACEMENT_CHAR = '\uFFFD';
/** The byte order mark, tolerated at the start of a UTF-8 file. */
export const BOM = '\uFEFF';

/**
 * UTF-8, cut at character boundaries by hand so that each piece decodes on its own: the 1–3 bytes
 * of a character split by a chunk boundary wait for the next chunk. A piece that is pure ASCII
 * (nearly every chunk of a settlement file) is read as latin1, which V8 keeps as a one-byte string;
 * TextDecoder returns two-byte strings, which made every slice of the file twice as big and the
 * tokenizer a third slower. Other pieces go through TextDecoder, which puts U+FFFD where bytes are
 * not valid UTF-8; the parser rejects those rows. A BOM is left in the text (ignoreBOM): the parser
 * drops it at the start of the file only.
 */
class Utf8Decoder implements ChunkDecoder {
  private readonly decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
  private carry: Buffer | null = null;

  write(chunk: Uint8Array): string {
    let bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.carry) {
      bytes = Buffer.concat([this.carry, bytes]);
      this.carry = null;
    }
    const cut = completeLength(bytes);
    if (cut < bytes.length) {
      this.carry = Buffer.from(bytes.subarray(cut));
      bytes = bytes.subarray(0, cut);
    }
    return this.decode(bytes);
  }

  end(): string {
    const rest = this.carry;
    this.carry = null;
    return rest ? this.decode(rest) : '';
  }

  private decode(bytes: Buffer): string {
    return isAscii(bytes) ? bytes.toString('latin1') : this.decoder.decode(bytes);
  }
}

/**
 * How many leading bytes of `bytes` hold complete characters: all of them, unless the last 1–3
 * bytes start a multi-byte character that the next chunk completes. Invalid bytes count as complete
 * (the decoder replaces them).
 */
export function completeLength(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let back = 1; back <= 3 && back <= n; back++) {
    const b = bytes[n - back];
    if (b < 0x80) return n; // ASCII: nothing pending
    if (b >= 0xc0) {
      const needed = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return back < needed ? n - back : n;
    }
    // a continuation byte: look further back
  }
  return n;
}

/**
 * ISO-8859-1: every byte is the code point of the same value. Buffer's 'latin1' does exactly that,
 * and faster than TextDecoder. (Node 20's TextDecoder cannot be used for these two: it reports the
 * WHATWG label windows-1252 for 'latin1' but decodes both labels as ISO-8859-1, so 0x80 gives
 * U+0080 instead of €. Checked on 20.20.)
 */
class Latin1Decoder implements ChunkDecoder {
  write(chunk: Uint8Array): string {
    return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
  }

  end(): string {
    return '';
  }
}

/** Windows-1252 bytes 0x80–0x9F (the rest is ISO-8859-1). Undefined bytes keep their C1 code point, as WHATWG says. */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8d, 0x017d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c,
  0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x9d, 0x017e, 0x0178,
].map((code) => String.fromCharCode(code));
const HAS_C1 = /[\x80-\x9f]/;
const C1_RANGE = /[\x80-\x9f]/g;

class Windows1252Decoder extends Latin1Decoder {
  override write(chunk: Uint8Array): string {
    const text = super.write(chunk);
    return HAS_C1.test(text) ? text.replace(C1_RANGE, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]) : text;
  }
}

export function createDecoder(encoding: SettlementProfile['encoding']): ChunkDecoder {
  switch (encoding) {
    case 'utf-8':
      return new Utf8Decoder();
    case 'latin1':
      return new Latin1Decoder();
    case 'windows-1252':
      return new Windows1252Decoder();
    default:
      throw new Error(`Unsupported encoding ${JSON.stringify(encoding)}`);
  }
}
