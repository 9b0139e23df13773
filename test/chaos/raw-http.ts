/** Requests written raw on a socket, so that nothing is tidied up by a client library. */
import net from 'node:net';

export interface RawAnswer {
  /** 0 when no answer arrived (the connection was closed or reset first). */
  status: number;
  headers: Map<string, string>;
  body: string;
}

function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) return Buffer.concat(parts);
    const size = parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) return Buffer.concat(parts);
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

function parse(data: Buffer): RawAnswer {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return { status: 0, headers: new Map(), body: '' };
  const [statusLine, ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  let body = data.subarray(end + 4);
  if (headers.get('transfer-encoding')?.toLowerCase() === 'chunked') body = dechunk(body);
  return {
    status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0),
    headers,
    body: body.toString('utf8'),
  };
}

/** Writes `request` as it is and reads until the server closes (send `Connection: close`). */
export function rawRequest(port: number, request: Buffer, timeoutMs = 15_000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(parse(Buffer.concat(chunks)));
    };
    socket.setTimeout(timeoutMs, finish);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', finish);
    socket.on('close', finish);
    socket.write(request);
  });
}

export interface RequestParts {
  method: string;
  /** The request target, as sent: path and query string. */
  target: string;
  headers?: [string, string][];
  body?: Buffer | string;
}

export function encodeRequest(parts: RequestParts): Buffer {
  const body = parts.body === undefined ? undefined : Buffer.from(parts.body);
  const lines = [`${parts.method} ${parts.target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  for (const [name, value] of parts.headers ?? []) lines.push(`${name}: ${value}`);
  if (body) lines.push(`Content-Length: ${body.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return body ? Buffer.concat([head, body]) : head;
}
