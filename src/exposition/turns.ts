// Background work on the serving thread (parsing upstream bodies) runs in slices, and all of it
// shares ONE slice per event-loop turn. With each parse yielding on its own setImmediate, every
// parse in flight ran a slice in the same check phase: 8 concurrent scrapes × 4 ms held /metrics
// for ~32 ms (the soak's fixed-rate p99 was 32.8 ms). Here the waiting slices queue, one runs per
// turn (first come, first served), and the server's I/O is polled between any two of them.

const waiting: (() => void)[] = [];
let scheduled = false;

function runNext(): void {
  scheduled = false;
  const next = waiting.shift();
  // An immediate queued from inside an immediate runs on the next turn, after the poll phase.
  if (waiting.length > 0) schedule();
  next?.();
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(runNext);
}

/** Resolves when this caller's next slice may run: at most one caller per event-loop turn. */
export function nextTurn(): Promise<void> {
  return new Promise<void>((resolve) => {
    waiting.push(resolve);
    schedule();
  });
}

/** Slices waiting for a turn (for tests). */
export function waitingSlices(): number {
  return waiting.length;
}
