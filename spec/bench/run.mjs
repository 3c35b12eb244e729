#!/usr/bin/env node
// Benchmarks, run by `npm run bench` (never by `npm test`). Each one measures the client beside a
// raw baseline doing the same work against the same embedded test server in the same run, and
// prints the ratio of medians against its target.
import { restAskBench } from './rest-ask.mjs';
import { socketBench } from './socket.mjs';

const results = [...(await restAskBench()), ...(await socketBench())];

let failed = 0;
console.log('\nbenchmark                         client     baseline   ratio   target');
for (const r of results) {
  const ok = r.higherIsBetter ? r.ratio >= r.target : r.ratio <= r.target;
  if (!ok) failed++;
  console.log(
    `${r.name.padEnd(32)} ${r.client.toFixed(3).padStart(10)}${r.unit} ${r.baseline.toFixed(3).padStart(10)}${r.unit}  ${r.ratio.toFixed(3)}×  ${r.higherIsBetter ? '≥' : '≤'} ${r.target}× ${ok ? 'ok' : 'MISSED'}`,
  );
}
process.exitCode = failed ? 1 : 0;
