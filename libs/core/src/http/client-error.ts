import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import { errorBody } from '../errors/http-error.filter';

/** A header line holding NUL or another control character than tab, which HTTP forbids in a value. */
const BAD_HEADER_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[^\r\n]*[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/m;

/**
 * What Node's HTTP parser refuses before any request exists, answered in the §HTTP error shape with a
 * request id (Fastify's default answers a bare `{"message":"Client Error"}`). A NUL in a header value
 * is refused here, by the parser, for every header: no route ever reads one, and the answer names the
 * header when the raw bytes show which one it was.
 */
export function answerClientError(error: Error & { code?: string; rawPacket?: unknown }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const requestId = randomUUID();
  let status = 400;
  let message = 'Request is not valid HTTP';
  let details: unknown;
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    status = 408;
    message = 'The request took too long to arrive';
  } else if (error.code === 'HPE_HEADER_OVERFLOW') {
    status = 431;
    message = 'Request headers are too large';
  } else {
    // Node hands over the bytes it could not parse (typed by Fastify as their JSON form).
    const raw = Buffer.isBuffer(error.rawPacket) ? error.rawPacket.toString('latin1') : '';
    const header = BAD_HEADER_LINE.exec(raw)?.[1];
    if (header) {
      message = `Invalid input: ${header}`;
      details = [{ field: header, problems: [`the ${header} header must not contain a NUL or another control character`] }];
    }
  }
  const body = JSON.stringify(errorBody(status, message, requestId, details));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nX-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
