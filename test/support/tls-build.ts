/** Small builders for TLS wire bytes, for tests. Values follow RFC 8446 / RFC 5246 layouts. */

export function u16(v: number): number[] {
  return [(v >> 8) & 255, v & 255];
}
export function u24(v: number): number[] {
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}
export function vec(lenBytes: 1 | 2 | 3, body: number[]): number[] {
  const n = body.length;
  const len = lenBytes === 1 ? [n] : lenBytes === 2 ? u16(n) : u24(n);
  return [...len, ...body];
}
export function ascii(s: string): number[] {
  return [...Buffer.from(s, 'latin1')];
}
export function ext(type: number, body: number[]): number[] {
  return [...u16(type), ...vec(2, body)];
}

export const extSni = (name: string) => ext(0, vec(2, [0, ...vec(2, ascii(name))]));
export const extAlpn = (protos: string[]) => ext(16, vec(2, protos.flatMap((p) => vec(1, ascii(p)))));
export const extVersionsClient = (vs: number[]) => ext(43, vec(1, vs.flatMap(u16)));
export const extVersionServer = (v: number) => ext(43, u16(v));
export const extGroups = (gs: number[]) => ext(10, vec(2, gs.flatMap(u16)));
export const extKeyShareClient = (gs: number[]) => ext(51, vec(2, gs.flatMap((g) => [...u16(g), ...vec(2, new Array(32).fill(7))])));
export const extKeyShareServer = (g: number) => ext(51, [...u16(g), ...vec(2, new Array(32).fill(9))]);
export const extKeyShareHrr = (g: number) => ext(51, u16(g));
export const extPskClient = () => ext(41, [...vec(2, [...vec(2, [1, 2, 3, 4]), 0, 0, 0, 1]), ...vec(2, vec(1, new Array(32).fill(5)))]);
export const extPskServer = () => ext(41, u16(0));

export interface HelloOpts {
  version?: number;
  random?: number[];
  sessionId?: number[];
  suites?: number[];
  extensions?: number[][];
}

export function clientHelloBody(o: HelloOpts = {}): number[] {
  return [
    ...u16(o.version ?? 0x0303),
    ...(o.random ?? new Array(32).fill(1)),
    ...vec(1, o.sessionId ?? []),
    ...vec(2, (o.suites ?? [0x1301, 0xc02f]).flatMap(u16)),
    ...vec(1, [0]),
    ...(o.extensions ? vec(2, o.extensions.flat()) : []),
  ];
}

export function serverHelloBody(o: HelloOpts & { suite?: number } = {}): number[] {
  return [
    ...u16(o.version ?? 0x0303),
    ...(o.random ?? new Array(32).fill(2)),
    ...vec(1, o.sessionId ?? []),
    ...u16(o.suite ?? 0xc02f),
    0,
    ...(o.extensions ? vec(2, o.extensions.flat()) : []),
  ];
}

export const HRR_RANDOM = [
  0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
  0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

export function handshake(type: number, body: number[]): number[] {
  return [type, ...u24(body.length), ...body];
}

export function record(type: number, body: number[], version = 0x0303): number[] {
  return [type, ...u16(version), ...u16(body.length), ...body];
}

export function certificateBody(certs: number[][]): number[] {
  return vec(3, certs.flatMap((c) => vec(3, c)));
}
