/**
 * Request validation the way FastAPI does it, and the 422 `detail` lists in both pydantic shapes.
 * Validators return style-free problems; {@link renderProblems} turns them into one shape.
 * @module
 */

/** @internal Where a problem is: `['body', 'files', 0, 'name']`. */
export type Loc = Array<string | number>;

/** @internal One validation problem, before it is rendered in a pydantic shape. */
export type Problem =
  | { kind: 'missing' | 'string' | 'list' | 'dict' | 'object'; loc: Loc; input: unknown }
  | { kind: 'json'; loc: Loc; error: string; doc: string; pos: number };

/** @internal */
export type ValidationStyle = 'v1' | 'v2';

const V2: Record<Exclude<Problem['kind'], 'json'>, [type: string, msg: string]> = {
  missing: ['missing', 'Field required'],
  string: ['string_type', 'Input should be a valid string'],
  list: ['list_type', 'Input should be a valid list'],
  dict: ['dict_type', 'Input should be a valid dictionary'],
  object: ['model_attributes_type', 'Input should be a valid dictionary or object to extract fields from'],
};
const V1: Record<Exclude<Problem['kind'], 'json'>, [type: string, msg: string]> = {
  missing: ['value_error.missing', 'field required'],
  string: ['type_error.str', 'str type expected'],
  list: ['type_error.list', 'value is not a valid list'],
  dict: ['type_error.dict', 'value is not a valid dict'],
  object: ['type_error.dict', 'value is not a valid dict'],
};

/** @internal The `detail` list of a 422. */
export function renderProblems(problems: readonly Problem[], style: ValidationStyle): unknown[] {
  return problems.map((p) => {
    if (p.kind === 'json') return renderJsonProblem(p, style);
    if (style === 'v2') {
      const [type, msg] = V2[p.kind];
      return { type, loc: p.loc, msg, input: p.input ?? null };
    }
    const [type, msg] = V1[p.kind];
    return { loc: p.loc, msg, type };
  });
}

function renderJsonProblem(p: Extract<Problem, { kind: 'json' }>, style: ValidationStyle): unknown {
  if (style === 'v2') return { type: 'json_invalid', loc: p.loc, msg: 'JSON decode error', input: {}, ctx: { error: p.error } };
  const before = p.doc.slice(0, p.pos);
  const lineno = before.split('\n').length;
  const colno = p.pos - before.lastIndexOf('\n');
  return {
    loc: p.loc,
    msg: `${p.error}: line ${lineno} column ${colno} (char ${p.pos})`,
    type: 'value_error.jsondecode',
    ctx: { msg: p.error, doc: p.doc, pos: p.pos, lineno, colno },
  };
}

/** @internal `{ query: string }`, the body of bootstrap, ask and destroy. */
export interface QueryBody {
  query: string;
}
/** @internal */
export interface WireFile {
  name: string;
  content: string;
}
/** @internal `{ files, metadata }`, the body of a store. */
export interface StoreBody {
  files: WireFile[];
  metadata: Record<string, unknown>;
}
/** @internal `POST /auth` body: every field optional, unknown ones ignored. */
export interface AuthBody {
  scope?: string;
  client_id?: string;
  client_secret?: string;
}

/** @internal A validated value, or why not. */
export type Checked<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

/** @internal A value JSON parsed from a body; `undefined` when the body was empty. */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Pydantic's order: a missing or non-object body is the only problem; then field by field. */
function asObject(body: unknown, loc: Loc): Checked<Record<string, unknown>> {
  if (body === undefined) return { ok: false, problems: [{ kind: 'missing', loc, input: null }] };
  if (!isRecord(body)) return { ok: false, problems: [{ kind: 'object', loc, input: body }] };
  return { ok: true, value: body };
}

function stringField(parent: Record<string, unknown>, key: string, loc: Loc, problems: Problem[], optional = false): string | undefined {
  const value = parent[key];
  if (value === undefined || (optional && value === null)) {
    if (!optional) problems.push({ kind: 'missing', loc: [...loc, key], input: parent });
    return undefined;
  }
  if (typeof value !== 'string') problems.push({ kind: 'string', loc: [...loc, key], input: value });
  return typeof value === 'string' ? value : undefined;
}

/** @internal */
export function checkQueryBody(body: unknown, loc: Loc = ['body']): Checked<QueryBody> {
  const object = asObject(body, loc);
  if (!object.ok) return object;
  const problems: Problem[] = [];
  const query = stringField(object.value, 'query', loc, problems);
  return query !== undefined && problems.length === 0 ? { ok: true, value: { query } } : { ok: false, problems };
}

/** @internal */
export function checkAuthBody(body: unknown, loc: Loc = ['body']): Checked<AuthBody> {
  const object = asObject(body, loc);
  if (!object.ok) return object;
  const problems: Problem[] = [];
  const value: AuthBody = {};
  for (const key of ['scope', 'client_id', 'client_secret'] as const) {
    const field = stringField(object.value, key, loc, problems, true);
    if (field !== undefined) value[key] = field;
  }
  return problems.length === 0 ? { ok: true, value } : { ok: false, problems };
}

/** @internal `metadata` may be missing or null (then `{}`). */
export function checkStoreBody(body: unknown, loc: Loc = ['body']): Checked<StoreBody> {
  const object = asObject(body, loc);
  if (!object.ok) return object;
  const problems: Problem[] = [];
  const files = checkFiles(object.value, [...loc, 'files'], problems);
  const metadata = object.value.metadata ?? {};
  if (!isRecord(metadata)) problems.push({ kind: 'dict', loc: [...loc, 'metadata'], input: metadata });
  if (problems.length > 0 || !files || !isRecord(metadata)) return { ok: false, problems };
  return { ok: true, value: { files, metadata } };
}

function checkFiles(parent: Record<string, unknown>, loc: Loc, problems: Problem[]): WireFile[] | undefined {
  const files = parent.files;
  if (files === undefined) {
    problems.push({ kind: 'missing', loc, input: parent });
    return undefined;
  }
  if (!Array.isArray(files)) {
    problems.push({ kind: 'list', loc, input: files });
    return undefined;
  }
  const before = problems.length;
  const checked = files.map((file: unknown, index): WireFile => {
    const object = asObject(file, [...loc, index]);
    if (!object.ok) {
      problems.push(...object.problems);
      return { name: '', content: '' };
    }
    const name = stringField(object.value, 'name', [...loc, index], problems);
    const content = stringField(object.value, 'content', [...loc, index], problems);
    return { name: name ?? '', content: content ?? '' };
  });
  return problems.length === before ? checked : undefined;
}
