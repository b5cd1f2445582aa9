// A TCP relay between a client and a server, for tests of a server that goes away: it can cut every connection,
// stop listening (connections refused), or hold them (accepted or open, but nothing answers, as behind a dead link).
import net from 'node:net';

export class TcpRelay {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private holding = false;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  /** Listens (on the port it had before, once it has had one) and relays every connection to the target. */
  async start(): Promise<void> {
    this.holding = false;
    const server = net.createServer((client) => this.relay(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  /** Stops listening and cuts every connection: the server is gone. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.cut();
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  /** Cuts every connection open now (as a server restart does); new ones are still relayed. */
  cut(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  /** From now on nothing gets through: open connections fall silent, new ones are accepted and never answered. */
  hold(): void {
    this.holding = true;
    for (const socket of this.sockets) socket.unpipe().pause();
  }

  private relay(client: net.Socket): void {
    this.track(client);
    if (this.holding) {
      client.pause();
      return;
    }
    const upstream = net.connect(this.target.port, this.target.host);
    this.track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
  }
}

/** A started relay in front of the PostgreSQL server of `url`, stopped when the test ends, and the URL through it. */
export async function relayedDatabase(t: { after(fn: () => Promise<void>): void }, url: string): Promise<{ relay: TcpRelay; url: URL }> {
  const server = new URL(url);
  const relay = new TcpRelay({ host: server.hostname, port: Number(server.port || 5432) });
  await relay.start();
  t.after(() => relay.stop());
  const viaRelay = new URL(url);
  viaRelay.hostname = '127.0.0.1';
  viaRelay.port = String(relay.port);
  return { relay, url: viaRelay };
}
