/** Where the fuzzer saves findings and the regression test looks for them. Test-only. */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const regressionsDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/fuzz-regressions');
