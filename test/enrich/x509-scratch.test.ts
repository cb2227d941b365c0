import { test } from 'vitest';
import { parseCertificate } from '../../src/enrich/x509/parse.js';
import { readFileSync } from 'node:fs';
test('scratch', () => {
const pem = readFileSync('/tmp/x5/rsa.der');
const buf = new Uint8Array(pem.length + 10); buf.set(pem, 5);
console.log(JSON.stringify(parseCertificate(buf.subarray(5, 5 + pem.length)), null, 1));
for (const f of ['ed.pem','md5.pem','sha1.pem']) { const t = readFileSync('/tmp/x5/'+f,'utf8').replace(/-----[^-]+-----|\s/g,''); console.log(JSON.stringify(parseCertificate(Buffer.from(t,'base64')))); }
console.log(parseCertificate(pem.subarray(0, 100)));
console.log(parseCertificate(new Uint8Array([1,2,3])));
});
