// /healthz and /metrics on a local port, for a process supervisor and Prometheus. Read-only and answered from memory,
// so no request, however malformed, can do more than get an error status back.
import http from 'node:http';
import type { Logger } from '../log.js';
import { closeServer, listen, refuseMalformed } from './listen.js';
import type { Metrics } from './metrics.js';

/** Whether the process does its job now (logged in, claiming runs), and a short why for the operator. */
export interface Readiness {
  ok: boolean;
  detail: string;
}

export interface HealthServerOptions {
  /** 0 picks a free port (see `port` on the result). */
  port: number;
  /** Only this machine by default: the metrics are for a local scraper, not the world. */
  host?: string;
  ready: () => Readiness;
  metrics: Pick<Metrics, 'exposition'>;
  logger: Logger;
}

export interface HealthServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

export async function startHealthServer({ port, host = '127.0.0.1', ready, metrics, logger }: HealthServerOptions): Promise<HealthServer> {
  const server = http.createServer((request, response) => {
    answer(request, ready, metrics).then(
      ({ status, contentType, body }) => response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' }).end(body),
      (error: unknown) => {
        logger.error({ event: 'health.request_failed', path: request.url, err: error instanceof Error ? error.message : String(error) }, 'health request failed');
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
        response.end('internal error\n');
      },
    );
  });
  // A client that sends garbage gets node's 400 and its socket closed; it is worth a debug line, not a crash.
  server.on('clientError', (error, socket) => {
    logger.debug({ event: 'health.client_error', err: error.message }, 'malformed health request');
    refuseMalformed(socket);
  });
  const { port: bound, url } = await listen(server, port, host);
  server.on('error', (error) => logger.error({ event: 'health.server_error', err: error.message }, 'health server error'));
  logger.info({ event: 'health.listening', url }, 'health and metrics server listening');
  return {
    port: bound,
    url,
    close: () => closeServer(server),
  };
}

async function answer(request: http.IncomingMessage, ready: () => Readiness, metrics: Pick<Metrics, 'exposition'>): Promise<{ status: number; contentType: string; body: string }> {
  const json = (status: number, body: unknown) => ({ status, contentType: 'application/json', body: `${JSON.stringify(body)}\n` });
  const path = pathOf(request.url);
  if (path === undefined) return json(400, { error: 'not a URL this server can read' });
  if (request.method !== 'GET' && request.method !== 'HEAD') return json(405, { error: 'only GET is served here' });
  if (path === '/healthz') {
    const { ok, detail } = ready();
    return ok ? json(200, { status: 'ready', detail }) : json(503, { status: 'not_ready', detail });
  }
  if (path === '/metrics') {
    const { contentType, body } = await metrics.exposition();
    return { status: 200, contentType, body };
  }
  return json(404, { error: 'not found: this server answers /healthz and /metrics' });
}

function pathOf(url = '/'): string | undefined {
  try {
    return new URL(url, 'http://health').pathname;
  } catch {
    return undefined;
  }
}
