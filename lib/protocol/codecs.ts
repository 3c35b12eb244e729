/**
 * io-ts codecs for every message of the KISS AI Stack wire protocol, both directions.
 * See PROTOCOL.md; every body the client receives passes one of these before anything else sees it.
 * Codecs built with `t.type`/`t.partial` accept unknown extra fields, as the server may add some.
 * @module
 */
import * as t from 'io-ts';

const nullable = <C extends t.Mixed>(codec: C) => t.union([codec, t.null]);

/**
 * The two client scopes the server knows.
 * @category Protocol
 */
export const scopeCodec = t.keyof({ temporary: null, persistent: null }, 'Scope');
/**
 * `temporary` clients end when their session is closed; `persistent` clients stay active.
 * @category Protocol
 */
export type Scope = 'temporary' | 'persistent';

/**
 * `POST /auth` request body: a scope for a new client, or the credentials of an active one.
 * @category Protocol
 */
export const authRequestCodec = t.partial(
  { scope: scopeCodec, client_id: t.string, client_secret: t.string },
  'AuthRequest',
);
/** @category Protocol */
export type AuthRequestBody = t.TypeOf<typeof authRequestCodec>;

/**
 * `POST /auth` 200 response body.
 * @category Protocol
 */
export const authResponseCodec = t.type(
  { access_token: t.string, client_id: t.string, client_secret: t.string },
  'AuthResponse',
);
/** @category Protocol */
export type AuthResponseBody = t.TypeOf<typeof authResponseCodec>;

/**
 * Body of bootstrap, ask and destroy requests: `{ query }`.
 * @category Protocol
 */
export const queryBodyCodec = t.type({ query: t.string }, 'QueryBody');
/** @category Protocol */
export type QueryBody = t.TypeOf<typeof queryBodyCodec>;

/**
 * One document as sent on the wire: its base name and base64 content.
 * @category Protocol
 */
export const wireFileCodec = t.type({ name: t.string, content: t.string }, 'WireFile');
/** @category Protocol */
export type WireFile = t.TypeOf<typeof wireFileCodec>;

/**
 * `POST /documents` request body.
 * @category Protocol
 */
export const documentsBodyCodec = t.type(
  { files: t.array(wireFileCodec), metadata: t.UnknownRecord },
  'DocumentsBody',
);
/** @category Protocol */
export type DocumentsBody = t.TypeOf<typeof documentsBodyCodec>;

/**
 * The envelope of every successful stack response: `{ stack_id, result, extras }`.
 * @category Protocol
 */
export const stackResponseCodec = t.type(
  { stack_id: t.string, result: nullable(t.string), extras: t.unknown },
  'StackResponse',
);
/** @category Protocol */
export type StackResponseBody = t.TypeOf<typeof stackResponseCodec>;

/**
 * `extras` of an answer. The last three are null unless the answer is backed by documents.
 * @category Protocol
 */
export const answerExtrasCodec = nullable(
  t.partial(
    {
      query: nullable(t.string),
      metadata: nullable(t.array(t.unknown)),
      distances: nullable(t.array(t.unknown)),
      supporting_documents: nullable(t.array(t.unknown)),
    },
    'AnswerExtras',
  ),
);
/** @category Protocol */
export type AnswerExtrasBody = t.TypeOf<typeof answerExtrasCodec>;

/**
 * `extras` of a store: tool name → stored document ids, or null when the store failed.
 * @category Protocol
 */
export const storeExtrasCodec = nullable(t.record(t.string, t.array(t.string), 'StoreExtras'));
/** @category Protocol */
export type StoreExtrasBody = t.TypeOf<typeof storeExtrasCodec>;

/**
 * Socket events, one per REST step.
 * @category Protocol
 */
export const socketEventCodec = t.keyof(
  { on_init: null, on_query: null, on_store: null, on_close: null },
  'SocketEvent',
);
/** @category Protocol */
export type SocketEvent = t.TypeOf<typeof socketEventCodec>;

/**
 * Client → server socket frame: `{ event, data }`, where data is the matching REST body.
 * @category Protocol
 */
export const socketRequestCodec = t.type(
  { event: socketEventCodec, data: t.union([queryBodyCodec, documentsBodyCodec]) },
  'SocketRequest',
);
/** @category Protocol */
export type SocketRequestFrame = t.TypeOf<typeof socketRequestCodec>;

/**
 * Server → client success frame.
 * @category Protocol
 */
export const socketResultCodec = t.type(
  { event: t.string, result: stackResponseCodec },
  'SocketResult',
);
/** @category Protocol */
export type SocketResultFrame = t.TypeOf<typeof socketResultCodec>;

/**
 * Server → client failure frame. It names neither the event nor the request it answers.
 * @category Protocol
 */
export const socketErrorCodec = t.type(
  { error: t.literal(true), status_code: t.number, detail: t.string },
  'SocketError',
);
/** @category Protocol */
export type SocketErrorFrame = t.TypeOf<typeof socketErrorCodec>;

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
export const socketResponseCodec = t.union([socketResultCodec, socketErrorCodec], 'SocketResponse');
/** @category Protocol */
export type SocketResponseFrame = t.TypeOf<typeof socketResponseCodec>;

/** Pydantic 1 validation issue: `{ loc, msg, type: 'value_error.missing' }`. */
const validationIssueV1 = t.type({ loc: t.array(t.union([t.string, t.number])), msg: t.string, type: t.string });
/** Pydantic 2 validation issue: `{ type: 'missing', loc, msg, input }`. */
const validationIssueV2 = t.intersection([
  t.type({ type: t.string, loc: t.array(t.union([t.string, t.number])), msg: t.string }),
  t.partial({ input: t.unknown }),
]);

/**
 * One entry of a 422 `detail` list, in either shape the server versions send.
 * @category Protocol
 */
export const validationIssueCodec = t.union([validationIssueV2, validationIssueV1], 'ValidationIssue');

/**
 * Error body: `detail` is a sentence for most errors and a list of issues for validation errors.
 * (A 500 has no JSON body at all.)
 * @category Protocol
 */
export const errorBodyCodec = t.type(
  { detail: t.union([t.string, t.array(validationIssueCodec)]) },
  'ErrorBody',
);
/** @category Protocol */
export type ErrorBody = t.TypeOf<typeof errorBodyCodec>;
