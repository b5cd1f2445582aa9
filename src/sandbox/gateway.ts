import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { GatewayCloseCodes, GatewayDispatchEvents, GatewayOpcodes } from 'discord.js';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../log.js';
import { owns, parseShard, type SessionStarts, type ShardTuple } from './sharding.js';
import type { World } from './world.js';

// The gateway side of the sandbox: HELLO → IDENTIFY → READY + GUILD_CREATE, heartbeats, dispatches with sequence
// numbers, and RESUME replaying what a dropped connection missed, as Discord's gateway does. A session is one shard:
// it receives the events of the guilds that shard owns, and those of no guild when it is shard 0.
// https://discord.com/developers/docs/events/gateway

export interface GatewayOptions {
  token: string;
  applicationId: string;
  world: World;
  heartbeatIntervalMs: number;
  /** The ws:// URL clients connect (and resume) to, known once the server listens. */
  url: () => string;
  logger: Logger;
  sessionStarts: SessionStarts;
  /** Guilds one shard may hold before IDENTIFY is refused with 4011. */
  maxGuildsPerShard: number;
  now: () => number;
}

/** What became of an IDENTIFY: a session, op 9 for starting sessions too fast, or the close code that refused it. */
export interface IdentifyRecord {
  /** As the IDENTIFY gave it (absent for an unsharded one). */
  shard: unknown;
  outcome: 'ready' | 'invalid_session' | typeof GatewayCloseCodes.InvalidShard | typeof GatewayCloseCodes.ShardingRequired;
}

/** Who an event is for: the guild whose shard receives it (none: shard 0), and the intent a session needs for it. */
export interface DispatchRoute {
  guildId: string | undefined;
  intent?: number;
}

interface Dispatch {
  s: number;
  t: string;
  d: unknown;
}

/** Events a resuming client may ask for again; beyond this Discord also gives up and invalidates the session. */
const REPLAY_BUFFER = 1000;

interface Session {
  id: string;
  shard: ShardTuple;
  seq: number;
  intents: number;
  buffer: Dispatch[];
  socket: WebSocket | undefined;
}

interface Connection {
  socket: WebSocket;
  session: Session | undefined;
  acknowledgeHeartbeats: boolean;
}

export class Gateway {
  private readonly server = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<string, Session>();
  private readonly connections = new Set<Connection>();
  /** Every IDENTIFY so far and what became of it, oldest first. */
  readonly identifies: IdentifyRecord[] = [];

