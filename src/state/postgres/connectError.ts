// Every way reaching the PostgreSQL database at start-up can fail, as one message naming DATABASE_URL (without its
// password), the problem and the fix. A StateFileError by kind, so main.ts prints it as it is and exits 2.
import { databaseUrlForDisplay, databaseUrlProblem } from '../../ops/databaseUrl.js';
import { StateFileError } from '../open.js';
import { SchemaRefusal } from './migrations.js';

/** The shared database Newsdesk must not or cannot use; its message is complete and meant for the operator as is. */
export class StateConnectError extends StateFileError {
  constructor(message: string) {
    super(message);
    this.name = 'StateConnectError';
  }
}

function refusal(url: string, problem: string, fix: string): StateConnectError {
  return new StateConnectError(`Newsdesk cannot start: the PostgreSQL database ${databaseUrlForDisplay(url)} (set by DATABASE_URL) ${problem}.\n${fix}`);
}

/** A refusal when `url` is not a PostgreSQL URL at all; undefined when it is one. */
export function urlRefusal(url: string): StateConnectError | undefined {
  const problem = databaseUrlProblem(url);
  return problem === undefined ? undefined : new StateConnectError(`Newsdesk cannot start: DATABASE_URL ${problem}.`);
}

/** Whatever the driver or server said, with the password taken out should it ever appear in it. */
function detailOf(error: unknown, url: string): string {
  const message = error instanceof Error ? error.message : String(error);
  let password = '';
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    // An unreadable URL was refused before any connection was tried.
  }
  return password ? message.split(password).join('***') : message;
}

/** Names a failure met while connecting to, checking or upgrading the database at `url`. */
export function describeConnectFailure(error: unknown, url: string): StateConnectError {
  if (error instanceof StateConnectError) return error;
  if (error instanceof SchemaRefusal) return refusal(url, error.problem, error.fix);
  const parsed = new URL(url);
  const user = decodeURIComponent(parsed.username) || 'the default user';
  const database = decodeURIComponent(parsed.pathname.slice(1)) || user;
  const server = `${parsed.hostname || 'localhost'}:${parsed.port || 5432}`;
  const code = String((error as { code?: unknown }).code ?? '');
  const detail = detailOf(error, url);
  // PostgreSQL's SQLSTATE codes: 28P01 wrong password, 28000 no such role (or no pg_hba.conf entry), 3D000 no such database.
  if (code === '28P01') {
    // PostgreSQL gives the same answer for a user it does not know, so as not to tell which users exist.
    return refusal(url, `refused the login of ${user}: wrong password, or no such user (${detail})`,
      `Correct the user and password in DATABASE_URL (special characters percent-encoded, such as %40 for @).`);
  }
  if (code === '28000') {
    return refusal(url, `refused the login of ${user} (${detail})`, `Correct the user in DATABASE_URL, or create that role on the server, or let it connect from this machine in pg_hba.conf.`);
  }
  if (code === '3D000') {
    return refusal(url, `does not exist on the server ${server} (${detail})`, `Create it (createdb -O ${user} ${database}), or correct the database name at the end of DATABASE_URL.`);
  }
  if (code === '42501') {
    return refusal(url, `cannot be set up by ${user}: it may not create tables there (${detail})`, `Give ${user} the right to create tables in the database (GRANT CREATE ON SCHEMA public TO ${user}), or use the database's owner in DATABASE_URL.`);
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return refusal(url, `cannot be reached: the host ${parsed.hostname} is not known here (${detail})`, 'Correct the host in DATABASE_URL, or check this machine\'s DNS.');
  }
  if (/^(ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|ECONNRESET)$/.test(code) || /timeout|terminated/i.test(detail)) {
    return refusal(url, `cannot be reached: no PostgreSQL server answered at ${server} (${detail})`,
      'Start PostgreSQL there, or correct the host and port in DATABASE_URL, and check that a firewall lets this machine through.');
  }
  return refusal(url, `could not be used (${detail})`, 'Check the server and the user, password and database in DATABASE_URL.');
}
