// The test server's reading of socket frames the way Python's json.loads does, and Python's str()
// of what it read (the server renders a non-string event into "Invalid event: ...").
import { parsePythonJson, readPythonJson, toJs } from '../../lib/testing/python-json';
import { pythonStr } from '../../lib/testing/python-repr';

const str = (text: string) => {
  const value = parsePythonJson(text);
  if (!value) throw new Error(`not JSON to Python: ${text}`);
  return pythonStr(value);
};

describe('Python str() of a JSON value', () => {
  it.each([
    ['1e16', '1e+16'],
    ['1e15', '1000000000000000.0'],
    ['0.0001', '0.0001'],
    ['0.00001', '1e-05'],
    ['1.5e-7', '1.5e-07'],
    ['-0.0', '-0.0'],
    ['-0', '0'],
    ['100.0', '100.0'],
    ['0.1', '0.1'],
    ['123456.789', '123456.789'],
    ['5e-324', '5e-324'],
    ['1.7976931348623157e308', '1.7976931348623157e+308'],
    ['1e400', 'inf'],
    ['99999999999999999999999999', '99999999999999999999999999'],
    ['true', 'True'],
    ['null', 'None'],
  ])('%s → %s', (text, rendered) => {
    expect(str(text)).toBe(rendered);
  });

  it.each([
    ['"plain"', 'plain'],
    ['["it\'s"]', `["it's"]`],
    ['["a\\"b"]', `['a"b']`],
    ['["both \' and \\""]', `['both \\' and "']`],
    ['["\\u0000\\u001f\\u007f\\u0085"]', `['\\x00\\x1f\\x7f\\x85']`],
    ['["\\u2028\\u200b\\u3000 x"]', `['\\u2028\\u200b\\u3000 x']`],
    ['["\\udb40\\udc01", "\\ud83d\\ude00", "\\ud800"]', `['\\U000e0001', '\u{1F600}', '\\ud800']`],
    ['{"a": {}, "b": [], "c": [{"d": null}]}', `{'a': {}, 'b': [], 'c': [{'d': None}]}`],
  ])('%s → %s', (text, rendered) => {
    expect(str(text)).toBe(rendered);
  });
});

describe('what Python json.loads accepts', () => {
  it.each(['[1,]', '{"a": 1,}', '01', '.5', '1.', '+1', "'a'", 'tru', '', '{"a" 1}', '[1 2]', '"\u0001"', '{"a": 1} x'])(
    'refuses %j',
    (text) => {
      expect(parsePythonJson(text)).toBeUndefined();
    },
  );

  it('accepts NaN and ±Infinity, whitespace around, and keeps key order with the last duplicate winning in place', () => {
    expect(toJs(parsePythonJson(' [NaN, Infinity, -Infinity] ')!)).toEqual([NaN, Infinity, -Infinity]);
    expect(str('{"b": 1, "1": 2, "b": 3}')).toBe("{'b': 3, '1': 2}");
    expect(toJs(parsePythonJson('{"b": 1, "1": 2, "b": 3}')!)).toEqual({ b: 3, 1: 2 });
  });
});

describe("Python json's errors, message and position (what FastAPI's 422 shows)", () => {
  it.each([
    ['{bad', 'Expecting property name enclosed in double quotes', 1],
    ['', 'Expecting value', 0],
    ['[1,]', 'Expecting value', 3],
    ['{"a": 1,}', 'Expecting property name enclosed in double quotes', 8],
    ['01', 'Extra data', 1],
    ['{"a" 1}', "Expecting ':' delimiter", 5],
    ['[1 2]', "Expecting ',' delimiter", 3],
    ['"\u0001"', 'Invalid control character at', 1],
    ['"\\u00zz"', 'Invalid \\uXXXX escape', 2],
    ['"\\u00', 'Invalid \\uXXXX escape', 2],
    ['"\\ud800\\u00zz"', 'Invalid \\uXXXX escape', 8],
    ['"a\\qb"', 'Invalid \\escape', 2],
    ['"abc', 'Unterminated string starting at', 0],
    ['"a\\', 'Unterminated string starting at', 0],
    ['{"a": [1, "x\\u12"]}', 'Invalid \\uXXXX escape', 13],
    ['["\u{1F600}", x]', 'Expecting value', 6],
  ])('%j → %s at %i', (text, msg, pos) => {
    expect(readPythonJson(text)).toEqual({ ok: false, msg, pos });
  });
});
