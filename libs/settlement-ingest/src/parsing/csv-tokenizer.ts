/**
 * An RFC 4180 tokenizer over decoded text chunks that knows where each record is in the file.
 *
 * Why not fast-csv (the design card's CSV package, used for writing extracts): its parser yields
 * rows of values only. §Settlement file needs, for every record, the physical line where it starts
 * (a quoted field may hold line breaks, so "row number + 1" is wrong) and its raw text (kept with a
 * reject, and with a duplicate DOC_IDT found later by the database), and it needs a hard cap on
 * record length so that a hostile file cannot make the worker buffer gigabytes. fast-csv offers
 * none of the three, and its per-row event machinery costs more than this whole tokenizer.
 *
 * Two paths: a line without any quote character (nearly every line of a settlement file) is split
 * in one char loop; a record with quotes goes through a resumable state machine that carries
 * quoted delimiters and line breaks across chunk boundaries.
 */

/** A record longer than this (in characters, line breaks included) is rejected without being buffered further. */
export const MAX_RECORD_CHARS = 1 << 20;
/** How much of an over-long or broken record is kept for its reject. */
export const BROKEN_HEAD_CHARS = 4096;

const LF = 10;
const CR = 13;
const QUOTE = 34;

// States of the quoted-record machine.
const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
/** A quote inside a quoted field: either the first of `""` or the closing quote. */
const QUOTE_IN_QUOTED = 3;
/** After a closing quote: only a delimiter or the line end may follow. */
const AFTER_QUOTE = 4;

export interface TokenSink {
  /**
   * A complete record of `count` fields. Field k's value is `values.slice(spans[2k], spans[2k+1])`
   * (quotes removed, `""` unescaped): the tokenizer hands out positions, not strings, so that a
   * consumer slices only what it keeps. `values` may be the whole chunk the record is in, and
   * `spans` is reused for the next record: copy what must outlive the call. `raw` is the record's
   * text as in the file, line break excluded. `count` may exceed the stored spans when the record
   * has more than `fieldLimit` fields.
   */
  record(values: string, spans: Int32Array, count: number, raw: string, line: number, endLine: number): void;
  /** A record that cannot be split into fields: truncated, too long, or badly quoted. */
  broken(line: number, endLine: number, rawHead: string, reason: string): void;
}

export class CsvTokenizer {
  /** Fields beyond this many are counted but not sliced (a row of 100k delimiters is still one reject). */
  fieldLimit = 100_000;

  private readonly delim: number;
  private spans = new Int32Array(64);
  /** Physical line where the next (or the in-progress) record starts. */
  private line = 1;

  /*
   * The record machine, resumable across chunks. A record that began in an earlier chunk keeps its
   * text so far in `head`; positions (spans, fieldStart) are relative to the record's start. The
   * current chunk is never concatenated to anything: V8 reads a concatenated (cons) string through
   * an indirection on every charCodeAt, which made the plain-line loop over twice as slow.
   */
  private pending = false;
  private head = '';
  private state = FIELD_START;
  private fieldStart = 0;
  private count = 0;
  private newlines = 0;
  private malformedField = -1;
  /** An over-long record being skipped: only its first characters are kept; the rest is read to find its end. */
  private skipping = false;

