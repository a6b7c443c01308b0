import { Agent, IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { connect } from 'node:net';

/** One request as the fuzzer sends it: nothing is normalised, so duplicates and odd bytes get through. */
export interface FuzzRequest {
  method: string;
  /** The request target as sent: already percent-encoded, or deliberately not. */
  target: string;
  /** In order, duplicates allowed. */
  headers: Array<[string, string]>;
  body?: Buffer;
  /** Bytes written as they are on a fresh connection, instead of a request built from the fields above. */
  raw?: Buffer;
}

export interface FuzzResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** How long one answer may take before the fuzzer calls it lost (a 413 for 2 MB included). */
const ANSWER_TIMEOUT_MS = 30_000;
/** A stream (Server-Sent Events) is read this long, then closed: its first events are what is checked. */
const STREAM_READ_MS = 500;

/**
 * A client over keep-alive connections to one port. Node's client refuses some header bytes (a NUL,
 * a character past latin1): such a request, and a `raw` one, goes over a connection of its own, and
 * the answer is parsed here.
 */
export class FuzzClient {
  private readonly agent: Agent;

  constructor(
    private readonly port: number,
    connections: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: connections });
  }

  async send(request: FuzzRequest): Promise<FuzzResponse> {
    if (request.raw) return this.sendRaw(request.raw);
    try {
      return await this.sendParsed(request);
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_INVALID_CHAR' || (error as { code?: string }).code === 'ERR_INVALID_HTTP_TOKEN') {
        return this.sendRaw(serialise(request), request.method);
      }
      throw error;
    }
  }

  close(): void {
    this.agent.destroy();
  }

  private sendParsed(request: FuzzRequest): Promise<FuzzResponse> {
    const headers = [...request.headers];
    const has = (name: string) => headers.some(([key]) => key.toLowerCase() === name);
    if (!has('host')) headers.unshift(['Host', `127.0.0.1:${this.port}`]);
    if (request.body && !has('content-length') && !has('transfer-encoding')) headers.push(['Content-Length', String(request.body.length)]);
    return new Promise((resolve, reject) => {
      const req = httpRequest({
        agent: this.agent,
        host: '127.0.0.1',
        port: this.port,
        method: request.method,
        path: request.target,
        headers: headers.flat(),
        setHost: false,
        timeout: ANSWER_TIMEOUT_MS,
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        const done = () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
        if (/event-stream/.test(String(res.headers['content-type']))) {
          setTimeout(() => {
            res.destroy();
            done();
          }, STREAM_READ_MS);
        }
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', done);
        res.on('error', reject);
      });
      req.end(request.body);
    });
  }

  /**
   * Writes the bytes and reads until one whole answer is in (or the server closes). The client does
   * not half-close its side: Node's server drops an answer still being made when the client does.
   */
  private sendRaw(bytes: Buffer, method = ''): Promise<FuzzResponse> {
    return new Promise((resolve, reject) => {
      const socket = connect(this.port, '127.0.0.1');
      const chunks: Buffer[] = [];
      let settled = false;
      const finish = () => {
        if (settled) return;
        settled = true;
        socket.destroy();
        resolve(parseRawResponse(Buffer.concat(chunks)));
      };
      socket.setTimeout(ANSWER_TIMEOUT_MS, () => {
        settled = true;
        socket.destroy();
        reject(new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms`));
      });
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        if (answerComplete(Buffer.concat(chunks), method === 'HEAD')) finish();
      });
      socket.on('error', (error: NodeJS.ErrnoException) => {
        // The server may close while the request is still being written; its answer is what counts.
        if (error.code === 'ECONNRESET' || error.code === 'EPIPE') return;
        settled = true;
        reject(error);
      });
      socket.on('close', finish);
      socket.write(bytes);
    });
  }
}

/** Whether `bytes` hold a whole answer: its head, and the body its head announces. */
function answerComplete(bytes: Buffer, head: boolean): boolean {
  let start = 0;
  for (;;) {
    const end = bytes.indexOf('\r\n\r\n', start);
    if (end < 0) return false;
    const headText = bytes.subarray(start, end).toString('latin1');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(headText)?.[1] ?? 0);
    if (status >= 100 && status < 200) {
      start = end + 4;
      continue;
    }
    if (head || status === 204 || status === 304) return true;
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(headText)?.[1];
    if (length !== undefined) return bytes.length - (end + 4) >= Number(length);
    if (/\r\ntransfer-encoding:[^\r]*chunked/i.test(headText))
      return bytes.subarray(end + 4).includes('\r\n0\r\n\r\n') || bytes.subarray(end + 4, end + 9).toString() === '0\r\n\r\n';
    return false;
  }
}

/** The request as HTTP/1.1 bytes (header values in UTF-8, as a careless client would send them). */
export function serialise(request: FuzzRequest): Buffer {
  const headers = [...request.headers.filter(([name]) => name.toLowerCase() !== 'connection'), ['Connection', 'close'] as [string, string]];
  if (!headers.some(([name]) => name.toLowerCase() === 'host')) headers.unshift(['Host', '127.0.0.1']);
  if (request.body && !headers.some(([name]) => /^(content-length|transfer-encoding)$/i.test(name)))
    headers.push(['Content-Length', String(request.body.length)]);
  const head = `${request.method} ${request.target} HTTP/1.1\r\n${headers.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`;
  // A chunked request is framed as Node's client frames it (its body in one chunk, then the last):
  // unframed, the server would rightly wait for a body that never comes.
  const chunked = headers.some(([name, value]) => name.toLowerCase() === 'transfer-encoding' && /chunked/i.test(value));
  const body = request.body ?? Buffer.alloc(0);
  const framed = chunked
    ? Buffer.concat([...(body.length > 0 ? [Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n')] : []), Buffer.from('0\r\n\r\n')])
    : body;
  return Buffer.concat([Buffer.from(head, 'utf8'), framed]);
}

/** Status, headers and body of the first answer in `bytes`; status 0 when nothing came back. */
export function parseRawResponse(bytes: Buffer): FuzzResponse {
  // An interim answer (100 Continue) comes before the real one.
  while (/^HTTP\/1\.[01] 1\d\d /.test(bytes.subarray(0, 16).toString('latin1')) && bytes.indexOf('\r\n\r\n') >= 0) {
    bytes = bytes.subarray(bytes.indexOf('\r\n\r\n') + 4);
  }
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return { status: 0, headers: {}, body: bytes };
  const [statusLine, ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const headers: IncomingHttpHeaders = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const existing = headers[name];
    headers[name] = existing === undefined ? value : ([] as string[]).concat(existing, value).join(', ');
  }
  let body = bytes.subarray(end + 4);
  if (/chunked/i.test(String(headers['transfer-encoding']))) body = dechunk(body);
  else if (headers['content-length'] !== undefined) body = body.subarray(0, Number(headers['content-length']));
  return { status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0), headers, body };
}

function dechunk(bytes: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = parseInt(bytes.subarray(at, lineEnd).toString('latin1'), 16);
    if (!(size > 0)) break;
    parts.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
