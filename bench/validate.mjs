// Checks a generated capture with tshark, an independent dissector: every ClientHello is seen
// (connections + HelloRetryRequests: the second hello of an HRR is a frame of its own), TCP
// analysis raises no retransmission / lost-segment / dup-ACK flags, every IPv4 and TCP checksum
// is right, and no frame is malformed or draws an expert warning. Meant for --quick files: tshark needs minutes and gigabytes on the full ones.
import { spawn } from 'node:child_process';

const TSHARK = '/usr/bin/tshark';

function tsharkCount(file, filter, extra = []) {
  return new Promise((resolve, reject) => {
    const p = spawn(TSHARK, ['-n', '-r', file, ...extra, '-Y', filter, '-T', 'fields', '-e', 'frame.number'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let lines = 0, err = '', tail = '';
    p.stdout.on('data', (d) => {
      const s = tail + d.toString('latin1');
      const parts = s.split('\n');
      tail = parts.pop();
      lines += parts.length;
    });
    p.stderr.on('data', (d) => { err += d; });
    p.on('error', reject);
    p.on('close', (code) => {
      if (tail) lines++;
      if (code !== 0) reject(new Error(`tshark ${filter}: exit ${code}: ${err.trim()}`));
      else resolve(lines);
    });
  });
}

/** Returns [{ check, expected, got, ok }]. */
export async function validateCapture(file, stats) {
  const ck = ['-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE'];
  const [frames, hellos, flags, badSums, warnings] = await Promise.all([
    tsharkCount(file, 'frame'),
    tsharkCount(file, 'tls.handshake.type == 1'),
    tsharkCount(file, 'tcp.analysis.flags && !tcp.analysis.window_update'),
    tsharkCount(file, 'tcp.checksum.status == 0 || ip.checksum.status == 0', ck),
    tsharkCount(file, '_ws.malformed || _ws.expert.severity >= 0x00600000'), // malformed, or an expert warning/error
  ]);
  return [
    { check: 'tshark frames = packets written', expected: stats.packets, got: frames },
    { check: 'tshark ClientHello frames = connections + HRRs', expected: stats.connections + stats.helloRetryRequests, got: hellos },
    { check: 'tshark TCP analysis warnings', expected: 0, got: flags },
    { check: 'tshark bad IPv4/TCP checksums', expected: 0, got: badSums },
    { check: 'tshark malformed frames or expert warnings', expected: 0, got: warnings },
  ].map((c) => ({ ...c, ok: c.expected === c.got }));
}