  constructor(
    delimiter: string,
    private readonly sink: TokenSink,
  ) {
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
      throw new Error(`Unusable CSV delimiter ${JSON.stringify(delimiter)}`);
    }
    this.delim = delimiter.charCodeAt(0);
  }

  push(text: string): void {
    let pos = 0;
    if (this.pending) {
      pos = this.runMachine(text, 0, false);
      if (pos < 0) return;
    }
    this.scanPlain(text, pos);
  }

  /** End of input: a last line without a line break is still a record; an open quote is a truncated one. */
  end(): void {
    if (this.pending) this.runMachine('', 0, true);
  }

  /** The fast path: lines without a quote character, split as they are scanned. */
  private scanPlain(buf: string, from: number): void {
    const len = buf.length;
    const delim = this.delim;
    let pos = from;
    while (pos < len) {
      let count = 0;
      let start = pos;
      let i = pos;
      let quote = false;
      for (; i < len; i++) {
        const c = buf.charCodeAt(i);
        if (c === delim) {
          this.store(count++, start, i);
          start = i + 1;
        } else if (c === LF) {
          break;
        } else if (c === QUOTE) {
          quote = true;
          break;
        }
      }
      if (quote || i === len || i - pos > MAX_RECORD_CHARS) {
        // Quoted, continued in the next chunk, or too long: the machine takes the record from its start.
        this.startRecord();
        pos = this.runMachine(buf, pos, false);
        if (pos < 0) return;
        continue;
      }
      let end = i;
      if (end > start && buf.charCodeAt(end - 1) === CR) end--;
      const line = this.line++;
      if (end > pos) {
        this.store(count++, start, end);
        this.sink.record(buf, this.spans, count, buf.slice(pos, end), line, line);
      } // else a blank line
      pos = i + 1;
    }
  }

  private store(index: number, start: number, end: number): void {
    if (index >= this.fieldLimit) return;
    if (index * 2 + 2 > this.spans.length) this.grow(index + 1);
    this.spans[index * 2] = start;
    this.spans[index * 2 + 1] = end;
  }

  private grow(fields: number): void {
    let size = this.spans.length;
    while (size < fields * 2) size *= 2;
    const spans = new Int32Array(size);
    spans.set(this.spans);
    this.spans = spans;
  }

  private startRecord(): void {
    this.pending = true;
    this.head = '';
    this.state = FIELD_START;
    this.fieldStart = 0;
    this.count = 0;
    this.newlines = 0;
    this.malformedField = -1;
    this.skipping = false;
  }

  /**
   * Runs the machine over `buf` from `base`, where the pending record continues (or starts, with an
   * empty head). Returns where the next record starts in `buf`, or -1 when `buf` ended inside this
   * record: its text is kept for the next chunk, or only its head once it is longer than
   * MAX_RECORD_CHARS. At the end of input (`eof`), finishes the record however it stands.
   */
  private runMachine(buf: string, base: number, eof: boolean): number {
    const len = buf.length;
    const delim = this.delim;
    const offset = this.head.length - base; // record-relative position of buf[i] is i + offset
    let state = this.state;
    for (let i = base; i < len; i++) {
      const c = buf.charCodeAt(i);
      if (state === QUOTED) {
        if (c === QUOTE) state = QUOTE_IN_QUOTED;
        else if (c === LF) this.newlines++;
        continue;
      }
      if (state === FIELD_START) {
        if (c === QUOTE) {
          state = QUOTED;
          continue;
        }
        state = UNQUOTED;
      } else if (state === QUOTE_IN_QUOTED) {
        if (c === QUOTE) {
          state = QUOTED;
          continue;
        }
        state = AFTER_QUOTE;
      }
      // UNQUOTED or AFTER_QUOTE: a delimiter ends the field, LF the record.
      if (c === delim) {
        this.endField(buf, offset, i + offset, state, false);
        state = FIELD_START;
      } else if (c === LF) {
        this.endField(buf, offset, i + offset, state, true);
        this.finishRecord(buf, base, i);
        return i + 1;
      } else if (state === AFTER_QUOTE && c !== CR && this.malformedField < 0) {
        this.malformedField = this.count;
      }
    }
    if (eof) {
      if (state === QUOTED) {
        this.finishBroken(buf, base, len, 'unterminated quoted field: the file ends inside quotes (truncated?)');
      } else {
        this.endField(buf, offset, len + offset, state === QUOTE_IN_QUOTED ? AFTER_QUOTE : state, true);
        this.finishRecord(buf, base, len);
      }
      return len;
    }
    this.state = state;
    if (!this.skipping) {
      if (len + offset > MAX_RECORD_CHARS) {
        // Stop buffering: keep the start for the reject and only follow the quoting to find the end.
        this.head = this.textSoFar(buf, base, len, BROKEN_HEAD_CHARS);
        this.skipping = true;
      } else {
        this.head = this.textSoFar(buf, base, len, Infinity);
      }
    }
    return -1;
  }

  /** The record's text from its start to buf[end], at most `max` characters. */
  private textSoFar(buf: string, base: number, end: number, max: number): string {
    const head = this.head;
    if (head.length >= max) return head.slice(0, max);
    const tail = buf.slice(base, Math.min(end, base + max - head.length));
    return head.length > 0 ? head + tail : tail;
  }

  /** The char at record-relative position `at`, which may still be in the head. */
  private charAt(buf: string, offset: number, at: number): number {
    return at < this.head.length ? this.head.charCodeAt(at) : buf.charCodeAt(at - offset);
  }

  /**
   * Closes field `count` at record-relative `end` (a delimiter, LF or the end of input), dropping a
   * CR before the line end. Only positions are kept: values are sliced when the record is complete.
   */
  private endField(buf: string, offset: number, end: number, state: number, lineEnd: boolean): void {
    const index = this.count++;
    const start = this.fieldStart;
    this.fieldStart = end + 1;
    if (this.skipping || index >= this.fieldLimit) return;
    if (index * 2 + 2 > this.spans.length) this.grow(index + 1);
    let stop = end;
    if (lineEnd && stop > start && this.charAt(buf, offset, stop - 1) === CR) stop--;
    // A quoted field must end with its closing quote (a CR between it and the delimiter is not allowed).
    if (state === AFTER_QUOTE && this.charAt(buf, offset, stop - 1) !== QUOTE && this.malformedField < 0) this.malformedField = index;
    this.spans[index * 2] = start;
    this.spans[index * 2 + 1] = stop;
  }

  private finishRecord(buf: string, base: number, end: number): void {
    this.pending = false;
    const line = this.line;
    const endLine = line + this.newlines;
    this.line = endLine + 1;
    if (this.skipping) {
      const head = this.head;
      this.head = '';
      this.sink.broken(line, endLine, head, 'record longer than 1 MiB');
      return;
    }
    let text = this.textSoFar(buf, base, end, Infinity);
    this.head = '';
    if (text.length > 0 && text.charCodeAt(text.length - 1) === CR) text = text.slice(0, -1);
    if (text.length === 0) {
      // A blank line (a CRLF split between two chunks comes this way).
    } else if (text.length > MAX_RECORD_CHARS) {
      this.sink.broken(line, endLine, text.slice(0, BROKEN_HEAD_CHARS), 'record longer than 1 MiB');
    } else if (this.malformedField >= 0) {
      this.sink.broken(line, endLine, text, `field ${this.malformedField + 1}: text after its closing quote`);
    } else {
      this.sink.record(unquote(text, this.spans, Math.min(this.count, this.fieldLimit)), this.spans, this.count, text, line, endLine);
    }
  }

  private finishBroken(buf: string, base: number, end: number, reason: string): void {
    this.pending = false;
    const line = this.line;
    const endLine = line + this.newlines;
    this.line = endLine + 1;
    const head = this.skipping ? this.head : this.textSoFar(buf, base, end, BROKEN_HEAD_CHARS);
    this.head = '';
    this.sink.broken(line, endLine, head, this.skipping ? 'record longer than 1 MiB' : reason);
  }
}

