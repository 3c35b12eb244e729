/**
 * The REST routes: `/auth`, `/sessions`, `/queries`, `/documents`. Checks run in FastAPI's order:
 * malformed JSON (422), then the bearer dependency (401), then query and body validation (422),
 * then the handler (400 for an unknown action, 500 when the stack raises).
 * @module
 */
import { appendFileSync } from 'node:fs';
import { isScope, type Client } from './clients.js';
import { authenticate } from './authenticate.js';
import type { ServerContext } from './context.js';
import type { ParsedBody } from './http-body.js';
import { detailReply, internalErrorReply, jsonReply, type Reply } from './http-replies.js';
import { ask, bootstrap, close, store, type StackReply } from './stack.js';
import { checkAuthBody, checkQueryBody, checkStoreBody, renderProblems, type Problem } from './validation.js';

/** @internal One HTTP request, as the routes need it. */
export interface RestRequest {
  method: string;
  /** Without the prefix and the query string. */
  path: string;
  query: URLSearchParams;
  authorization?: string;
  body: ParsedBody;
}

type Route = (context: ServerContext, request: RestRequest) => Promise<Reply>;
type AuthenticatedRoute = (context: ServerContext, request: RestRequest, body: unknown, client: Client) => Reply;

/** @internal 404 for an unknown path, 405 for a known path with another method than POST. */
export function answerRest(context: ServerContext, request: RestRequest): Promise<Reply> {
  const route = ROUTES.get(request.path);
  if (!route) return Promise.resolve(detailReply(404, 'Not Found'));
  if (request.method !== 'POST') return Promise.resolve(detailReply(405, 'Method Not Allowed', { Allow: 'POST' }));
  return route(context, request);
}

const VALUE_ERROR = 'Value error, Either `scope` or both `client_id` and `client_secret` must be provided.';

async function authorizeRoute(context: ServerContext, request: RestRequest): Promise<Reply> {
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
  const token = await context.tokens.issue(client.id, client.scope);
  if (context.options.secretsLog) appendFileSync(context.options.secretsLog, `${token}\n${client.secret}\n`);
  return jsonReply(200, { access_token: token, client_id: client.id, client_secret: client.secret });
}

const sessionsRoute: AuthenticatedRoute = (context, request, body, client) => {
  const problems: Problem[] = [];
  const action = request.query.getAll('action').at(-1); // the last one wins, as in Starlette
  if (action === undefined) problems.push({ kind: 'missing', loc: ['query', 'action'], input: null });
  const checked = checkQueryBody(body);
  if (!checked.ok) problems.push(...checked.problems);
  if (problems.length > 0) return invalid(context, problems);
  if (action === 'init') return stackReply(bootstrap(client));
  if (action === 'close') return stackReply(close(client));
  return detailReply(400, `Invalid action: ${action}`);
};

const queriesRoute: AuthenticatedRoute = (context, _request, body, client) => {
  const checked = checkQueryBody(body);
  return checked.ok ? stackReply(ask(client, checked.value)) : invalid(context, checked.problems);
};

const documentsRoute: AuthenticatedRoute = (context, _request, body, client) => {
  const checked = checkStoreBody(body);
  if (!checked.ok) return invalid(context, checked.problems);
  return stackReply(store(client, checked.value, () => context.faults.takeStoreFailure()));
};

function authenticated(route: AuthenticatedRoute): Route {
  return async (context, request) => {
    if (!request.body.ok) return invalid(context, [request.body.problem]);
    const auth = await authenticate(request.authorization, context.tokens, context.clients);
    if (!auth.ok) return detailReply(401, auth.detail);
    return route(context, request, request.body.value, auth.client);
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
