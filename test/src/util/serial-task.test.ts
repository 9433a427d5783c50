import { describe, expect, it } from 'vitest';
import { SerialTask } from '../../../src/util/serial-task.js';

/** A task whose runs the test finishes by hand, counting how many started. */
function manualTask() {
  const finishers: Array<(value: number) => void> = [];
  let started = 0;
  const task = new SerialTask(() => {
    started++;
    return new Promise<number>((resolve) => finishers.push(resolve));
  });
  return { task, finish: (value: number) => finishers.shift()?.(value), started: () => started };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('SerialTask', () => {
  it('runs one at a time: a call during a run queues one more, which later calls share', async () => {
    const { task, finish, started } = manualTask();
    const first = task.run();
    await tick();
    expect(started()).toBe(1);
    const second = task.run();
    const third = task.run();
    expect(third).toBe(second);
    await tick();
    expect(started()).toBe(1); // the queued run waits for the one under way
    finish(1);
    expect(await first).toBe(1);
    await tick();
    expect(started()).toBe(2);
    finish(2);
    expect(await second).toBe(2);
    expect(task.busy).toBe(false);
  });

  it('never hands a caller a run that started before its call', async () => {
    const { task, finish } = manualTask();
    const first = task.run();
    await tick();
    const second = task.run();
    expect(second).not.toBe(first);
    finish(1);
    await first;
    await tick();
    finish(2);
    expect(await second).toBe(2);
  });

  it('goes on after a run that failed, and idle() waits for the queue without rejecting', async () => {
    let calls = 0;
    const task = new SerialTask(async () => {
      calls++;
      if (calls === 1) throw new Error('first fails');
      return calls;
    });
    const failed = task.run();
    expect(task.run()).toBe(failed); // called before it started: the same run
    await tick();
    const next = task.run(); // queued behind the first, which is failing
    await expect(failed).rejects.toThrow('first fails');
    expect(await next).toBe(2);
    await task.idle();
    expect(task.busy).toBe(false);
  });
});
