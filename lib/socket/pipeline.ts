/**
 * Where a socket answer gets matched to its caller. The protocol has no request ids: the server
 * answers frames one at a time, in the order it received them. So the pipeline keeps requests in
 * two FIFO queues, `queued` (not sent) and `inFlight` (sent, awaiting their answer), and each
 * incoming frame answers the head of `inFlight`. A caller that leaves before its request is sent
 * is removed from `queued`; one that leaves after keeps its place in `inFlight` (its answer is
 * dropped when it comes), so matching never shifts.
 * @module
 */
import type { ErrorContext, KissError } from '../errors/kiss-error.js';
import type { SocketEvent, SocketResponseFrame } from '../protocol/codecs.js';
import { Fifo } from './fifo.js';

/** @internal One request on its way through the socket. */
export interface PipelineEntry {
  readonly event: SocketEvent;
  /** The frame as sent: `{ event, data }` encoded once, resent as is. */
  readonly frame: string;
  /** For an ask, the question: its answer must name it (`extras.query`). */
  readonly question?: string;
  /** Step and URL, for errors. */
  readonly context: ErrorContext;
  /** Whether a store may be resent after a drop. */
  readonly resendStores: boolean;
  /** Times it has been sent. */
  attempts: number;
  /** The caller left; an answer still owed by the server is dropped. */
  abandoned: boolean;
  /** Settles the caller (not called for abandoned entries). */
  readonly settle: (outcome: { frame: SocketResponseFrame } | { error: KissError }) => void;
}

/** @internal */
export class RequestPipeline {
  private readonly queued = new Fifo<PipelineEntry>();
  private readonly inFlight = new Fifo<PipelineEntry>();
  /** How many of `inFlight` are abandoned (kept as a count: `live` is read on every request). */
  private abandonedInFlight = 0;

  constructor(private readonly maxInFlight: number) {}

  /** Requests whose callers still wait, sent or not. */
  get live(): number {
    return this.queued.length + this.inFlight.length - this.abandonedInFlight;
  }

  /** Requests queued and not yet sent. */
  get waiting(): number {
    return this.queued.length;
  }

  /** Requests sent and not yet answered (abandoned ones included: the server still owes them a frame). */
  get sent(): number {
    return this.inFlight.length;
  }

  /** The oldest sent request: the one the next frame must answer. */
  get head(): PipelineEntry | undefined {
    return this.inFlight.peek();
  }

  enqueue(entry: PipelineEntry): void {
    this.queued.push(entry);
  }

  /** The caller left: forget a queued request; keep a sent one in place, to drop its answer. */
  cancel(entry: PipelineEntry): void {
    if (entry.abandoned) return;
    if (this.queued.remove(entry)) return;
    if (this.inFlight.includes(entry)) {
      entry.abandoned = true;
      this.abandonedInFlight++;
    }
  }

  /** Moves as many queued requests as the in-flight cap allows to in-flight, and returns them to send. */
  takeSendable(): PipelineEntry[] {
    const room = Math.max(0, this.maxInFlight - this.inFlight.length);
    const batch = this.queued.take(room);
    for (const entry of batch) entry.attempts++;
    this.inFlight.pushAll(batch);
    return batch;
  }

  /**
   * The next frame arrived: it answers the oldest sent request. Returns that request, or undefined
   * when nothing was awaiting an answer (a frame the protocol does not allow).
   */
  answer(frame: SocketResponseFrame): PipelineEntry | undefined {
    return this.settleHead({ frame });
  }

  private settleHead(outcome: Parameters<PipelineEntry['settle']>[0]): PipelineEntry | undefined {
    const entry = this.inFlight.shift();
    if (entry?.abandoned) this.abandonedInFlight--;
    else entry?.settle(outcome);
    return entry;
  }

  /**
   * The socket is gone: every sent request is out of the pipeline. Those `resend` accepts go back to
   * the front of the queue in their original order; the rest are returned for the caller to fail.
   * Abandoned ones are simply forgotten.
   */
  takeUnanswered(resend: (entry: PipelineEntry) => boolean): PipelineEntry[] {
    const unanswered = this.inFlight.drain().filter((e) => !e.abandoned);
    this.abandonedInFlight = 0;
    const again = unanswered.filter(resend);
    this.queued.unshiftAll(again);
    return unanswered.filter((e) => !again.includes(e));
  }

  /** Empties the queue (not sent), returning its requests for the caller to fail. */
  takeQueued(): PipelineEntry[] {
    return this.queued.drain();
  }
}
