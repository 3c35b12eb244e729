/**
 * io-ts codecs for every message of the KISS AI Stack wire protocol, both directions.
 * See PROTOCOL.md; every body the client receives passes one of these before anything else sees it.
 * Codecs built with `struct`/`partial` accept unknown extra fields, as the server may add some.
 * A codec's name is what a `DecodeError` says was expected.
 * @module
 */
import {
  array,
  intersect,
  literal,
  named,
  nullable,
  number,
  partial,
  record,
  string,
  struct,
  type TypeOf,
  union,
  unknown,
  UnknownRecord,
} from './codec.js';

/**
 * The two client scopes the server knows.
 * @category Protocol
 */
export const scopeCodec = named('Scope', literal('temporary', 'persistent'));
/**
 * `temporary` clients end when their session is closed; `persistent` clients stay active.
 * @category Protocol
 */
export type Scope = 'temporary' | 'persistent';

/**
 * `POST /auth` request body: a scope for a new client, or the credentials of an active one.
 * @category Protocol
 */
export const authRequestCodec = named(
  'AuthRequest',
  partial({ scope: scopeCodec, client_id: string, client_secret: string }),
);
/** @category Protocol */
export type AuthRequestBody = TypeOf<typeof authRequestCodec>;

/**
 * `POST /auth` 200 response body.
 * @category Protocol
 */
export const authResponseCodec = named(
  'AuthResponse',
  struct({ access_token: string, client_id: string, client_secret: string }),
);
/** @category Protocol */
export type AuthResponseBody = TypeOf<typeof authResponseCodec>;

/**
 * Body of bootstrap, ask and destroy requests: `{ query }`.
 * @category Protocol
 */
export const queryBodyCodec = named('QueryBody', struct({ query: string }));
/** @category Protocol */
export type QueryBody = TypeOf<typeof queryBodyCodec>;

/**
 * One document as sent on the wire: its base name and base64 content.
 * @category Protocol
 */
export const wireFileCodec = named('WireFile', struct({ name: string, content: string }));
/** @category Protocol */
export type WireFile = TypeOf<typeof wireFileCodec>;

/**
 * `POST /documents` request body.
 * @category Protocol
 */
export const documentsBodyCodec = named('DocumentsBody', struct({ files: array(wireFileCodec), metadata: UnknownRecord }));
/** @category Protocol */
export type DocumentsBody = TypeOf<typeof documentsBodyCodec>;

/**
 * The envelope of every successful stack response: `{ stack_id, result, extras }`.
 * @category Protocol
 */
export const stackResponseCodec = named(
  'StackResponse',
  struct({ stack_id: string, result: nullable(string), extras: unknown }),
);
/** @category Protocol */
export type StackResponseBody = TypeOf<typeof stackResponseCodec>;

/**
 * `extras` of an answer. The last three are null unless the answer is backed by documents.
 * @category Protocol
 */
export const answerExtrasCodec = named(
  '(AnswerExtras | null)',
  nullable(
    partial({
      query: nullable(string),
      metadata: nullable(array(unknown)),
      distances: nullable(array(unknown)),
      supporting_documents: nullable(array(unknown)),
    }),
  ),
);
/** @category Protocol */
export type AnswerExtrasBody = TypeOf<typeof answerExtrasCodec>;

/**
 * `extras` of a store: tool name → stored document ids, or null when the store failed.
 * @category Protocol
 */
export const storeExtrasCodec = named('(StoreExtras | null)', nullable(record(array(string))));
/** @category Protocol */
export type StoreExtrasBody = TypeOf<typeof storeExtrasCodec>;

/**
 * Socket events, one per REST step.
 * @category Protocol
 */
export const socketEventCodec = named('SocketEvent', literal('on_init', 'on_query', 'on_store', 'on_close'));
/** @category Protocol */
export type SocketEvent = TypeOf<typeof socketEventCodec>;

/**
 * Client → server socket frame: `{ event, data }`, where data is the matching REST body.
 * @category Protocol
 */
export const socketRequestCodec = named(
  'SocketRequest',
  struct({ event: socketEventCodec, data: union(queryBodyCodec, documentsBodyCodec) }),
);
/** @category Protocol */
export type SocketRequestFrame = TypeOf<typeof socketRequestCodec>;

/**
 * Server → client success frame.
 * @category Protocol
 */
export const socketResultCodec = named('SocketResult', struct({ event: string, result: stackResponseCodec }));
/** @category Protocol */
export type SocketResultFrame = TypeOf<typeof socketResultCodec>;

/**
 * Server → client failure frame. It names neither the event nor the request it answers.
 * @category Protocol
 */
export const socketErrorCodec = named(
  'SocketError',
  struct({ error: literal(true), status_code: number, detail: string }),
);
/** @category Protocol */
export type SocketErrorFrame = TypeOf<typeof socketErrorCodec>;

/**
 * The largest socket frame the server reads with default settings: uvicorn's `ws_max_size`,
 * 16 MiB. A larger frame gets close 1009.
 * @internal
 */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

/**
 * Any frame the server sends.
 * @category Protocol
 */
export const socketResponseCodec = named('SocketResponse', union(socketResultCodec, socketErrorCodec));
/** @category Protocol */
export type SocketResponseFrame = TypeOf<typeof socketResponseCodec>;

/** Pydantic 1 validation issue: `{ loc, msg, type: 'value_error.missing' }`. */
const validationIssueV1 = struct({ loc: array(union(string, number)), msg: string, type: string });
/** Pydantic 2 validation issue: `{ type: 'missing', loc, msg, input }`. */
const validationIssueV2 = intersect(
  struct({ type: string, loc: array(union(string, number)), msg: string }),
  partial({ input: unknown }),
);

/**
 * One entry of a 422 `detail` list, in either shape the server versions send.
 * @category Protocol
 */
export const validationIssueCodec = named('ValidationIssue', union(validationIssueV2, validationIssueV1));

/**
 * Error body: `detail` is a sentence for most errors and a list of issues for validation errors.
 * (A 500 has no JSON body at all.)
 * @category Protocol
 */
export const errorBodyCodec = named('ErrorBody', struct({ detail: union(string, array(validationIssueCodec)) }));
/** @category Protocol */
export type ErrorBody = TypeOf<typeof errorBodyCodec>;
