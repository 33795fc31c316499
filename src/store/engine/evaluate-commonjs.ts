/**
 * Evaluates a package's CommonJS script from its source text, as Node evaluates a CommonJS file
 * (module, exports, require, __filename, __dirname), and returns its exports. The WebAssembly
 * SQLite loaders use it to run their package's own script with one expression adjusted.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

export function evaluateCommonJs<T>(path: string, source: string): T {
  const module: { exports: unknown } = { exports: {} };
  const run = new Function('module', 'exports', 'require', '__filename', '__dirname', source) as (
    module: { exports: unknown },
    exports: unknown,
    require: NodeRequire,
    filename: string,
    dirname: string,
  ) => void;
  run(module, module.exports, createRequire(path), path, dirname(path));
  return module.exports as T;
}
