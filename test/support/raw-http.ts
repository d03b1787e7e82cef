/**
 * HTTP and WebSocket requests with every header under the test's control (fetch sets
 * Origin, Content-Length and Transfer-Encoding itself): for attacks that forge them.
 */
import { request } from 'node:http';
import WebSocket from 'ws';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** `body` as a string is sent with its Content-Length; as an array of chunks, chunked without one. */
export function rawRequest(url: string, options: { method?: string; headers?: Record<string, string>; body?: string | string[] } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    const { body } = options;
    if (Array.isArray(body)) {
      for (const chunk of body) req.write(chunk);
    } else if (body !== undefined) {
      req.setHeader('content-length', Buffer.byteLength(body));
      req.write(body);
    }
    req.end();
  });
}

export interface RawSocket {
  socket: WebSocket;
  messages: string[];
  /** Resolves with the close code and reason once the socket is closed. */
  closed: Promise<{ code: number; reason: string }>;
}

/** A graphql-ws (graphql-transport-ws) socket driven by hand; resolves once open, rejects with the HTTP status if the upgrade is refused. */
export function rawSocket(httpUrl: string, headers: Record<string, string> = {}): Promise<RawSocket> {
  const socket = new WebSocket(httpUrl.replace(/^http/, 'ws'), 'graphql-transport-ws', { headers });
  const messages: string[] = [];
  socket.on('message', (m) => messages.push(String(m)));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ socket, messages, closed }));
    socket.once('unexpected-response', (_req, res) => {
      reject(Object.assign(new Error(`upgrade refused with ${res.statusCode}`), { status: res.statusCode }));
      socket.terminate();
    });
    socket.once('error', reject);
  });
}

/** The HTTP status a refused upgrade answered, or 101 when the socket opened (it is then closed). */
export async function upgradeStatus(httpUrl: string, headers: Record<string, string> = {}): Promise<number> {
  try {
    const { socket, closed } = await rawSocket(httpUrl, headers);
    socket.close();
    await closed;
    return 101;
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === undefined) throw error;
    return status;
  }
}

/** POSTs a subscription as SSE; resolves once the answer's headers are in, with its status and a way to hang up. */
export function openEventStream(httpUrl: string, token: string, query: string): Promise<{ status: number; close(): void }> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ query });
    const req = request(
      httpUrl,
      { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}`, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, close: () => req.destroy() });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
