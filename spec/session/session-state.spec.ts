import { KissTimeoutError } from '../../lib/errors/kiss-error';
import { initialSessionState, transition, type SessionEvent, type SessionState, type SessionStatus } from '../../lib/session/session-state';

const error = new KissTimeoutError(1);
const states: Record<SessionStatus, SessionState> = {
  idle: initialSessionState,
  authorizing: { status: 'authorizing', calls: 0, bootstrapped: false },
  authorized: { status: 'authorized', calls: 0, bootstrapped: false },
  bootstrapping: { status: 'bootstrapping', calls: 0, bootstrapped: false },
  ready: { status: 'ready', calls: 0, bootstrapped: true },
  busy: { status: 'busy', calls: 2, bootstrapped: true },
  refreshing: { status: 'refreshing', calls: 1, bootstrapped: true },
  reconnecting: { status: 'reconnecting', calls: 1, bootstrapped: true },
  destroying: { status: 'destroying', calls: 0, bootstrapped: true },
  destroyed: { status: 'destroyed', calls: 0, bootstrapped: false },
  closed: { status: 'closed', calls: 0, bootstrapped: false },
  failed: { status: 'failed', calls: 0, bootstrapped: false, error },
};
const events: Record<SessionEvent['type'], SessionEvent> = {
  authorize: { type: 'authorize' },
  authorized: { type: 'authorized' },
  bootstrap: { type: 'bootstrap' },
  bootstrapped: { type: 'bootstrapped' },
  call: { type: 'call' },
  'call-done': { type: 'call-done' },
  refresh: { type: 'refresh' },
  refreshed: { type: 'refreshed' },
  reconnecting: { type: 'reconnecting' },
  connected: { type: 'connected' },
  destroy: { type: 'destroy' },
  destroyed: { type: 'destroyed' },
  cancel: { type: 'cancel' },
  close: { type: 'close' },
  fail: { type: 'fail', error },
};

// Every state × every event: the resulting "status/calls". A dash means "unchanged".
const table: Record<SessionStatus, Record<SessionEvent['type'], string>> = {
  //              authorize      authorized      bootstrap        bootstrapped  call        call-done   refresh          refreshed    reconnecting      connected   destroy         destroyed     cancel  close  fail
  idle:          { authorize: 'authorizing/0', authorized: '-', bootstrap: '-', bootstrapped: '-', call: '-', 'call-done': '-', refresh: '-', refreshed: '-', reconnecting: '-', connected: '-', destroy: '-', destroyed: '-', cancel: '-', close: 'closed/0', fail: '-' },
  authorizing:   { authorize: '-', authorized: 'authorized/0', bootstrap: '-', bootstrapped: '-', call: '-', 'call-done': '-', refresh: '-', refreshed: '-', reconnecting: '-', connected: '-', destroy: '-', destroyed: '-', cancel: 'idle/0', close: 'closed/0', fail: 'failed/0' },
  authorized:    { authorize: '-', authorized: '-', bootstrap: 'bootstrapping/0', bootstrapped: '-', call: '-', 'call-done': '-', refresh: 'refreshing/0', refreshed: '-', reconnecting: '-', connected: '-', destroy: 'destroying/0', destroyed: '-', cancel: 'idle/0', close: 'closed/0', fail: 'failed/0' },
  bootstrapping: { authorize: '-', authorized: '-', bootstrap: '-', bootstrapped: 'ready/0', call: '-', 'call-done': '-', refresh: '-', refreshed: '-', reconnecting: '-', connected: '-', destroy: '-', destroyed: '-', cancel: 'idle/0', close: 'closed/0', fail: 'failed/0' },
  ready:         { authorize: '-', authorized: '-', bootstrap: 'bootstrapping/0', bootstrapped: '-', call: 'busy/1', 'call-done': '-', refresh: 'refreshing/0', refreshed: '-', reconnecting: 'reconnecting/0', connected: '-', destroy: 'destroying/0', destroyed: '-', cancel: '-', close: 'closed/0', fail: 'failed/0' },
  busy:          { authorize: '-', authorized: '-', bootstrap: '-', bootstrapped: '-', call: 'busy/3', 'call-done': 'busy/1', refresh: 'refreshing/2', refreshed: '-', reconnecting: 'reconnecting/2', connected: '-', destroy: 'destroying/2', destroyed: '-', cancel: '-', close: 'closed/0', fail: 'failed/0' },
  refreshing:    { authorize: '-', authorized: '-', bootstrap: '-', bootstrapped: '-', call: 'refreshing/2', 'call-done': 'refreshing/0', refresh: '-', refreshed: 'busy/1', reconnecting: '-', connected: '-', destroy: 'destroying/1', destroyed: '-', cancel: '-', close: 'closed/0', fail: 'failed/0' },
  reconnecting:  { authorize: '-', authorized: '-', bootstrap: '-', bootstrapped: '-', call: 'reconnecting/2', 'call-done': 'reconnecting/0', refresh: 'refreshing/1', refreshed: '-', reconnecting: '-', connected: 'busy/1', destroy: 'destroying/1', destroyed: '-', cancel: '-', close: 'closed/0', fail: 'failed/0' },
  destroying:    { authorize: '-', authorized: '-', bootstrap: '-', bootstrapped: '-', call: '-', 'call-done': '-', refresh: '-', refreshed: '-', reconnecting: '-', connected: '-', destroy: '-', destroyed: 'destroyed/0', cancel: '-', close: 'closed/0', fail: 'failed/0' },
  destroyed:     { authorize: '-', authorized: '-', bootstrap: '-', bootstrapped: '-', call: '-', 'call-done': '-', refresh: '-', refreshed: '-', reconnecting: '-', connected: '-', destroy: '-', destroyed: '-', cancel: '-', close: '-', fail: '-' },
  closed:        { authorize: '-', authorized: '-', bootstrap: '-', bootstrapped: '-', call: '-', 'call-done': '-', refresh: '-', refreshed: '-', reconnecting: '-', connected: '-', destroy: '-', destroyed: '-', cancel: '-', close: '-', fail: '-' },
  failed:        { authorize: '-', authorized: '-', bootstrap: '-', bootstrapped: '-', call: '-', 'call-done': '-', refresh: '-', refreshed: '-', reconnecting: '-', connected: '-', destroy: '-', destroyed: '-', cancel: '-', close: '-', fail: '-' },
};

const cases = Object.entries(table).flatMap(([status, row]) =>
  Object.entries(row).map(([event, expected]) => [status as SessionStatus, event as SessionEvent['type'], expected] as const),
);

describe('transition(state, event)', () => {
  it('covers every state and every event', () => {
    expect(cases).toHaveLength(Object.keys(states).length * Object.keys(events).length);
  });

  it.each(cases)('%s + %s → %s', (status, event, expected) => {
    const before = states[status];
    const after = transition(before, events[event]);
    if (expected === '-') expect(after).toBe(before);
    else expect(`${after.status}/${after.calls}`).toBe(expected);
  });

  it('keeps the error of a failure and forgets the bootstrap after destroy', () => {
    expect(transition(states.busy, events.fail).error).toBe(error);
    expect(transition(states.destroying, events.destroyed).bootstrapped).toBe(false);
    expect(transition(states.bootstrapping, events.bootstrapped).bootstrapped).toBe(true);
  });

  it('settles a refresh before bootstrap back to authorized', () => {
    const refreshing = transition(states.authorized, events.refresh);
    expect(transition(refreshing, events.refreshed).status).toBe('authorized');
  });
});
