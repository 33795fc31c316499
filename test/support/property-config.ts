/**
 * The budget and replay settings shared by every fast-check property in the suite.
 *
 * - `PRX_PROPERTY_RUNS` (default 2,000) scales the number of runs; each property states its share
 *   with `propertyRuns(factor, min)`.
 * - `PRX_PROPERTY_SEED` (and optionally `PRX_PROPERTY_PATH`) replays a failure: fast-check prints
 *   `seed` and `path` in its failure report, and every property passes them through
 *   `propertyParameters`. Without them fast-check picks a fresh random seed per property.
 */

import type fc from 'fast-check';

const env = process.env;

/** The suite-wide run budget (`PRX_PROPERTY_RUNS`, default 2,000). */
export const PROPERTY_RUNS = Math.max(1, Number(env.PRX_PROPERTY_RUNS ?? 2000) || 2000);

/** This property's number of runs: `PROPERTY_RUNS * factor`, at least `min`. */
export function propertyRuns(factor = 1, min = 1): number {
  return Math.max(min, Math.ceil(PROPERTY_RUNS * factor));
}

/** A seed from `PRX_PROPERTY_SEED`, or null. */
export function propertySeed(): number | null {
  const raw = env.PRX_PROPERTY_SEED;
  if (raw === undefined || raw === '') return null;
  const seed = Number(raw);
  return Number.isInteger(seed) ? seed : null;
}

/** fast-check parameters: `numRuns`, plus `seed`/`path` from the environment when set. */
export function propertyParameters<T>(numRuns: number, extra: fc.Parameters<T> = {}): fc.Parameters<T> {
  const seed = propertySeed();
  const path = env.PRX_PROPERTY_PATH;
  return {
    numRuns,
    ...(seed === null ? {} : { seed }),
    ...(seed !== null && path ? { path } : {}),
    ...extra,
  };
}

/** A seed for code that draws its own random numbers (printed by the caller so a run can be
 * repeated with `PRX_PROPERTY_SEED`). */
export function randomSeed(): number {
  return propertySeed() ?? Math.floor(Math.random() * 2 ** 31);
}
