// The areas `npm run mutation` covers: which sources Stryker mutates and which (fast) compiled
// test files may kill its mutants (each runs as its own process; a mutant runs only the files
// that reach it, fast and strong ones listed first). Used by stryker.config.mjs.
export const areas = {
  // Credential redaction: the trace ring, SASL payloads, the session core's redacted sends and
  // the connection's trace hook, LOGIN and AUTHENTICATE.
  redaction: {
    mutate: [
      'src/imap/session/trace.ts',
      'src/imap/session/sasl.ts',
      // the core's redacted sends: command parts and continuation replies
      'src/imap/session/core.ts:110-121',
      'src/imap/session/core.ts:176-182',
      // the connection's trace and transcript hook
      'src/imap/session/connection.ts:50-55',
      'src/imap/session/commands/login.ts',
      'src/imap/session/commands/authenticate.ts',
    ],
    tests: ['unit/auth-redaction', 'unit/session-core', 'unit/session-core-redaction', 'unit/session-command-authenticate', 'unit/session-command-login', 'unit/session-connection'],
  },
  // The sync engine's guarantees only (cursor/transaction rules, UIDVALIDITY recovery): the
  // part of `sync` that fits a short run on a loaded machine.
  'sync-core': {
    mutate: [
      'src/sync/uidvalidity-recovery.ts',
      // fetchAndStore: batches, cursor, commits.
      'src/sync/fetch-pipeline.ts:76-158',
    ],
    tests: ['unit/sync-guarantees', 'unit/sync-folder', 'unit/sync-backfill'],
  },
  // The sync engine, in three parts that each finish in one sitting on a 2-core machine (`sync`
  // runs them together: 3,421 mutants). All use the same test files (a mutant runs only those
  // that reach it).
  // sync-engine: one folder's sync (plan, fetch pipeline, reconciliation, UIDVALIDITY recovery),
  // the session and store adapters, folder names and lifecycle, the request shape.
  'sync-engine': {
    mutate: syncEngineFiles(),
    tests: syncTests(),
  },
  // sync-runner: the runner and its state, the plugin's public API, account settings, the
  // distributed worker and its lease queue.
  'sync-runner': {
    mutate: ['src/sync/runner.ts', 'src/sync/email-plugin.ts', 'src/sync/account-config.ts', 'src/sync/lease-queue.ts', 'src/sync/distributed-worker.ts'],
    tests: syncTests(),
  },
  // sync-service: the long-running service (src/sync/service).
  'sync-service': {
    mutate: ['src/sync/service/**/*.ts'],
    tests: syncTests(),
  },
  sync: {
    mutate: ['src/sync/**/*.ts', '!src/sync/providers.ts'],
    tests: syncTests(),
  },
  // The store, in two halves that each finish in one sitting on a 2-core machine (`store` runs
  // both at once). Fast, strong files first (a mutant stops at its first failing file).
  // store-crash (SIGKILL loops, ~50 s a run under load) is left out: per mutant it would cost
  // more than the rest together; the persistence paths it guards are also checked by
  // file-persistence and store-lock.
  // store-engine: the engines (file WASM SQLite and its lock, sql.js, PostgreSQL), opening and
  // migrating a database, image persistence.
  'store-engine': {
    mutate: ['src/store/engine/**/*.ts', 'src/store/database.ts', 'src/store/file-persistence.ts', 'src/store/sqljs.ts', 'src/store/text-param.ts'],
    tests: storeTests(),
  },
  // store-repositories: schema, migrations' DDL, the repositories (the batch transaction), search.
  'store-repositories': {
    mutate: ['src/store/**/*.ts', '!src/store/engine/**/*.ts', '!src/store/database.ts', '!src/store/file-persistence.ts', '!src/store/sqljs.ts', '!src/store/text-param.ts'],
    tests: storeTests(),
  },
  store: {
    mutate: ['src/store/**/*.ts'],
    tests: storeTests(),
  },
};

function syncTests() {
  return [
    'unit/sync-folder', 'unit/sync-guarantees', 'unit/sync-backfill', 'property/sync-convergence', 'unit/runner', 'unit/email-plugin',
    'unit/folder-lifecycle', 'unit/folder-names', 'unit/service-config', 'unit/service-parts', 'unit/sync-service', 'unit/work-queue',
    'unit/runner-transactions', 'replay/transcripts', 'replay/gmail-labels', 'replay/cut-settles', 'unit/cli-args',
  ];
}

function syncEngineFiles() {
  return [
    'src/sync/folder-sync.ts', 'src/sync/fetch-pipeline.ts', 'src/sync/fetch-plan.ts', 'src/sync/reconcile-existing.ts',
    'src/sync/uidvalidity-recovery.ts', 'src/sync/session-adapter.ts', 'src/sync/store-adapter.ts', 'src/sync/raw-message.ts',
    'src/sync/parse-back-pressure.ts', 'src/sync/folder-lifecycle.ts', 'src/sync/folder-names.ts', 'src/sync/sync-request.ts',
    'src/sync/ports.ts',
  ];
}

function storeTests() {
  return [
    'unit/store', 'unit/file-persistence', 'unit/file-lock', 'unit/file-group-commit', 'unit/store-mailbox', 'unit/store-threads', 'unit/store-identity', 'unit/folder-lifecycle',
    'unit/sync-guarantees', 'property/search-query', 'unit/store-postgres', 'unit/work-queue', 'property/sync-convergence', 'unit/store-lock',
  ];
}
