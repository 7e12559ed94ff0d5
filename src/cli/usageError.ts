/** A command line the command cannot take: exit 2 with its usage (any other failure exits 1). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Whether `error` says the command line was wrong (parseArgs' own refusals included). */
export const isUsageError = (error: unknown): boolean =>
  error instanceof UsageError || String((error as { code?: unknown } | null)?.code ?? '').startsWith('ERR_PARSE_ARGS');
