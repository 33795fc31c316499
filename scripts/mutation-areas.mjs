// The areas `npm run mutation` covers: which sources Stryker mutates and which (fast) compiled
// test files decide whether a mutant is killed. Used by stryker.config.mjs and
// scripts/mutation-tests.mjs.
export const areas = {
  // Credential redaction: the trace ring, SASL payloads, the session core's redacted sends and
  // the client's LOGIN / AUTHENTICATE / trace hook.
  redaction: {
    mutate: [
      'src/imap/session/trace.ts',
      'src/imap/session/sasl.ts',
      'src/imap/session/core.ts:107-118',
      'src/imap/session/core.ts:166-180',
      'src/imap/session/client.ts:145-150',
      'src/imap/session/client.ts:296-335',
      'src/imap/session/client.ts:781-798',
    ],
    tests: ['unit/auth-redaction', 'unit/session-core', 'unit/session-core-redaction'],
  },
  // The sync engine's guarantees only (cursor/transaction rules, UIDVALIDITY recovery): the
  // part of `sync` that fits a short run on a loaded machine.
  'sync-core': {
    mutate: [
      'src/sync/uidvalidity-recovery.ts',
      // fetchAndStore: batches, cursor, commits.
      'src/sync/fetch-pipeline.ts:76-158',
    ],
    tests: ['unit/sync-guarantees', 'unit/sync-folder'],
  },
  // The sync engine: cursor/transaction rules, UIDVALIDITY recovery, reconciliation, runner, plugin.
  sync: {
    mutate: ['src/sync/**/*.ts', '!src/sync/providers.ts'],
    tests: [
      'unit/sync-folder', 'unit/sync-guarantees', 'unit/sync-backfill', 'property/sync-convergence', 'unit/runner', 'unit/email-plugin',
      'unit/folder-lifecycle', 'unit/folder-names', 'unit/service-config', 'unit/service-parts', 'unit/work-queue',
    ],
  },
  // The store: schema, repositories (the batch transaction), persistence.
  store: {
    mutate: ['src/store/**/*.ts'],
    // Fast, strong files first (a mutant stops at its first failing file). store-crash (SIGKILL
    // loops, ~50 s a run under load) is left out: per mutant it would cost more than the rest
    // together; the persistence paths it guards are also checked by file-persistence.
    tests: [
      'unit/store', 'unit/file-persistence', 'unit/store-mailbox', 'unit/store-threads', 'unit/folder-lifecycle', 'unit/sync-guarantees',
      'property/search-query', 'unit/store-postgres', 'unit/work-queue', 'property/sync-convergence', 'unit/store-lock',
    ],
  },
};
