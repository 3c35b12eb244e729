/**
 * Where a persistent client's credentials live between runs.
 * @module
 */

/**
 * A client's id and secret: what mints fresh tokens for it.
 * @category Authorization
 */
export interface StoredCredentials {
  /** The client id. */
  readonly clientId: string;
  /** The client secret. Keep it as safe as a password. */
  readonly clientSecret: string;
}

/**
 * Keeps a persistent client's credentials so an app can reuse the client across runs. Implement it
 * over a keychain, an encrypted file or a secrets service; methods may be sync or async.
 *
 * @example
 * ```ts
 * const store: CredentialStore = {
 *   load: () => keychain.get('kiss'),
 *   save: (c) => keychain.set('kiss', c),
 *   clear: () => keychain.delete('kiss'),
 * };
 * ```
 * @category Authorization
 */
export interface CredentialStore {
  /** The saved credentials, if any. */
  load(): StoredCredentials | undefined | Promise<StoredCredentials | undefined>;
  /** Saves credentials after a new client is authorized. */
  save(credentials: StoredCredentials): void | Promise<void>;
  /** Forgets them (the client ended, or was refused). */
  clear(): void | Promise<void>;
}

/**
 * A {@link CredentialStore} in memory: credentials last as long as the store object.
 *
 * @example
 * ```ts
 * const credentials = memoryCredentialStore();
 * openSession({ url, scope: 'persistent', credentials });
 * ```
 * @category Authorization
 */
export function memoryCredentialStore(): CredentialStore {
  let saved: StoredCredentials | undefined;
  return {
    load: () => saved,
    save: (credentials) => {
      saved = { clientId: credentials.clientId, clientSecret: credentials.clientSecret };
    },
    clear: () => {
      saved = undefined;
    },
  };
}
