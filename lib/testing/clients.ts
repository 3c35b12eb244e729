/**
 * The clients the server knows, and the state of each one's stack (bootstrapped, stored documents).
 * @module
 */
import { randomBytes, randomUUID } from 'node:crypto';

/** @internal */
export type Scope = 'temporary' | 'persistent';

/** @internal */
export const isScope = (value: unknown): value is Scope => value === 'temporary' || value === 'persistent';

/** @internal One stored document. */
export interface StoredDocument {
  id: string;
  name: string;
  text: string;
  metadata: Record<string, unknown>;
}

/** @internal */
export interface Client {
  readonly id: string;
  readonly secret: string;
  readonly scope: Scope;
  /** False once a temporary client closed its session: it can do nothing any more. */
  active: boolean;
  /** True between a bootstrap and a close. */
  bootstrapped: boolean;
  documents: StoredDocument[];
  /** Counter behind the deterministic document ids. */
  documentsEverStored: number;
}

/**
 * What a test can see of one client the test server knows (no secret).
 * @category Testing
 */
export interface TestClientInfo {
  /** The client id (also its stack id). */
  readonly id: string;
  /** `temporary` (ends at its close) or `persistent`. */
  readonly scope: 'temporary' | 'persistent';
  /** False once a temporary client closed its session. */
  readonly active: boolean;
  /** True between a bootstrap and a close. */
  readonly bootstrapped: boolean;
  /** How many documents its stack holds. */
  readonly documents: number;
}

/** @internal */
export class ClientRegistry {
  private readonly clients = new Map<string, Client>();

  /** Every client created so far, in order of creation, as a snapshot. */
  snapshot(): readonly TestClientInfo[] {
    return Object.freeze([...this.clients.values()].map((c) => Object.freeze({
      id: c.id,
      scope: c.scope,
      active: c.active,
      bootstrapped: c.bootstrapped,
      documents: c.documents.length,
    })));
  }

  create(scope: Scope): Client {
    const client: Client = {
      id: randomUUID(),
      secret: randomBytes(24).toString('base64url'),
      scope,
      active: true,
      bootstrapped: false,
      documents: [],
      documentsEverStored: 0,
    };
    this.clients.set(client.id, client);
    return client;
  }

  /** The client with this id while it is active. */
  findActive(id: string): Client | undefined {
    const client = this.clients.get(id);
    return client?.active ? client : undefined;
  }
}
