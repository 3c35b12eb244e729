/**
 * The REST side in the real server's order. First the session middleware: on every path but
 * `/auth`, for every method but OPTIONS, a request without a valid bearer gets its 401 whatever
 * else is wrong with it (its body, its action, even its path). Then the router: a known path with
 * another method than POST → 405; a path that only differs by a trailing slash → 307 to the path
 * without it; any other unknown path → 404. Then the route: malformed JSON (422), query and body
 * validation (422), the handler (400 for an unknown action, 500 when the stack raises).
 * @module
 */
import { appendFileSync } from 'node:fs';
import { isScope, type Client } from './clients.js';
import { authenticateRest } from './authenticate.js';
import type { ServerContext } from './context.js';
import type { ParsedBody } from './http-body.js';
import { detailReply, internalErrorReply, jsonReply, redirectReply, type Reply } from './http-replies.js';
import { ask, bootstrap, close, store, type StackReply } from './stack.js';
import { checkAuthBody, checkQueryBody, checkStoreBody, renderProblems, type Problem } from './validation.js';

/** @internal One HTTP request, as the routes need it. */
export interface RestRequest {
  method: string;
  /** Without the prefix and the query string, percent-decoded. */
  path: string;
  /** The raw query string without its `?`; '' when there is none. */
  rawQuery: string;
  /** `scheme://host[:port]` + prefix as the client addressed the server, for a redirect's Location. */
  origin: string;
  authorization?: string;
  body: ParsedBody;
  /** Told what an answer script threw on this request (it is then answered with a 500). */
  onAnswerError: (error: unknown) => void;
}

/** `client` is the middleware's: undefined on `/auth`, which skips it. */
type Route = (context: ServerContext, request: RestRequest, client: Client | undefined) => Reply | Promise<Reply>;
type AuthenticatedRoute = (context: ServerContext, request: RestRequest, body: unknown, client: Client) => Reply | Promise<Reply>;

/** @internal */
export async function answerRest(context: ServerContext, request: RestRequest): Promise<Reply> {
  let client: Client | undefined;
  if (request.path !== '/auth' && request.method !== 'OPTIONS') {
    const auth = await authenticateRest(request.authorization, context.tokens, context.clients);
    if (!auth.ok) return detailReply(401, auth.detail);
    client = auth.client;
  }
  const route = ROUTES.get(request.path);
  if (route) return request.method === 'POST' ? route(context, request, client) : detailReply(405, 'Method Not Allowed', { Allow: 'POST' });
  return slashRedirect(request) ?? detailReply(404, 'Not Found');
}

/** Starlette's redirect_slashes: `/queries/` (or `/queries//`) → 307 to `/queries`, query string kept. */
function slashRedirect(request: RestRequest): Reply | undefined {
  if (request.path === '/' || !request.path.endsWith('/')) return undefined;
  const path = request.path.replace(/\/+$/, '');
  if (!ROUTES.has(path)) return undefined;
  return redirectReply(`${request.origin}${path}${request.rawQuery ? `?${request.rawQuery}` : ''}`);
}

const VALUE_ERROR = 'Value error, Either `scope` or both `client_id` and `client_secret` must be provided.';

function authorizeRoute(context: ServerContext, request: RestRequest): Reply {
  if (!request.body.ok) return invalid(context, [request.body.problem]);
  const checked = checkAuthBody(request.body.value);
  if (!checked.ok) return invalid(context, checked.problems);
  const { scope, client_id: id, client_secret: secret } = checked.value;
  let client: Client;
  if (id && secret) {
    const known = context.clients.findActive(id);
    if (!known) return detailReply(401, 'Invalid or inactive session');
    if (known.secret !== secret) return detailReply(401, 'Invalid client_id or client_secret');
    client = known;
  } else if (!scope) {
    return detailReply(401, VALUE_ERROR);
  } else if (!isScope(scope)) {
    return internalErrorReply();
  } else {
    client = context.clients.create(scope);
  }
  const token = context.tokens.issue(client.id, client.scope);
  if (context.options.secretsLog) appendFileSync(context.options.secretsLog, `${token}\n${client.secret}\n`);
  return jsonReply(200, { access_token: token, client_id: client.id, client_secret: client.secret });
}

const sessionsRoute: AuthenticatedRoute = (context, request, body, client) => {
  const problems: Problem[] = [];
  const action = new URLSearchParams(request.rawQuery).getAll('action').at(-1); // the last one wins, as in Starlette
  if (action === undefined) problems.push({ kind: 'missing', loc: ['query', 'action'], input: null });
  const checked = checkQueryBody(body);
  if (!checked.ok) problems.push(...checked.problems);
  if (problems.length > 0) return invalid(context, problems);
  if (action === 'init') return stackReply(bootstrap(client));
  if (action === 'close') return stackReply(close(client));
  return detailReply(400, `Invalid action: ${action}`);
};

const queriesRoute: AuthenticatedRoute = async (context, request, body, client) => {
  const checked = checkQueryBody(body);
  if (!checked.ok) return invalid(context, checked.problems);
  return stackReply(await ask(client, checked.value, { script: context.answers.script, transport: 'http', onScriptError: request.onAnswerError }));
};

/** A store never raises: before bootstrap it is the failed-store answer (200, extras null). */
const documentsRoute: AuthenticatedRoute = (context, _request, body, client) => {
  const checked = checkStoreBody(body);
  if (!checked.ok) return invalid(context, checked.problems);
  return stackReply(store(client, checked.value, () => context.faults.takeStoreFailure()));
};

/**
 * The body is parsed (422 for malformed JSON) only once the middleware let the request through.
 * Without the middleware's client the handler would raise reading it, hence the 500.
 */
function authenticated(route: AuthenticatedRoute): Route {
  return (context, request, client) => {
    if (!request.body.ok) return invalid(context, [request.body.problem]);
    return client ? route(context, request, request.body.value, client) : internalErrorReply();
  };
}

const invalid = (context: ServerContext, problems: Problem[]): Reply =>
  detailReply(422, renderProblems(problems, context.options.validationStyle));

const stackReply = (reply: StackReply | undefined): Reply => (reply ? jsonReply(200, reply) : internalErrorReply());

const ROUTES = new Map<string, Route>([
  ['/auth', authorizeRoute],
  ['/sessions', authenticated(sessionsRoute)],
  ['/queries', authenticated(queriesRoute)],
  ['/documents', authenticated(documentsRoute)],
]);
