/** One registered listener; `once` ones are removed before their call. */
interface Entry {
  readonly listener: (event: never) => void;
  readonly once: boolean;
}

/**
 * The listener lists of one socket, by event type. Not Node's EventTarget: its Event objects and
 * per-dispatch bookkeeping cost more than a whole small message, so this keeps an array per type and calls
 * in order. A listener added during a dispatch waits for the next event (the list is copied on change).
 */
export class Listeners {
  /** Made by the first `add`: most sockets use the `on…` properties only. */
  private byType: Map<string, readonly Entry[]> | null = null;

  add(type: string, listener: (event: never) => void, once: boolean): void {
    this.byType ??= new Map();
    const list = this.byType.get(type) ?? [];
    if (list.some((e) => e.listener === listener)) return;
    this.byType.set(type, [...list, { listener, once }]);
  }

  remove(type: string, listener: (event: never) => void): void {
    const byType = this.byType;
    const list = byType?.get(type);
    if (byType === null || list === undefined) return;
    const rest = list.filter((e) => e.listener !== listener);
    if (rest.length === 0) byType.delete(type);
    else byType.set(type, rest);
  }

  /** Calls each listener of `type` with `event`; the first to throw stops the dispatch and is rethrown. */
  dispatch<E>(type: string, event: E): void {
    const list = this.byType?.get(type);
    if (list === undefined) return;
    for (const entry of list) {
      if (entry.once) this.remove(type, entry.listener);
      (entry.listener as (event: E) => void)(event);
    }
  }
}
