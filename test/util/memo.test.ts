import { describe, expect, it } from 'vitest';
import { hashLists, ListMemo, Memo } from '../../src/util/memo.js';

function sizes(m: unknown): number {
  const g = ((m as { flat?: unknown }).flat ?? m) as { young: Map<number, unknown>; old: Map<number, unknown> };
  let n = 0;
  for (const map of [g.young, g.old]) for (let e of map.values() as Iterable<{ next?: unknown }>) for (; e; e = e.next as { next?: unknown }) n++;
  return n;
}

describe('Memo', () => {
  it('stores a key on its second sighting, then computes nothing more while it is hot; stays bounded', () => {
    let calls = 0;
    const m = new Memo((k: number) => {
      calls++;
      return k * 2;
    }, { max: 4 });
    for (let i = 0; i < 5; i++) expect(m.get(7, [7])).toBe(14);
    expect(calls).toBe(2);
    // one-off keys are computed and forgotten
    calls = 0;
    for (let k = 100; k < 200; k++) m.get(k, [k]);
    expect(calls).toBe(100);
    expect(sizes(m)).toBe(1);
    for (let k = 0; k < 100; k++) {
      m.get(k, [k]);
      m.get(k, [k]);
    }
    expect(sizes(m)).toBeLessThanOrEqual(8);
    // two generations of 4: key 99 is still there, key 0 was dropped long ago
    calls = 0;
    m.get(99, [99]);
    expect(calls).toBe(0);
    m.get(0, [0]);
    expect(calls).toBe(1);
  });

  it('keys tuples of lists without ambiguity, hash collisions included', () => {
    const m = new Memo((s: string) => s);
    for (let i = 0; i < 2; i++) {
      expect(m.get('a', [1, 2], [3])).toBe('a');
      expect(m.get('b', [1], [2, 3])).toBe('b');
      expect(m.get('c', [], [1])).toBe('c');
      expect(m.get('d', [1], [])).toBe('d');
    }
    expect(m.get('x', [1, 2], [3])).toBe('a');
    expect(m.get('y', new Uint16Array([1, 2]), [3])).toBe('a');
    // Two different lists with the same hash (found by search): told apart by content.
    const seen = new Map<number, number[]>();
    let pair: [number[], number[]] | undefined;
    let x = 12345;
    const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 16;
    for (let i = 0; i < 400_000 && !pair; i++) {
      const l = [next(), next(), next()];
      const h = hashLists([l]);
      const other = seen.get(h);
      if (other && other.join() !== l.join()) pair = [other, l];
      else seen.set(h, l);
    }
    expect(pair).toBeDefined();
    const [p, q] = pair!;
    expect(hashLists([p])).toBe(hashLists([q]));
    const c = new Memo((l: number[]) => l.join('-'));
    for (let i = 0; i < 3; i++) {
      expect(c.get(p, p)).toBe(p.join('-'));
      expect(c.get(q, q)).toBe(q.join('-'));
    }
  });

  it('keeps its own copy of the key: a list changed afterwards does not alias the entry', () => {
    const m = new Memo((l: number[]) => l.join('-'));
    const list = [1, 2, 3];
    expect(m.get(list, list)).toBe('1-2-3');
    expect(m.get(list, list)).toBe('1-2-3');
    list[0] = 9;
    expect(m.get(list, list)).toBe('9-2-3');
    expect(m.get([1, 2, 3], [1, 2, 3])).toBe('1-2-3');
  });

  it('GREASE-blind memos fold every GREASE value into one key; others keep them apart', () => {
    let calls = 0;
    const drop = (l: readonly number[]) => {
      calls++;
      return l.filter((v) => (v & 0x0f0f) !== 0x0a0a).join('-');
    };
    const blind = new ListMemo(drop, { greaseBlind: true });
    const exact = new ListMemo(drop);
    for (const g of [0x0a0a, 0x1a1a, 0x2a2a, 0xfafa]) {
      expect(blind.get([g, 0x1301, 0x1302])).toBe('4865-4866');
      expect(exact.get([g, 0x1301, 0x1302])).toBe('4865-4866');
    }
    // blind: computed on the first two sightings only; exact: once per distinct GREASE value
    expect(calls).toBe(2 + 4);
    // 0x0a0b is not GREASE: never folded
    expect(blind.get([0x0a0b, 0x1301, 0x1302])).toBe('2571-4865-4866');
  });

  it('computes very long lists without memoising', () => {
    let calls = 0;
    const m = new ListMemo((l) => {
      calls++;
      return l.length;
    });
    const long = Array.from({ length: 600 }, (_, i) => i);
    m.get(long);
    m.get(long);
    expect(calls).toBe(2);
    for (let i = 0; i < 4; i++) m.get([0x1301, 0xc02b]);
    expect(calls).toBe(4);
  });
});
