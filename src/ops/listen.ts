// The small HTTP servers of a process (/healthz and /metrics, the REST proxy): listening, refusing what is not HTTP,
// and closing, the same way for each.
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * Starts `server` on `host`:`port` (0: any free port). Resolves with its base URL once it listens; a port in use or an
 * address the machine does not have rejects, for the caller to name its setting.
 */
export async function listen(server: http.Server, port: number, host: string): Promise<{ port: number; url: string }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  return { port: bound, url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}` };
}

/** Node's answer to bytes that are not an HTTP request: a 400, and the socket closed; never an error for the process. */
export function refuseMalformed(socket: Duplex): void {
  if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  else socket.destroy();
}

/** Stops listening and ends the connections still open (keep-alive ones would hold the close for minutes). */
export function closeServer(server: http.Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
