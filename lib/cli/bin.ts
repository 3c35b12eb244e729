#!/usr/bin/env node
/**
 * The `kiss-stack` executable (package.json `bin`: dist/cjs/cli/bin.js): wires the process to
 * {@link main} and exits with its code.
 * @module
 */
import { EXIT } from './exit-codes.js';
import { Interrupts } from './interrupts.js';
import { main } from './main.js';
import { packageVersion } from './version.js';

/**
 * How long the process may live on after the command finished, for what a session still does in
 * the background (closing the client an interrupted or timed-out open created, once the server
 * answers its /auth). A hung server must not hang the shell too.
 */
const CLEAN_UP_GRACE_MS = 2000;

// Ctrl-C goes to whatever the CLI is waiting on; when nothing is, it exits at once.
const interrupts = new Interrupts(() => process.exit(EXIT.interrupted));
process.on('SIGINT', () => interrupts.emit());

// `kiss-stack ask … | head -1`: a reader that went away is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

void main(process.argv.slice(2), {
  get stdin() {
    return process.stdin;
  },
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  version: packageVersion(process.argv[1]),
  interrupts,
}).then((code) => {
  // Not process.exit() at once: the output still being written and the session's last requests
  // finish first, within the grace period.
  process.exitCode = code;
  setTimeout(() => process.exit(code), CLEAN_UP_GRACE_MS).unref();
});
