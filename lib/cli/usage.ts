/**
 * What `kiss-stack --help` prints.
 * @module
 */

/**
 * The usage: commands, options, environment and exit codes. Printed to stdout by `--help`, and to
 * stderr after a usage error.
 */
export const USAGE = `Usage: kiss-stack <command> [options]

A command-line client for a KISS AI Stack server.

Commands:
  ask "QUESTION"            ask one question and print the answer
  store FILE... [--meta key=value]...
                            store files (with metadata); prints the file names and document ids,
                            and a progress bar on stderr when it is a terminal
  chat                      ask questions line by line; Ctrl-C cancels a question in flight,
                            Ctrl-C twice in a row or Ctrl-D destroys the session and exits
  demo                      open, store a small document, ask about it and destroy, on an
                            embedded test server (no server or --url needed)

Options:
  --url URL                 the server, e.g. http://localhost:8080 (or KISS_STACK_URL)
  --socket                  talk over the server's WebSocket instead of REST
  --scope temporary|persistent
                            temporary (the default) ends the client when the command ends;
                            persistent keeps it, and needs its credentials:
  --client-id ID            a persistent client's id (or KISS_STACK_CLIENT_ID)
  --client-secret SECRET    its secret (or KISS_STACK_CLIENT_SECRET; prefer the variable or
                            --credentials: other users can see a command line)
  --credentials FILE        read a persistent client's id and secret from FILE; when FILE does
                            not exist, create a new persistent client and save them there (mode 600)
  --json                    print results as JSON, one value per line (for scripts)
  --timeout MS              give up on a call after MS milliseconds (default 60000; 0 for never)
  --progress                (store) draw the progress bar even when stderr is not a terminal
  -h, --help                print this help
  --version                 print the version

Secrets are never printed: not the client secret, not a token.

Exit codes:
  0    success
  1    any other failure
  2    usage: bad flags, a missing argument, an unknown command
  3    unauthorized: the server refused the token or the client's credentials
  4    server: the server failed or refused the request, or answered nonsense
  5    network: the server could not be reached, the socket dropped, or --timeout passed
  6    document: a file could not be read, or is too large to send
  130  interrupted with Ctrl-C (ask, store, or while a session opens)
`;
