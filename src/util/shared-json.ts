/**
 * JSON text of objects that many events carry and nobody changes (a client stack's lists, a
 * certificate's entries, a chain's validation, constant blocks): marked where they are made,
 * serialised once, reused by every event that carries them (src/event/event-json.ts).
 * Weakly held: an entry goes with its object.
 */

const texts = new WeakMap<object, string>();
const shareable = new WeakSet<object>();

/** Mark an object that many events will carry and nobody changes; returns it. */
export function markShared<T extends object>(o: T): T {
  shareable.add(o);
  return o;
}

/** Whether an object was marked shared. */
export function isShared(o: object): boolean {
  return shareable.has(o);
}

/** JSON.stringify(o), made once for a shared object. */
export function objectJson(o: object): string {
  let t = texts.get(o);
  if (t !== undefined) return t;
  t = JSON.stringify(o);
  if (shareable.has(o)) texts.set(o, t);
  return t;
}

/** The JSON of a shared object, if it is one (made now on its first use). */
export function sharedJson(o: object): string | undefined {
  const t = texts.get(o);
  if (t !== undefined || !shareable.has(o)) return t;
  return objectJson(o);
}
