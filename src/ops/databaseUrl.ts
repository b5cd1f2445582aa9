// DATABASE_URL, the PostgreSQL server several Newsdesk processes share. It usually carries a password, so nothing
// here ever puts the URL itself into a message: only its scheme, or the URL with the password taken out.

const POSTGRES_SCHEMES = ['postgres:', 'postgresql:'];

/** What is wrong with `text` as DATABASE_URL (a sentence completing "DATABASE_URL …"), or undefined. */
export function databaseUrlProblem(text: string): string | undefined {
  const example = 'postgres://newsdesk:PASSWORD@db.example.com:5432/newsdesk';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `must be a PostgreSQL URL such as ${example}; for a SQLite file on this machine leave it empty (and set DATABASE_PATH if you like)`;
  }
  if (!POSTGRES_SCHEMES.includes(url.protocol)) {
    return `uses ${url.protocol}, but Newsdesk's shared store is PostgreSQL: write a URL such as ${example}, or leave DATABASE_URL empty to keep the SQLite file`;
  }
  return undefined;
}

/** `url` fit for a message or a log line: the password, wherever the URL carries one, replaced by "***". */
export function databaseUrlForDisplay(url: string): string {
  try {
    const shown = new URL(url);
    if (shown.password) shown.password = '***';
    if (shown.searchParams.has('password')) shown.searchParams.set('password', '***');
    return shown.toString();
  } catch {
    return 'DATABASE_URL';
  }
}
