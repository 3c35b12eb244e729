/**
 * A hostile KISS AI Stack WebSocket server for the fault suite: a hostile HTTP server (REST,
 * `POST /auth`, and the upgrade, all faultable) with `GET /ws` upgraded after a bearer check. By
 * default it answers every frame correctly and in order; a per-connection behaviour can reorder,
 * withhold, duplicate, garble or inject frames, close with any code, go silent or play dead. It
 * counts connections, open sockets, frames per event, asks per question and stores per document.
 */
import type * as http from 'node:http';
import type { Socket } from 'node:net';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { answerBody, bearerClient, documentNames, type HostileHttp, type HostileHttpOptions, rawResponse, startHostileHttp } from './hostile-http';

/** One frame the server received. */
export interface ReceivedFrame {
  /** The frame as sent. */
  readonly text: string;
  /** Parsed, or undefined when not JSON. */
  readonly json: unknown;
  readonly event: string | undefined;
  /** The question of an `on_query`. */
  readonly query: string | undefined;
  /** The document names of an `on_store`. */
  readonly names: readonly string[];
  /** 1 for the first frame on its socket. */
  readonly nthOnSocket: number;
  /** 1 for the first frame the server received, all sockets. */
  readonly nth: number;
}

/** One accepted socket, as a behaviour drives it. */
export interface HostileSocket {
  /** 1 for the first socket this server accepted. */
  readonly index: number;
  /** The client the handshake's bearer token belongs to. */
  readonly clientId: string;
  /** The bearer token of the handshake. */
  readonly token: string;
  readonly ws: WebSocket;
  /** Frames received on this socket so far. */
  readonly received: number;
  /** Free room for a behaviour's own state. */
  readonly data: Record<string, unknown>;
  /** The protocol's correct reply to a frame. Handles it: an `on_store` is stored. */
  reply(frame: ReceivedFrame): object;
  /** Sends a frame (an object is JSON-encoded); ignored once the socket is not open. */
  send(frame: object | string): void;
  /** Closes with a code; 1006 drops the connection without a close frame. */
  close(code: number, reason?: string): void;
  /** Whether the socket is still open. */
  readonly open: boolean;
}

/** What one socket does. Without `onFrame`, every frame is answered correctly at once. */
export interface WsBehavior {
  onOpen?(socket: HostileSocket): void;
  onFrame?(frame: ReceivedFrame, socket: HostileSocket): void;
}

export interface HostileWsOptions extends Omit<HostileHttpOptions, 'onUpgrade'> {
  /** The behaviour of each socket, by its index (1-based). @default answer correctly */
  behavior?: WsBehavior | ((index: number) => WsBehavior);
  /** Answer pings. @default true */
  autoPong?: boolean;
}

/** What the socket side received, beside the HTTP counts. */
export interface HostileWsCounts {
  /** Sockets accepted. */
  sockets: number;
  /** Frames received, by event (`?` when not JSON or no event). */
  frames: Map<string, number>;
  /** `on_query` frames received, by question (a resend counts again). */
  asks: Map<string, number>;
  /** Frames received in all. */
  totalFrames: number;
}

/** A running hostile WebSocket (+ REST) server. */
export interface HostileWs {
  readonly http: HostileHttp;
  readonly url: string;
  readonly wsCounts: HostileWsCounts;
  /** Sockets still open (the server's view). */
  readonly openSockets: number;
  /** Every socket accepted so far, in order. */
  readonly sockets: readonly HostileSocket[];
  stop(): Promise<void>;
}

