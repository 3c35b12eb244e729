/**
 * JSON as Python's `json.loads` reads it. JavaScript's JSON.parse loses what rendering a value the
 * Python way needs (int vs float, key order; see python-repr.ts), so this small reader keeps it. It
 * also accepts what Python accepts and JSON.parse does not (`NaN`, `Infinity`, `-Infinity`), and
 * names an error the way Python does, at the same position (FastAPI puts both in its 422 for a
 * malformed body).
 * @module
 */

/** @internal A JSON value as Python holds it. `dict` keeps insertion order, later duplicates win in place. */
export type PyValue =
  | { kind: 'none' }
  | { kind: 'bool'; value: boolean }
  | { kind: 'int'; text: string }
  | { kind: 'float'; value: number }
  | { kind: 'str'; value: string }
  | { kind: 'list'; items: PyValue[] }
  | { kind: 'dict'; entries: Map<string, PyValue> };

/** @internal Why `json.loads` raised: its message and position (in characters, as Python counts them). */
export interface PyJsonError {
  /** e.g. `Expecting value`, `Expecting ',' delimiter`, `Extra data`. */
  msg: string;
  /** Where, in characters (code points) from the start. */
  pos: number;
}

class ScanError extends Error {
  constructor(
    readonly msg: string,
    readonly at: number,
  ) {
    super(msg);
  }
}

/** @internal What `json.loads(text)` returns, or the error it raises. */
export function readPythonJson(text: string): { ok: true; value: PyValue } | ({ ok: false } & PyJsonError) {
  try {
    const reader = new Reader(text);
    reader.skipSpace();
    const value = reader.value();
    reader.skipSpace();
    if (!reader.atEnd()) throw new ScanError('Extra data', reader.position);
    return { ok: true, value };
  } catch (error) {
    if (error instanceof ScanError) return { ok: false, msg: error.msg, pos: [...text.slice(0, error.at)].length };
    if (error instanceof RangeError) return { ok: false, msg: 'Expecting value', pos: 0 }; // nested too deep
    throw error;
  }
}

/** @internal What `json.loads(text)` returns, or undefined where it raises. */
export function parsePythonJson(text: string): PyValue | undefined {
  const read = readPythonJson(text);
  return read.ok ? read.value : undefined;
}

/** @internal The JavaScript value of a parsed Python value (ints beyond 2^53 lose precision). */
export function toJs(value: PyValue): unknown {
  switch (value.kind) {
    case 'none':
      return null;
    case 'bool':
    case 'float':
    case 'str':
      return value.value;
    case 'int':
      return Number(value.text);
    case 'list':
      return value.items.map(toJs);
    case 'dict':
      return Object.fromEntries([...value.entries].map(([key, item]) => [key, toJs(item)]));
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;
const SPACE = /[ \t\n\r]*/y;

/** A recursive-descent reader following Python's json scanner, errors and positions included. */
class Reader {
  private at = 0;

  constructor(private readonly text: string) {}

  get position(): number {
    return this.at;
  }

  atEnd(): boolean {
    return this.at === this.text.length;
  }

  skipSpace(): void {
    SPACE.lastIndex = this.at;
    SPACE.exec(this.text);
    this.at = SPACE.lastIndex;
  }

  value(): PyValue {
    const char = this.text[this.at];
    if (char === '{') return this.dict();
    if (char === '[') return this.list();
    if (char === '"') return { kind: 'str', value: this.string() };
    for (const [word, value] of WORDS) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return value;
      }
    }
    return this.number();
  }

  private number(): PyValue {
    NUMBER.lastIndex = this.at;
    const match = NUMBER.exec(this.text);
    if (!match) throw new ScanError('Expecting value', this.at);
    this.at = NUMBER.lastIndex;
    if (match[1] !== undefined || match[2] !== undefined) return { kind: 'float', value: Number(match[0]) };
    return { kind: 'int', text: BigInt(match[0]).toString() };
  }

  /**
   * Fast path: the closing quote is the first one after an even run of backslashes, and JSON.parse
   * decodes the literal. When it refuses, {@link stringError} finds what Python would name.
   */
  private string(): string {
    const start = this.at;
    let end = start + 1;
    for (;;) {
      end = this.text.indexOf('"', end);
      if (end < 0) throw this.stringError(start);
      let slashes = 0;
      while (this.text[end - 1 - slashes] === '\\') slashes++;
      if (slashes % 2 === 0) break;
      end++;
    }
    try {
      const value = JSON.parse(this.text.slice(start, end + 1)) as string;
      this.at = end + 1;
      return value;
    } catch {
      throw this.stringError(start);
    }
  }

  /** Python's scanstring, character by character, for the first error in the string at `start`. */
  private stringError(start: number): ScanError {
    const { text } = this;
    for (let i = start + 1; i < text.length; i++) {
      const char = text[i] ?? '';
      if (char === '"') break;
      if (char < ' ') return new ScanError('Invalid control character at', i);
      if (char !== '\\') continue;
      const escape = text[++i];
      if (escape === undefined) break;
      if (escape !== 'u') {
        if (!'"\\/bfnrt'.includes(escape)) return new ScanError('Invalid \\escape', i - 1);
        continue;
      }
      if (i + 5 >= text.length || !/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) return new ScanError('Invalid \\uXXXX escape', i);
      i += 4;
    }
    return new ScanError('Unterminated string starting at', start);
  }

  private list(): PyValue {
    const items: PyValue[] = [];
    this.at++;
    this.skipSpace();
    if (this.eat(']')) return { kind: 'list', items };
    for (;;) {
      items.push(this.value());
      this.skipSpace();
      if (this.eat(']')) return { kind: 'list', items };
      this.expect(',');
      this.skipSpace();
    }
  }

  private dict(): PyValue {
    const entries = new Map<string, PyValue>();
    this.at++;
    this.skipSpace();
    if (this.eat('}')) return { kind: 'dict', entries };
    for (;;) {
      if (this.text[this.at] !== '"') throw new ScanError('Expecting property name enclosed in double quotes', this.at);
      const key = this.string();
      this.skipSpace();
      this.expect(':');
      this.skipSpace();
      entries.set(key, this.value());
      this.skipSpace();
      if (this.eat('}')) return { kind: 'dict', entries };
      this.expect(',');
      this.skipSpace();
    }
  }

  private eat(char: string): boolean {
    if (this.text[this.at] !== char) return false;
    this.at++;
    return true;
  }

  private expect(char: string): void {
    if (!this.eat(char)) throw new ScanError(`Expecting '${char}' delimiter`, this.at);
  }
}

const WORDS: ReadonlyArray<readonly [string, PyValue]> = [
  ['null', { kind: 'none' }],
  ['true', { kind: 'bool', value: true }],
  ['false', { kind: 'bool', value: false }],
  ['NaN', { kind: 'float', value: Number.NaN }],
  ['Infinity', { kind: 'float', value: Number.POSITIVE_INFINITY }],
  ['-Infinity', { kind: 'float', value: Number.NEGATIVE_INFINITY }],
];