  constructor(private readonly options: GatewayOptions) {}

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const query = new URL(request.url ?? '/', 'ws://sandbox').searchParams;
    this.server.handleUpgrade(request, socket, head, (ws) => {
      if (query.get('v') !== '10') return ws.close(GatewayCloseCodes.InvalidAPIVersion, 'Invalid API version');
      if ((query.get('encoding') ?? 'json') !== 'json') return ws.close(GatewayCloseCodes.DecodeError, 'Only JSON encoding is supported');
      this.accept(ws);
    });
  }

  /** Whether a bot has identified as the shard of `guildId` (its session lives on while it reconnects). */
  hasSessionFor(guildId: string): boolean {
    return [...this.sessions.values()].some((s) => owns(s.shard, guildId));
  }

  /**
   * Sends an event to every session of the shard that owns `route.guildId` whose intents include `route.intent`
   * (none needed when undefined). A session that is disconnected keeps the event for its RESUME, so nothing is lost
   * across a reconnect.
   */
  dispatch(t: string, d: unknown, route: DispatchRoute): number {
    let delivered = 0;
    for (const session of this.sessions.values()) {
      if (!owns(session.shard, route.guildId)) continue;
      if (route.intent !== undefined && (session.intents & route.intent) === 0) continue;
      this.sendDispatch(session, t, d);
      delivered++;
    }
    return delivered;
  }

  closeConnections(code: number): void {
    this.options.logger.info({ event: 'sandbox_fault', fault: 'gateway_close', code }, 'closing gateway connections');
    for (const c of this.connections) c.socket.close(code, 'Sandbox fault');
  }

  dropConnections(): void {
    this.options.logger.info({ event: 'sandbox_fault', fault: 'gateway_drop' }, 'dropping gateway connections');
    for (const c of this.connections) c.socket.terminate();
  }

  /** The current connections stop answering heartbeats; a reconnecting client gets answers again. */
  stopHeartbeatAcks(): void {
    this.options.logger.info({ event: 'sandbox_fault', fault: 'heartbeat_acks_stopped' }, 'heartbeat acks stopped');
    for (const c of this.connections) c.acknowledgeHeartbeats = false;
  }

  async shutdown(): Promise<void> {
    for (const c of this.connections) c.socket.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: WebSocket): void {
    const connection: Connection = { socket, session: undefined, acknowledgeHeartbeats: true };
    this.connections.add(connection);
    socket.on('message', (data, isBinary) => this.onMessage(connection, isBinary ? null : data.toString()));
    socket.on('close', (code) => {
      this.connections.delete(connection);
      const session = connection.session;
      if (session?.socket === socket) {
        session.socket = undefined;
        // A client that closes with 1000/1001 ends its session, as on Discord; any other close may resume.
        if (code === 1000 || code === 1001) this.sessions.delete(session.id);
      }
      this.options.logger.info({ event: 'gateway_disconnected', code, sessionId: connection.session?.id }, 'gateway connection closed');
    });
    socket.on('error', (error) => this.options.logger.warn({ event: 'gateway_socket_error', err: error.message }, 'gateway socket error'));
    this.send(socket, { op: GatewayOpcodes.Hello, d: { heartbeat_interval: this.options.heartbeatIntervalMs }, s: null, t: null });
  }

  private onMessage(connection: Connection, text: string | null): void {
    let payload: { op?: unknown; d?: unknown };
    try {
      payload = JSON.parse(text ?? '') as typeof payload;
    } catch {
      return connection.socket.close(GatewayCloseCodes.DecodeError, 'Error while decoding payload.');
    }
    switch (payload.op) {
      case GatewayOpcodes.Heartbeat:
        if (connection.acknowledgeHeartbeats) this.send(connection.socket, { op: GatewayOpcodes.HeartbeatAck, d: null, s: null, t: null });
        return;
      case GatewayOpcodes.Identify:
        return this.identify(connection, payload.d as { token?: unknown; intents?: unknown; shard?: unknown });
      case GatewayOpcodes.Resume:
        return this.resume(connection, payload.d as { token?: unknown; session_id?: unknown; seq?: unknown });
      case GatewayOpcodes.PresenceUpdate:
      case GatewayOpcodes.RequestGuildMembers:
      case GatewayOpcodes.VoiceStateUpdate:
        if (!connection.session) connection.socket.close(GatewayCloseCodes.NotAuthenticated, 'Not authenticated.');
        return;
      default:
        connection.socket.close(GatewayCloseCodes.UnknownOpcode, 'Unknown opcode.');
    }
  }

  private identify(connection: Connection, d: { token?: unknown; intents?: unknown; shard?: unknown }): void {
    if (connection.session) return connection.socket.close(GatewayCloseCodes.AlreadyAuthenticated, 'Already authenticated.');
    if (d?.token !== this.options.token) return connection.socket.close(GatewayCloseCodes.AuthenticationFailed, 'Authentication failed.');
    const { world, logger } = this.options;
    const shard = parseShard(d.shard);
    const refuse = (outcome: IdentifyRecord['outcome'], close?: { code: number; reason: string }) => {
      this.identifies.push({ shard: d.shard, outcome });
      logger.info({ event: 'gateway_identify_refused', shard: d.shard, outcome }, 'identify refused');
      if (close) connection.socket.close(close.code, close.reason);
      // Too many session starts: op 9 with d=false, and the client identifies again a few seconds later.
      else this.send(connection.socket, { op: GatewayOpcodes.InvalidSession, d: false, s: null, t: null });
    };
    if (!shard) return refuse(GatewayCloseCodes.InvalidShard, { code: GatewayCloseCodes.InvalidShard, reason: 'Invalid shard.' });
    const guildIds = world.guilds().map((g) => g.id).filter((id) => owns(shard, id));
    if (guildIds.length > this.options.maxGuildsPerShard) return refuse(GatewayCloseCodes.ShardingRequired, { code: GatewayCloseCodes.ShardingRequired, reason: 'Sharding required.' });
    if (!this.options.sessionStarts.tryStart(shard[0], this.options.now())) return refuse('invalid_session');
    this.identifies.push({ shard: d.shard, outcome: 'ready' });
    const session: Session = { id: randomBytes(16).toString('hex'), shard, seq: 0, intents: Number(d.intents) || 0, buffer: [], socket: connection.socket };
    this.sessions.set(session.id, session);
    connection.session = session;
    logger.info({ event: 'gateway_identified', sessionId: session.id, intents: session.intents, shard }, 'bot identified');
    this.sendDispatch(session, GatewayDispatchEvents.Ready, {
      v: 10, user: { ...world.apiUser(world.bot), verified: true, mfa_enabled: false }, guilds: guildIds.map((id) => ({ id, unavailable: true })),
      session_id: session.id, resume_gateway_url: this.options.url(), shard, private_channels: [],
      application: { id: this.options.applicationId, flags: 0 }, session_type: 'normal', _trace: ['newsdesk-sandbox'],
    });
    // discord.js only becomes ready once every guild of READY has arrived; Discord sends them whatever the intents.
    for (const id of guildIds) this.sendDispatch(session, GatewayDispatchEvents.GuildCreate, world.apiGuild(id));
  }

  private resume(connection: Connection, d: { token?: unknown; session_id?: unknown; seq?: unknown }): void {
    if (d?.token !== this.options.token) return connection.socket.close(GatewayCloseCodes.AuthenticationFailed, 'Authentication failed.');
    const session = typeof d.session_id === 'string' ? this.sessions.get(d.session_id) : undefined;
    const seq = typeof d.seq === 'number' ? d.seq : 0;
    if (!session || (session.buffer[0] && session.buffer[0].s > seq + 1)) {
      // Not resumable: the client must identify again (op 9 with d=false).
      return this.send(connection.socket, { op: GatewayOpcodes.InvalidSession, d: false, s: null, t: null });
    }
    if (session.socket && session.socket !== connection.socket) session.socket.close(GatewayCloseCodes.SessionTimedOut, 'Session resumed elsewhere.');
    session.socket = connection.socket;
    connection.session = session;
    const missed = session.buffer.filter((e) => e.s > seq);
    this.options.logger.info({ event: 'gateway_resumed', sessionId: session.id, replayed: missed.length }, 'bot resumed');
    for (const e of missed) this.send(connection.socket, { op: GatewayOpcodes.Dispatch, ...e });
    this.sendDispatch(session, GatewayDispatchEvents.Resumed, { _trace: ['newsdesk-sandbox'] });
  }

  private sendDispatch(session: Session, t: string, d: unknown): void {
    const event: Dispatch = { s: ++session.seq, t, d };
    session.buffer.push(event);
    if (session.buffer.length > REPLAY_BUFFER) session.buffer.shift();
    if (session.socket) this.send(session.socket, { op: GatewayOpcodes.Dispatch, ...event });
  }

  private send(socket: WebSocket, payload: unknown): void {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(payload));
  }
}