/** Starts a hostile WebSocket server (on its own hostile HTTP server) on a free loopback port. */
export async function startHostileWs(options: HostileWsOptions = {}): Promise<HostileWs> {
  const http = await startHostileHttp({ fault: options.fault, closeEveryConnection: options.closeEveryConnection });
  const wss = new WebSocketServer({ noServer: true, autoPong: options.autoPong ?? true, maxPayload: 64 * 1024 * 1024 });
  const counts: HostileWsCounts = { sockets: 0, frames: new Map(), asks: new Map(), totalFrames: 0 };
  const open = new Set<WebSocket>();
  const sockets: HostileSocket[] = [];

  http.setUpgradeHandler((req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    if ((req.url ?? '').split('?')[0] !== '/ws') return rawResponse(socket, 404, { detail: 'Not Found' });
    const clientId = bearerClient(req.headers.authorization);
    if (!clientId) return rawResponse(socket, 403, ''); // the real server: 403, no reason
    const token = (req.headers.authorization ?? '').slice('Bearer '.length);
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws, clientId, token));
  });

  function accept(ws: WebSocket, clientId: string, token: string): void {
    const index = ++counts.sockets;
    open.add(ws);
    ws.on('close', () => open.delete(ws));
    ws.on('error', () => undefined);
    const behavior = typeof options.behavior === 'function' ? options.behavior(index) : (options.behavior ?? {});
    let received = 0;
    const hostile: HostileSocket = {
      index,
      clientId,
      token,
      ws,
      get received() {
        return received;
      },
      data: {},
      reply: (frame) => replyTo(frame, clientId),
      send(frame) {
        if (ws.readyState === WebSocket.OPEN) ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
      },
      close(code, reason) {
        if (code === 1006) ws.terminate();
        else if (ws.readyState === WebSocket.OPEN) ws.close(code, reason);
      },
      get open() {
        return ws.readyState === WebSocket.OPEN;
      },
    };
    sockets.push(hostile);
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? '' : rawText(data);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      const frameData = (json as { data?: unknown } | undefined)?.data;
      const event = typeof (json as { event?: unknown } | undefined)?.event === 'string' ? (json as { event: string }).event : undefined;
      const query = event === 'on_query' && typeof (frameData as { query?: unknown })?.query === 'string' ? (frameData as { query: string }).query : undefined;
      const names = event === 'on_store' ? documentNames(frameData) : [];
      received++;
      counts.totalFrames++;
      bump(counts.frames, event ?? '?');
      if (query !== undefined) bump(counts.asks, query);
      for (const name of names) bump(http.counts.storesReceived, name);
      const frame: ReceivedFrame = { text, json, event, query, names, nthOnSocket: received, nth: counts.totalFrames };
      if (behavior.onFrame) behavior.onFrame(frame, hostile);
      else hostile.send(hostile.reply(frame));
    });
    behavior.onOpen?.(hostile);
  }

  /** The real server's reply to one frame (see PROTOCOL.md). */
  function replyTo(frame: ReceivedFrame, clientId: string): object {
    if (frame.json === undefined || frame.json === null || typeof frame.json !== 'object' || Array.isArray(frame.json)) {
      return { error: true, status_code: 400, detail: 'Invalid data' };
    }
    const data = (frame.json as { data?: unknown }).data;
    const what: Record<string, string> = { on_init: 'action:init', on_close: 'action:close', on_query: '/queries', on_store: '/documents' };
    const event = frame.event;
    if (!event || !what[event]) return { error: true, status_code: 400, detail: `Invalid event: ${event ?? 'None'}` };
    const reply = http.stackReply(what[event]!, data, clientId);
    if (reply.status !== 200) return { error: true, status_code: 400, detail: 'Invalid data' };
    return { event, result: reply.body };
  }

  return {
    http,
    url: http.url,
    wsCounts: counts,
    get openSockets() {
      return open.size;
    },
    sockets,
    async stop() {
      for (const ws of open) ws.terminate();
      wss.close();
      await http.stop();
    },
  };
}

/** The correct success frame for a question (for behaviours that forge or reorder answers). */
export function answerFrame(stackId: string, question: string, event = 'on_query'): object {
  return { event, result: answerBody(stackId, question) };
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return (data instanceof ArrayBuffer ? Buffer.from(data) : data).toString('utf8');
}
