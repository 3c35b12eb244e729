/**
 * Python's `str()` and `repr()` of a JSON value read by python-json.ts: the server writes
 * `f'Invalid event: {event}'`, so a non-string event comes back rendered the Python way
 * (`{'a': [1, None, True]}`, `1e+20`, `1.0`, `"it's"`).
 * @module
 */
import type { PyValue } from './python-json.js';

/** @internal Python's `str(value)`: a string as is, anything else as its repr. */
export function pythonStr(value: PyValue): string {
  return value.kind === 'str' ? value.value : pythonRepr(value);
}

/** @internal Python's `repr(value)`. */
export function pythonRepr(value: PyValue): string {
  switch (value.kind) {
    case 'none':
      return 'None';
    case 'bool':
      return value.value ? 'True' : 'False';
    case 'int':
      return value.text;
    case 'float':
      return floatRepr(value.value);
    case 'str':
      return stringRepr(value.value);
    case 'list':
      return `[${value.items.map(pythonRepr).join(', ')}]`;
    case 'dict':
      return `{${[...value.entries].map(([key, item]) => `${stringRepr(key)}: ${pythonRepr(item)}`).join(', ')}}`;
  }
}

/** Shortest round-trip digits, fixed notation when the decimal exponent is in (-4, 16], as Python's repr. */
function floatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mantissa = '', exponentText = '0'] = Math.abs(x).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exponent = Number(exponentText);
  const point = exponent + 1; // digits = 0.d1d2... × 10^point
  if (point > -4 && point <= 16) {
    if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
    if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}.0`;
    return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
  }
  const fraction = digits.length > 1 ? `.${digits.slice(1)}` : '';
  return `${sign}${digits[0]}${fraction}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

const NOT_PRINTABLE = /[\p{C}\p{Z}]/u;

/** Single quotes unless the text holds a `'` and no `"`; non-printable characters escaped. */
function stringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (char === quote || char === '\\') out += `\\${char}`;
    else if (char === '\t') out += '\\t';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char !== ' ' && NOT_PRINTABLE.test(char)) out += escapeCode(code);
    else out += char;
  }
  return out + quote;
}

function escapeCode(code: number): string {
  const hex = code.toString(16);
  if (code < 0x100) return `\\x${hex.padStart(2, '0')}`;
  if (code < 0x10000) return `\\u${hex.padStart(4, '0')}`;
  return `\\U${hex.padStart(8, '0')}`;
}

