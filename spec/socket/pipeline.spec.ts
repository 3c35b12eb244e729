import { RequestPipeline, type PipelineEntry } from '../../lib/socket/pipeline';
import type { SocketResponseFrame } from '../../lib/protocol/codecs';

type Outcome = { frame: SocketResponseFrame } | { error: Error };

function entry(name: string, outcomes: Map<string, Outcome>, event: PipelineEntry['event'] = 'on_query'): PipelineEntry {
  return { event, frame: JSON.stringify({ event, data: { query: name } }), context: { step: 'ask' }, resendStores: false, attempts: 0, abandoned: false, settle: (o) => outcomes.set(name, o as Outcome) };
}
const answer = (text: string): SocketResponseFrame => ({ event: 'on_query', result: { stack_id: 's', result: text, extras: null } });
const textOf = (o: Outcome | undefined) => (o && 'frame' in o && 'result' in o.frame ? o.frame.result.result : o && 'error' in o ? `error:${o.error.message}` : undefined);

describe('RequestPipeline: matching answers to callers by order', () => {
  it('answers sent requests in the order they were sent', () => {
    const outcomes = new Map<string, Outcome>();
    const p = new RequestPipeline(10);
    ['a', 'b', 'c'].forEach((n) => p.enqueue(entry(n, outcomes)));
    expect(p.takeSendable().map((e) => (JSON.parse(e.frame) as { data: { query: string } }).data.query)).toEqual(['a', 'b', 'c']);
    p.answer(answer('A'));
    p.answer(answer('B'));
    p.answer(answer('C'));
    expect(['a', 'b', 'c'].map((n) => textOf(outcomes.get(n)))).toEqual(['A', 'B', 'C']);
    expect(p.live).toBe(0);
  });

  it('respects the in-flight cap', () => {
    const outcomes = new Map<string, Outcome>();
    const p = new RequestPipeline(2);
    ['a', 'b', 'c'].forEach((n) => p.enqueue(entry(n, outcomes)));
    expect(p.takeSendable()).toHaveLength(2);
    expect(p.takeSendable()).toHaveLength(0);
    p.answer(answer('A'));
    expect(p.takeSendable()).toHaveLength(1);
  });

  it('drops a queued request that is cancelled, so it is never sent', () => {
    const outcomes = new Map<string, Outcome>();
    const p = new RequestPipeline(10);
    const b = entry('b', outcomes);
    p.enqueue(entry('a', outcomes));
    p.enqueue(b);
    p.cancel(b);
    expect(p.takeSendable().map((e) => (JSON.parse(e.frame) as { data: { query: string } }).data.query)).toEqual(['a']);
  });

  it('keeps a sent request that is cancelled in place and drops its answer, so matching never shifts', () => {
    const outcomes = new Map<string, Outcome>();
    const p = new RequestPipeline(10);
    const entries = ['a', 'b', 'c'].map((n) => entry(n, outcomes));
    entries.forEach((e) => p.enqueue(e));
    p.takeSendable();
    p.cancel(entries[1]!);
    expect(p.live).toBe(2);
    ['A', 'B', 'C'].forEach((t) => p.answer(answer(t)));
    expect(textOf(outcomes.get('a'))).toBe('A');
    expect(outcomes.has('b')).toBe(false);
    expect(textOf(outcomes.get('c'))).toBe('C');
  });

  it('fails the head with an error frame without shifting the rest', () => {
    const outcomes = new Map<string, Outcome>();
    const p = new RequestPipeline(10);
    ['a', 'b'].forEach((n) => p.enqueue(entry(n, outcomes)));
    p.takeSendable();
    p.answer({ error: true, status_code: 400, detail: 'Invalid data' });
    p.answer(answer('B'));
    const a = outcomes.get('a');
    expect(a && 'frame' in a && 'error' in a.frame).toBe(true);
    expect(textOf(outcomes.get('b'))).toBe('B');
  });

  it('after a drop puts resendable requests back first, in order, and returns the rest', () => {
    const outcomes = new Map<string, Outcome>();
    const p = new RequestPipeline(10);
    const a = entry('a', outcomes);
    const s = entry('s', outcomes, 'on_store');
    const c = entry('c', outcomes);
    const abandoned = entry('x', outcomes);
    [a, s, abandoned, c].forEach((e) => p.enqueue(e));
    p.takeSendable();
    p.cancel(abandoned);
    p.enqueue(entry('later', outcomes));
    const failed = p.takeUnanswered((e) => e.event === 'on_query');
    expect(failed).toEqual([s]);
    expect(p.sent).toBe(0);
    const resent = p.takeSendable();
    expect(resent.map((e) => (JSON.parse(e.frame) as { data: { query: string } }).data.query)).toEqual(['a', 'c', 'later']);
    expect(resent.map((e) => e.attempts)).toEqual([2, 2, 1]);
  });
});