/**
 * Turns raw spans (quotes included) into value spans: inside `text` when no field holds an escaped
 * quote, else inside a new string of the unescaped values.
 */
function unquote(text: string, spans: Int32Array, count: number): string {
  let escaped = false;
  for (let k = 0; k < count; k++) {
    const start = spans[k * 2];
    const end = spans[k * 2 + 1];
    if (end - start >= 2 && text.charCodeAt(start) === QUOTE) {
      spans[k * 2] = start + 1;
      spans[k * 2 + 1] = end - 1;
      if (!escaped && text.indexOf('""', start + 1) >= 0 && text.indexOf('""', start + 1) < end - 1) escaped = true;
    }
  }
  if (!escaped) return text;
  let values = '';
  for (let k = 0; k < count; k++) {
    const start = spans[k * 2];
    const end = spans[k * 2 + 1];
    const quoted = start > 0 && text.charCodeAt(start - 1) === QUOTE && text.charCodeAt(end) === QUOTE;
    const value = quoted ? text.slice(start, end).replaceAll('""', '"') : text.slice(start, end);
    spans[k * 2] = values.length;
    values += value;
    spans[k * 2 + 1] = values.length;
  }
  return values;
}

/**
 * Where field `index` of a record's raw text is (quotes included), for the rare caller that edits
 * the raw text (masking a PAN). Null when the record has fewer fields.
 */
export function rawFieldSpan(raw: string, delimiter: string, index: number): [number, number] | null {
  const delim = delimiter.charCodeAt(0);
  let field = 0;
  let start = 0;
  let quoted = false;
  for (let i = 0; i <= raw.length; i++) {
    const c = i < raw.length ? raw.charCodeAt(i) : delim;
    if (c === QUOTE)
      quoted = !quoted; // "" toggles twice: the quoting state comes out right
    else if (c === delim && !quoted) {
      if (field === index) return [start, i];
      field++;
      start = i + 1;
    }
  }
  return null;
}
