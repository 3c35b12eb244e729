import { asyncScheduler } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { DeadlineQueue } from '../../lib/call/deadlines';
import { defaultScheduler } from '../../lib/call/rx';

const scheduler = () => new TestScheduler((a, b) => expect(a).toEqual(b));

describe('DeadlineQueue', () => {
  it('fires each deadline at its time, in time order, with one timer', () => {
    const test = scheduler();
    test.run(() => {
      const queue = new DeadlineQueue(test);
      const fired: string[] = [];
      queue.add(30, () => fired.push(`b@${test.now()}`));
      queue.add(10, () => fired.push(`a@${test.now()}`));
      queue.add(30, () => fired.push(`c@${test.now()}`));
      test.flush();
      expect(fired).toEqual(['a@10', 'b@30', 'c@30']);
    });
  });

  it('never fires a cancelled deadline, and leaves no timer when all are cancelled', () => {
    const test = scheduler();
    test.run(() => {
      const queue = new DeadlineQueue(test);
      const fired: string[] = [];
      const cancelA = queue.add(10, () => fired.push('a'));
      queue.add(20, () => fired.push('b'));
      cancelA();
      test.flush();
      expect(fired).toEqual(['b']);
      const cancelC = queue.add(5, () => fired.push('c'));
      cancelC();
      expect(test.actions).toHaveLength(0);
      test.flush();
      expect(fired).toEqual(['b']);
    });
  });

  it('keeps firing correctly after many cancellations are compacted', () => {
    const test = scheduler();
    test.run(() => {
      const queue = new DeadlineQueue(test);
      const fired: number[] = [];
      const cancels = Array.from({ length: 200 }, (_, i) => queue.add(100 + i, () => fired.push(i)));
      cancels.forEach((cancel, i) => i % 10 !== 0 && cancel());
      test.flush();
      expect(fired).toEqual(Array.from({ length: 20 }, (_, k) => k * 10));
    });
  });

  // Real time (the default scheduler, or RxJS's asyncScheduler given as one) is served by a native
  // timeout that is unref'd: pending deadlines (a session's token refresh) never keep Node running.
  it.each([
    ['the default scheduler', defaultScheduler],
    ["RxJS's asyncScheduler", asyncScheduler],
  ])('times %s with an unref\'d timer that fires', async (_name, scheduler) => {
    const refTimers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const queue = new DeadlineQueue(scheduler);
    const before = refTimers();
    const fired = new Promise<void>((resolve) => queue.add(5, resolve));
    expect(refTimers()).toBe(before);
    await fired;
  });

  it('times a virtual-time scheduler with its own actions', () => {
    const test = scheduler();
    const queue = new DeadlineQueue(test);
    queue.add(10, () => undefined);
    expect(test.actions).toHaveLength(1);
  });
});
