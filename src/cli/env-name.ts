/**
 * Names of environment variables given on the command line (`--password-env VAR`). Only a
 * variable NAME is accepted; anything else is refused without being echoed, because the usual
 * mistake is to pass the secret itself (`--password-env hunter2`).
 */
import { ConfigError } from '../errors.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isEnvVarName(value: string): boolean {
  return ENV_NAME.test(value);
}

/** The secret held by the variable `name` given for `option`; typed errors that never contain
 * a value which is not a variable name. */
export function secretFromEnv(option: string, name: string, env: Record<string, string | undefined>): string {
  if (!isEnvVarName(name)) {
    throw new ConfigError(`${option} takes the name of an environment variable (letters, digits and _, not starting with a digit), not the secret itself`);
  }
  const secret = env[name];
  if (secret === undefined || secret === '') throw new ConfigError(`environment variable ${name} (from ${option}) is not set`);
  return secret;
}
