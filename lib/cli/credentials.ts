/**
 * A persistent client's id and secret for the CLI: given on the command line or in the
 * environment, or kept in a file only its owner can read. The secret is never printed.
 * @module
 */
import { constants } from 'node:fs';
import { access, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CredentialStore, StoredCredentials } from '../index.js';
import type { CredentialSource } from './args.js';
import { CliError, EXIT, usageError } from './exit-codes.js';

/** What the CLI tells the user about the credentials, and the secrets its output must never show. */
export interface CredentialsReport {
  /** A secret became known (read from a file, or made for a new client): keep it out of all output. */
  secret(value: string): void;
  /** A line for stderr (a new client was created, a file is readable by others). */
  notice(line: string): void;
}

/**
 * The {@link CredentialStore} a session uses for `source`.
 *
 * Credentials the user gave are theirs to keep: when the server refuses them, the session would
 * forget them and quietly create a new client, so `clear()` refuses instead and the command fails
 * with exit code 3. A file that does not exist yet is where a new client's credentials go, written
 * once with mode 0600 (never over an existing file); the new client's id is announced, its secret
 * never is.
 *
 * @example
 * ```ts
 * const credentials = await credentialStore({ kind: 'file', path: './kiss.json' }, report);
 * createSession({ url, scope: 'persistent', credentials });
 * ```
 */
export async function credentialStore(source: CredentialSource, report: CredentialsReport): Promise<CredentialStore> {
  if (source.kind === 'given') {
    report.secret(source.clientSecret);
    return refusing({ clientId: source.clientId, clientSecret: source.clientSecret }, source.from);
  }
  const { path } = source;
  const saved = await readCredentialsFile(path, report);
  if (saved) return refusing(saved, path);
  await access(dirname(path), constants.W_OK).catch(() => {
    throw usageError(`--credentials ${path}: the file does not exist and its folder cannot be written, so a new client's credentials could not be kept.`);
  });
  let created: StoredCredentials | undefined;
  return {
    load: () => created,
    save: async (credentials) => {
      report.secret(credentials.clientSecret);
      const text = `${JSON.stringify({ clientId: credentials.clientId, clientSecret: credentials.clientSecret }, null, 2)}\n`;
      // 'wx': never replace a file that appeared meanwhile (it may hold another client's secret).
      await writeFile(path, text, { mode: 0o600, flag: 'wx' });
      created = credentials;
      report.notice(`Created persistent client ${credentials.clientId}; its id and secret are saved in ${path} (readable by you only). Pass --credentials ${path} to use it again.`);
    },
    clear: () => refuse(path),
  };
}

/** A store holding credentials the user supplied, which it will not forget (see above). */
function refusing(credentials: StoredCredentials, from: string): CredentialStore {
  return { load: () => credentials, save: () => undefined, clear: () => refuse(from) };
}

function refuse(from: string): never {
  throw new CliError(
    `The server refused the persistent client's id and secret from ${from}: the client has ended or the secret is wrong. Nothing was created; check the credentials.`,
    EXIT.unauthorized,
  );
}

/** The credentials in `path`, or undefined when it does not exist. */
async function readCredentialsFile(path: string, report: CredentialsReport): Promise<StoredCredentials | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`--credentials ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`, EXIT.failure);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const { clientId, clientSecret } = (value ?? {}) as Partial<Record<keyof StoredCredentials, unknown>>;
  if (typeof clientId !== 'string' || !clientId || typeof clientSecret !== 'string' || !clientSecret) {
    // Never quote the file: it may hold a secret in a shape we did not expect.
    throw new CliError(`--credentials ${path} is not a credentials file written by kiss-stack (JSON with clientId and clientSecret).`, EXIT.failure);
  }
  report.secret(clientSecret);
  if (process.platform !== 'win32' && ((await stat(path)).mode & 0o077) !== 0) {
    report.notice(`Warning: ${path} holds a client secret and can be read by other users; run chmod 600 ${path}.`);
  }
  return { clientId, clientSecret };
}
