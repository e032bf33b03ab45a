/** Exit codes of the `vss` command (documented in docs/migration.md, "Exit codes"). */
export const EXIT = {
  /** Everything was done (and verified, with --verify). */
  ok: 0,
  /** Something failed that is not covered below (an unexpected error). */
  failure: 1,
  /** Bad command line: unknown option, missing argument, invalid value. */
  usage: 2,
  /** The archive is corrupt, truncated or not an archive: nothing was written. */
  badArchive: 3,
  /** A server or database refused or failed a request after retries (network, auth, 5xx). */
  remote: 4,
  /** Items conflicted with what the target holds (--on-conflict fail), or were skipped as newer there. */
  conflict: 5,
  /** --verify found differences between source and target; verify-table found problems; diff-tables found differing keys. */
  verifyMismatch: 6,
  /** Some rows could not be migrated (each reason counted in the report); the rest were. */
  incomplete: 7,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
