/** An error as a run's summary shows it: its code (a database's or the system's), if any, and its message. */
export const problemText = (error: unknown): string => {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return `${typeof code === 'string' ? `${code}: ` : ''}${typeof message === 'string' ? message : String(error)}`;
};
