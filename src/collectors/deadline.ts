// An AbortSignal that fires when `outer` does or after `ms`, whichever comes first, and that lets go of
// `outer` when disposed. (AbortSignal.any keeps dependents registered on a long-lived source signal:
// one per collector per cycle, a slow leak in a process that runs for months.)
export interface Deadline {
  signal: AbortSignal;
  /** True when the time ran out (as opposed to `outer` aborting). */
  readonly expired: boolean;
  dispose(): void;
}

export function deadline(outer: AbortSignal, ms: number): Deadline {
  const ctl = new AbortController();
  let expired = false;
  const onOuter = () => ctl.abort(outer.reason);
  const timer = setTimeout(() => {
    expired = true;
    ctl.abort(new Error(`deadline of ${ms} ms passed`));
  }, ms);
  timer.unref();
  if (outer.aborted) ctl.abort(outer.reason);
  else outer.addEventListener('abort', onOuter, { once: true });
  return {
    signal: ctl.signal,
    get expired() {
      return expired;
    },
    dispose() {
      clearTimeout(timer);
      outer.removeEventListener('abort', onOuter);
    },
  };
}
