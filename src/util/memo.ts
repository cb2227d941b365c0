/**
 * Memos of pure functions of lists of 16-bit values, for what repeats across connections (a
 * client stack's cipher list and its names, fingerprint parts). Keys are the lists' content:
 * a numeric hash picks a bucket and the stored copies are compared value by value, so a key
 * costs no string building and two different lists never share an entry. Bounded: two
 * generations of at most `max` entries each; when the young one fills, the old one is
 * dropped, so hot keys survive and memory stays flat whatever the input. A key is stored the
 * second time it is seen: keys that never repeat are computed and forgotten.
 */

type List = ArrayLike<number>;

interface Entry<V> {
  key: Int32Array;
  value: V;
  next: Entry<V> | undefined;
}

/** Longest list memoised; longer ones (hostile hellos) are computed each time. */
const MAX_LIST = 512;
/** A list's length goes before its values in a flat key, with bit 17 set: no 16-bit value looks like one. */
const LENGTH_MARK = 0x20000;

/** RFC 8701 GREASE code points (0x0A0A, 0x1A1A … 0xFAFA). */
function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && v >> 8 === (v & 0xff);
}

/** The value as a key sees it: with `blind`, every GREASE value is 0x0A0A. */
function keyValue(v: number, blind: boolean): number {
  return blind && isGrease(v) ? 0x0a0a : v;
}

/** Hash of a flat key (FNV-1a over 32-bit values), as a small integer: the Map's fast path. */
function hashFlat(key: Int32Array, length: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < length; i++) h = Math.imul(h ^ key[i], 0x01000193);
  return (h ^ (h >>> 15)) & 0x3fffffff;
}

function sameFlat(stored: Int32Array, key: Int32Array, length: number): boolean {
  if (stored.length !== length) return false;
  for (let i = 0; i < length; i++) if (stored[i] !== key[i]) return false;
  return true;
}

/** The flat key of a tuple of lists (each list's length marked, then its values). */
function flatten(lists: readonly List[], blind: boolean, into: Int32Array): number {
  let n = 0;
  for (const l of lists) {
    into[n++] = LENGTH_MARK | l.length;
    for (let i = 0; i < l.length; i++) into[n++] = keyValue(l[i], blind);
  }
  return n;
}

export function hashLists(lists: readonly List[], greaseBlind = false): number {
  let size = 0;
  for (const l of lists) size += 1 + l.length;
  const key = new Int32Array(size);
  return hashFlat(key, flatten(lists, greaseBlind, key));
}

export interface MemoOptions {
  /** Entries at most (per generation). */
  max?: number;
  /**
   * Treat every GREASE value as the same one: for functions that drop GREASE (client lists),
   * so that clients picking a random GREASE value per connection, as Chrome does, still hit.
   */
  greaseBlind?: boolean;
}

/**
 * A memo keyed by one flat list of integers that the caller writes into a buffer it reuses:
 * hashing and comparing read one typed array in place, on one fast path whatever lists the
 * key was made of. The key must determine the result.
 */
export class FlatMemo<A, V> {
  private young = new Map<number, Entry<V>>();
  private old = new Map<number, Entry<V>>();
  private youngSize = 0;
  /** Hashes seen once: a key is stored on its second sighting, so one-off keys (a permuted extension order) cost no copies. */
  private seenOnce = new Set<number>();
  private readonly max: number;

  constructor(
    private readonly compute: (arg: A) => V,
    opts: Pick<MemoOptions, 'max'> = {},
  ) {
    this.max = opts.max ?? 2048;
  }

  /** compute(arg), memoised under `key[0, length)`. */
  get(arg: A, key: Int32Array, length: number): V {
    const h = hashFlat(key, length);
    for (let e = this.young.get(h); e !== undefined; e = e.next) if (sameFlat(e.key, key, length)) return e.value;
    let value: V | undefined;
    for (let e = this.old.get(h); e !== undefined; e = e.next) {
      if (sameFlat(e.key, key, length)) {
        value = e.value;
        break;
      }
    }
    if (value === undefined) {
      value = this.compute(arg);
      if (!this.seenOnce.has(h)) {
        if (this.seenOnce.size >= this.max) this.seenOnce.clear();
        this.seenOnce.add(h);
        return value;
      }
    }
    if (this.youngSize >= this.max) {
      this.old = this.young;
      this.young = new Map();
      this.youngSize = 0;
    }
    // A copy: the caller's buffer is reused after this call.
    this.young.set(h, { key: key.slice(0, length), value, next: this.young.get(h) });
    this.youngSize++;
    return value;
  }
}

/** A memo keyed by the content of a tuple of lists of 16-bit values. */
export class Memo<A, V> {
  private readonly flat: FlatMemo<A, V>;
  private readonly greaseBlind: boolean;
  private scratch = new Int32Array(256);

  constructor(
    private readonly compute: (arg: A) => V,
    opts: MemoOptions = {},
  ) {
    this.flat = new FlatMemo(compute, opts);
    this.greaseBlind = opts.greaseBlind ?? false;
  }

  /** compute(arg), memoised under the content of `lists` (which must determine the result). */
  get(arg: A, ...lists: List[]): V {
    let size = 0;
    for (const l of lists) {
      if (l.length > MAX_LIST) return this.compute(arg);
      size += 1 + l.length;
    }
    if (size > this.scratch.length) this.scratch = new Int32Array(size * 2);
    return this.flat.get(arg, this.scratch, flatten(lists, this.greaseBlind, this.scratch));
  }
}

/** Memo of a function of one list of 16-bit values, keyed by the list's content. */
export class ListMemo<V> {
  private readonly memo: Memo<readonly number[], V>;

  constructor(compute: (list: readonly number[]) => V, opts?: MemoOptions) {
    this.memo = new Memo(compute, opts);
  }

  get(list: readonly number[]): V {
    return this.memo.get(list, list);
  }
}
