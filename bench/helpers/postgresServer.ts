// A PostgreSQL server for the benchmarks that need one: the server NEWSDESK_TEST_DATABASE_URL names (an admin URL, as
// the tests use), else a throwaway cluster started here as .ci/run starts one (initdb and pg_ctl in a temporary folder,
// run by the postgres user when the benchmark runs as root since initdb refuses root, on 127.0.0.1 at a free port,
// fsync off), stopped and removed at the end. Each benchmark gets a database of its own on it, dropped after.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ADMIN_URL_SETTING, adminQuery, withDatabase } from '../../test/helpers/postgres.js';

export interface PostgresServer {
  /** Where it came from, for the section's text. */
  source: string;
  /** A new empty database (nd_bench_<random>) and its URL; `drop` removes it with its connections. */
  database(): Promise<{ url: string; drop(): Promise<void> }>;
  stop(): Promise<void>;
}

/** The server to use, or why there is none (the benchmark prints it and skips its PostgreSQL rows). */
export async function postgresServer(): Promise<PostgresServer | { unavailable: string }> {
  const given = process.env[ADMIN_URL_SETTING];
  if (given) return serverAt(given, `the server ${ADMIN_URL_SETTING} names`, async () => undefined);
  try {
    return await throwawayCluster();
  } catch (error) {
    return { unavailable: `PostgreSQL could not be started (${error instanceof Error ? error.message : String(error)}); set ${ADMIN_URL_SETTING} to an admin URL to use a running server` };
  }
}

function serverAt(admin: string, source: string, stop: () => Promise<void>): PostgresServer {
  return {
    source,
    async database() {
      const name = `nd_bench_${randomBytes(6).toString('hex')}`;
      await adminQuery(admin, `CREATE DATABASE ${name}`);
      return { url: withDatabase(admin, name), drop: () => adminQuery(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
    },
    stop,
  };
}

/** initdb and pg_ctl on PATH, else the newest Debian install's. */
function binaries(): string {
  const onPath = (name: string) => process.env.PATH?.split(path.delimiter).map((dir) => path.join(dir, name)).find((file) => fs.existsSync(file));
  const pgCtl = onPath('pg_ctl');
  if (pgCtl && onPath('initdb')) return path.dirname(pgCtl);
  const debian = '/usr/lib/postgresql';
  const versions = fs.existsSync(debian) ? fs.readdirSync(debian).filter((v) => fs.existsSync(path.join(debian, v, 'bin/initdb'))) : [];
  const newest = versions.sort((a, b) => Number(a) - Number(b)).pop();
  if (!newest) throw new Error('no initdb and pg_ctl on PATH or in /usr/lib/postgresql/*/bin: PostgreSQL is not installed');
  return path.join(debian, newest, 'bin');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function throwawayCluster(): Promise<PostgresServer> {
  const bin = binaries();
  const root = process.getuid?.() === 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-bench-pg-'));
  // As root, the cluster belongs to the postgres user (which a PostgreSQL install creates).
  const owner = root ? Number(execFileSync('id', ['-u', 'postgres']).toString()) : undefined;
  if (owner !== undefined) fs.chownSync(dir, owner, Number(execFileSync('id', ['-g', 'postgres']).toString()));
  const run = (command: string, args: string[]) =>
    execFileSync(root ? 'runuser' : command, root ? ['-u', 'postgres', '--', command, ...args] : args, { cwd: dir, stdio: 'pipe' });
  const data = path.join(dir, 'data');
  let started = false;
  try {
    run(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust']);
    const port = await freePort();
    run(path.join(bin, 'pg_ctl'), ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', '-o',
      `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c max_connections=200 -c fsync=off`, 'start']);
    started = true;
    const stop = async () => {
      run(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']);
      fs.rmSync(dir, { recursive: true, force: true });
    };
    return serverAt(`postgres://postgres@127.0.0.1:${port}/postgres`, `a throwaway cluster on 127.0.0.1:${port}`, stop);
  } catch (error) {
    const log = path.join(dir, 'server.log');
    const detail = (error as { stderr?: Buffer }).stderr?.toString().trim() || (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').pop() : '');
    if (started) run(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']);
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`${error instanceof Error ? error.message.split('\n')[0] : String(error)}${detail ? `: ${detail}` : ''}`);
  }
}
