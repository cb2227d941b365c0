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
  lists: number[][];
  value: V;
  next: Entry<V> | undefined;
}

/** Longest list memoised; longer ones (hostile hellos) are computed each time. */
const MAX_LIST = 512;

/** RFC 8701 GREASE code points (0x0A0A, 0x1A1A … 0xFAFA). */
function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && v >> 8 === (v & 0xff);
}

/** The value as a key sees it: with `blind`, every GREASE value is 0x0A0A. */
function keyValue(v: number, blind: boolean): number {
  return blind && isGrease(v) ? 0x0a0a : v;
}

export function hashLists(lists: readonly List[], greaseBlind = false): number {
  let h = 0x811c9dc5;
  for (const l of lists) {
    h = Math.imul(h ^ (l.length | 0x10000), 0x01000193);
    for (let i = 0; i < l.length; i++) h = Math.imul(h ^ keyValue(l[i], greaseBlind), 0x01000193);
  }
  return (h ^ (h >>> 15)) & 0x3fffffff; // small integers: the Map's fast path
}

function sameLists(stored: number[][], lists: readonly List[], greaseBlind: boolean): boolean {
  if (stored.length !== lists.length) return false;
  for (let j = 0; j < lists.length; j++) {
    const a = stored[j];
    const b = lists[j];
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== keyValue(b[i], greaseBlind)) return false;
  }
  return true;
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

export class Memo<A, V> {
  private young = new Map<number, Entry<V>>();
  private old = new Map<number, Entry<V>>();
  private youngSize = 0;
  /** Hashes seen once: a key is stored on its second sighting, so one-off keys (a permuted extension order) cost no copies. */
  private seenOnce = new Set<number>();

  private readonly max: number;
  private readonly greaseBlind: boolean;

  constructor(
    private readonly compute: (arg: A) => V,
    opts: MemoOptions = {},
  ) {
    this.max = opts.max ?? 2048;
    this.greaseBlind = opts.greaseBlind ?? false;
  }

  /** compute(arg), memoised under the content of `lists` (which must determine the result). */
  get(arg: A, ...lists: List[]): V {
    for (const l of lists) if (l.length > MAX_LIST) return this.compute(arg);
    const blind = this.greaseBlind;
    const h = hashLists(lists, blind);
    for (let e = this.young.get(h); e !== undefined; e = e.next) if (sameLists(e.lists, lists, blind)) return e.value;
    let value: V | undefined;
    for (let e = this.old.get(h); e !== undefined; e = e.next) {
      if (sameLists(e.lists, lists, blind)) {
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
    // Copies (as the key sees them): the caller's lists may be reused or changed after this call.
    this.young.set(h, { lists: lists.map((l) => Array.from(l, (v) => keyValue(v, blind))), value, next: this.young.get(h) });
    this.youngSize++;
    return value;
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
