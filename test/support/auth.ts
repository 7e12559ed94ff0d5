/** The first admin token the test services start with (BOOTSTRAP_ADMIN_TOKEN). */
export const ADMIN_TOKEN = 'bp_test_admin_0123456789abcdef0123456789abcdef';

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

export const asAdmin = bearer(ADMIN_TOKEN);

/** Environment for a test service: its SQLite file and the bootstrap admin token. */
export const serviceEnv = (sqlitePath: string, extra: Record<string, string> = {}): Record<string, string> => ({
  SQLITE_PATH: sqlitePath,
  BOOTSTRAP_ADMIN_TOKEN: ADMIN_TOKEN,
  ...extra,
});
