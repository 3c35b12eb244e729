#!/usr/bin/env node
// Benchmarks, run by `npm run bench` (never by `npm test`). Every `*.bench.mjs` file here exports
// `rows`: each row measures the client beside the fastest honest baseline (raw node:http with a
// keep-alive agent, raw ws, rxjs's own import, JSON.parse), sides interleaved in one run, and
// returns one figure per call. The runner calls each row 3 times and prints min / median / max of
// the figure beside its target; a row passes only when all 3 repeats meet it.
//
// A row: { name, target, better: 'lower' | 'higher', unit: '×' | 'KB' | …, measure(context) → number }.
// A row without a target is a figure for the reader (what a choice costs), not a pass or a miss.
// The context holds `server` (the embedded test server in its own process: url, wsUrl).
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startServerProcess } from './server-process.mjs';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY, 'i') : undefined;
const here = dirname(fileURLToPath(import.meta.url));
const files = readdirSync(here).filter((f) => f.endsWith('.bench.mjs')).sort();

const server = await startServerProcess();
const results = [];
try {
  for (const file of files) {
    const { rows } = await import(pathToFileURL(join(here, file)).href);
    for (const row of rows) {
      if (only && !only.test(row.name)) continue;
      const values = [];
      for (let i = 0; i < REPEATS; i++) values.push(await row.measure({ server }));
      results.push({ ...row, values });
      process.stderr.write(`  ${row.name}: ${values.map((v) => v.toFixed(3)).join(' / ')}\n`);
    }
  }
} finally {
  await server.stop();
}

const meets = (row, v) => (row.better === 'higher' ? v >= row.target : v <= row.target);
let missed = 0;
const targeted = results.filter((row) => row.target !== undefined).length;
const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(58) : String(c).padStart(10))).join(' ');
console.log(`\n${line(['figure', 'min', 'median', 'max', 'target', ''])}`);
for (const row of results) {
  const sorted = [...row.values].sort((a, b) => a - b);
  const info = row.target === undefined;
  const ok = info || row.values.every((v) => meets(row, v));
  if (!ok) missed++;
  const fmt = (v) => `${v.toFixed(row.unit === '×' ? 3 : 2)}${row.unit === '×' ? '' : ` ${row.unit}`}`;
  console.log(line([row.name, fmt(sorted[0]), fmt(sorted[sorted.length >> 1]), fmt(sorted.at(-1)), info ? '—' : `${row.better === 'higher' ? '≥' : '≤'} ${row.target}`, info ? '' : ok ? 'ok' : 'MISSED']));
}
console.log(`\n${targeted - missed} of ${targeted} rows at or beyond target in all ${REPEATS} repeats (Node ${process.version}, ${process.platform} ${process.arch})`);
process.exitCode = missed ? 1 : 0;
