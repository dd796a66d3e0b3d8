import { Fifo } from './fifo.js';

/**
 * Work no caller is waiting for (an SNS delivery, an async invocation's
 * outcome, a destination, a rule's target) gives way to the front door.
 *
 * Everything runs on one thread. Node's event loop handles every ready
 * socket of a turn (new HTTP requests and the execution environments'
 * messages alike) before anything else, and a pipeline step started there
 * runs to its next real wait. Under load a GET then queues behind the
 * pipeline work of every event in flight: at concurrency 8 on the loaded
 * 2-core machine a GET took 1.6 ms (p50) from being read to being answered,
 * and its client waited 90 ms. Here each background step gets its own
 * turn of the event loop, one step per turn, in the order they were
 * scheduled, so between two steps the loop reads the sockets again and a
 * request waits for at most one step. The pipeline's CPU cost is unchanged:
 * a turn with nothing else ready costs a few microseconds.
 *
 * Under a flood of requests that never wait for their events (an open-loop
 * load), one step per turn would let the backlog, and the memory it holds,
 * grow without end. So a turn takes one more step per {@link STEPS_PER_EXTRA}
 * waiting: the backlog drains in proportion to its size, and a request then
 * waits for a few steps, not one.
 */
export const STEPS_PER_EXTRA = 32;

/** Marks that the next entry of `waiting` is a promise's resolve function, not a step. */
const RESOLVE = Symbol('resolve');
/**
 * Steps to start (inBackground) and promises to resolve (backgroundTurn), in the one order they came.
 * A resolve function is pushed behind {@link RESOLVE}, so the kind of each entry is carried without
 * wrapping it or keeping a second queue in lockstep: a step, the common case (one per async event),
 * takes one slot.
 */
const waiting = new Fifo<(() => void) | typeof RESOLVE>();
/** Entries in `waiting` (a resolve and its mark count once). */
let backlog = 0;
let armed = false;
const RESOLVED = Promise.resolve();

/** Resolves in a later turn of the event loop, after the sockets ready by then have been read; first come, first served. */
export function backgroundTurn(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(RESOLVE);
    waiting.push(resolve);
    backlog++;
    arm();
  });
}

/**
 * `backgroundTurn().then(step)` without the promise the caller would only
 * chain on: the step starts in the same microtask, in the same order among
 * the other steps, and a step that throws is an unhandled rejection as
 * before. Saves a promise, its resolving functions and two closures per
 * step (an async invocation's outcome takes one per event).
 */
export function inBackground(step: () => void): void {
  waiting.push(step);
  backlog++;
  arm();
}

/** Steps scheduled and not yet started. */
export function backgroundBacklog(): number {
  return backlog;
}

function arm(): void {
  if (armed) return;
  armed = true;
  // setImmediate runs after the poll phase of the turn: the sockets come first.
  setImmediate(turn);
}

function turn(): void {
  armed = false;
  const take = Math.min(backlog, 1 + Math.floor(backlog / STEPS_PER_EXTRA));
  backlog -= take;
  if (backlog > 0) arm();
  // Resolving runs nothing yet: each step continues in the microtasks that follow this callback,
  // before the loop turns again, so the steps can be resolved as they are taken (no array per turn).
  // A step is started in a microtask of its own, as a resolved promise's continuation would be, so the order holds.
  for (let i = 0; i < take; i++) {
    const next = waiting.shift()!;
    if (next === RESOLVE) (waiting.shift() as () => void)();
    else void RESOLVED.then(next);
  }
}
