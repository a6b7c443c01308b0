/**
 * Bodies as a hostile client writes them: JSON with literals JSON.stringify cannot produce (1e309,
 * 2^64, -0, duplicated keys), forms and query strings with repeated or raw-encoded pairs, and
 * multipart bodies that may be cut short or lie about their boundary.
 */

/** A JSON literal written as it is: `1e309`, `18446744073709551616`, `-0`. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** An object written from its entries in order, so a key may appear twice. */
export class JsonEntries {
  constructor(readonly entries: Array<[string, JsonLike]>) {}
}

export type JsonLike = RawJson | JsonEntries | null | boolean | number | string | JsonLike[] | { [key: string]: JsonLike };

/** Punctuation between the values of toJsonText's walk. */
class Punctuation {
  constructor(readonly text: string) {}
}

/** JSON text of a value that may hold raw literals and duplicated keys; iterative, so any depth is fine. */
export function toJsonText(value: JsonLike): string {
  const out: string[] = [];
  const stack: Array<JsonLike | Punctuation> = [value];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node instanceof RawJson || node instanceof Punctuation) out.push(node.text);
    else if (Array.isArray(node)) {
      const parts: Array<JsonLike | Punctuation> = [new Punctuation('[')];
      node.forEach((item, i) => {
        if (i > 0) parts.push(new Punctuation(','));
        parts.push(item);
      });
      parts.push(new Punctuation(']'));
      for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i]);
    } else if (node !== null && typeof node === 'object') {
      const entries = node instanceof JsonEntries ? node.entries : Object.entries(node);
      const parts: Array<JsonLike | Punctuation> = [new Punctuation('{')];
      entries.forEach(([key, item], i) => parts.push(new Punctuation(`${i > 0 ? ',' : ''}${JSON.stringify(key)}:`), item));
      parts.push(new Punctuation('}'));
      for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i]);
    } else out.push(JSON.stringify(node));
  }
  return out.join('');
}

/** `depth` arrays (or objects) inside each other, around `leaf`. */
export function nested(depth: number, kind: 'array' | 'object', leaf: JsonLike = 1): RawJson {
  const [open, close] = kind === 'array' ? ['[', ']'] : ['{"a":', '}'];
  return new RawJson(open.repeat(depth) + toJsonText(leaf) + close.repeat(depth));
}

/** One name=value pair of a form or query string; `raw` pairs are written without encoding. */
export interface Pair {
  name: string;
  value: string;
  raw?: boolean;
}

export function toFormText(pairs: Pair[]): string {
  return pairs.map((p) => (p.raw ? `${p.name}=${p.value}` : `${percentEncode(p.name)}=${percentEncode(p.value)}`)).join('&');
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * encodeURIComponent, except that an unpaired surrogate (which it refuses) is written as the three
 * bytes a careless encoder produces for it (WTF-8: U+D800 is %ED%A0%80), which are not UTF-8.
 */
export function percentEncode(text: string): string {
  let out = '';
  let at = 0;
  for (const match of text.matchAll(LONE_SURROGATE)) {
    const code = match[0].charCodeAt(0);
    const bytes = [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)];
    out += encodeURIComponent(text.slice(at, match.index)) + bytes.map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    at = match.index! + 1;
  }
  return out + encodeURIComponent(text.slice(at));
}

export const pairsOf = (values: Record<string, unknown>): Pair[] =>
  Object.entries(values).map(([name, value]) => ({ name, value: typeof value === 'string' ? value : JSON.stringify(value) }));

export interface MultipartPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer | string;
}

export interface MultipartOptions {
  /** Leave out the closing boundary. */
  unterminated?: boolean;
  /** Separate parts with a bare LF instead of CRLF. */
  bareLf?: boolean;
}

export function toMultipart(boundary: string, parts: MultipartPart[], options: MultipartOptions = {}): Buffer {
  const eol = options.bareLf ? '\n' : '\r\n';
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.filename === undefined ? '' : `; filename="${part.filename}"`}`;
    const head = `--${boundary}${eol}Content-Disposition: ${disposition}${eol}${part.contentType ? `Content-Type: ${part.contentType}${eol}` : ''}${eol}`;
    chunks.push(Buffer.from(head, 'utf8'), Buffer.isBuffer(part.data) ? part.data : Buffer.from(part.data, 'utf8'), Buffer.from(eol));
  }
  if (!options.unterminated) chunks.push(Buffer.from(`--${boundary}--${eol}`));
  return Buffer.concat(chunks);
}
