/**
 * One accepted socket: frames handled one at a time, strictly in order, each answered with exactly
 * one frame (or the socket closed silently); the drop hook and latency apply here. Frames over the
 * size limit never get here: the `ws` server closes the socket with 1009 (see handshake.ts).
 * @module
 */
import type { RawData, WebSocket } from 'ws';
import type { Client } from './clients.js';
import type { ServerContext } from './context.js';
import type { SeenRequest } from './request-log.js';
import { describeFrame, handleFrame, type ReceivedFrame } from './socket-frames.js';

/** @internal */
export class SocketConnection {
  private received = 0;
  private queue: Promise<void> = Promise.resolve();
  /** Set once the server closed, dropped or lost the socket: nothing more is answered. */
  private ended = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly client: Client,
    private readonly context: ServerContext,
    onGone: () => void,
  ) {
    ws.on('message', (data, isBinary) => this.receive(isBinary ? { binary: true } : { binary: false, text: rawText(data) }));
    ws.on('error', () => undefined);
    ws.on('close', () => {
      this.ended = true;
      onGone();
    });
  }

  /** Server-initiated close; 1006 means drop without a close frame. */
  close(code: number): void {
    this.ended = true;
    if (code === 1006) this.ws.terminate();
    else this.ws.close(code);
  }

  terminate(): void {
    this.ended = true;
    this.ws.terminate();
  }

  private receive(frame: ReceivedFrame): void {
    const { event, details } = describeFrame(frame);
    const entry = this.context.log.record({ transport: 'ws', method: 'FRAME', path: '/ws', event, ...details, at: Date.now() });
    if (this.ended) return;
    if (this.context.faults.takeDrop(++this.received)) {
      this.terminate();
      return;
    }
    const latency = this.context.faults.latencyMs;
    this.queue = this.queue.then(() => this.answer(frame, entry, latency));
  }

  /** Runs after the previous frame was answered; its latency counts from then. */
  private async answer(frame: ReceivedFrame, entry: SeenRequest, latency: number): Promise<void> {
    await this.context.faults.delay(latency);
    if (this.ended || this.ws.readyState !== this.ws.OPEN) return;
    const outcome = await handleFrame(this.context, this.client, frame, (error) => this.context.log.describe(entry, { answerError: error }));
    if (this.ended || this.ws.readyState !== this.ws.OPEN) return; // gone while an answer script ran
    if (outcome.kind === 'close') {
      this.close(1000);
      return;
    }
    this.ws.send(JSON.stringify(outcome.frame));
    this.context.log.settle(entry, outcome.status);
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return (data instanceof ArrayBuffer ? Buffer.from(data) : data).toString('utf8');
}
