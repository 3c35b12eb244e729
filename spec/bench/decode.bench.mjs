// Decoding an answer frame the way the socket does (parse, check it is a protocol message, read
// the answer) beside JSON.parse alone of the same text, interleaved in one process.
import { decodeSocketFrame } from '../../dist/esm/protocol/decode.js';
import { median } from './stats.mjs';

const text = JSON.stringify({
  event: 'on_query',
  result: { stack_id: 'c0ffee', result: 'Answer to "How fast is this?"', extras: { query: 'How fast is this?', metadata: null, distances: null, supporting_documents: null } },
});

function time(fn, n) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return Number(process.hrtime.bigint() - start) / n;
}

export const rows = [
  {
    name: 'decoding an answer frame / JSON.parse',
    target: 1.6,
    better: 'lower',
    unit: '×',
    measure() {
      const decode = () => decodeSocketFrame(text);
      const parse = () => JSON.parse(text);
      for (let i = 0; i < 50_000; i++) decode(), parse();
      const a = [];
      const b = [];
      for (let round = 0; round < 40; round++) {
        if (round % 2) (a.push(time(decode, 5000)), b.push(time(parse, 5000)));
        else (b.push(time(parse, 5000)), a.push(time(decode, 5000)));
      }
      return median(a) / median(b);
    },
  },
];
