import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../support/paths.js';

/** One Dockerfile instruction, continuation lines joined. */
export interface Instruction {
  /** Upper case: FROM, RUN, COPY, … */
  op: string;
  args: string;
  /** 1-based line of the instruction's first line. */
  line: number;
}

export interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

/** The instructions of a Dockerfile (comments and parser directives left out). */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i];
    if (/^\s*(#.*)?$/.test(first)) continue;
    const start = i;
    let joined = first;
    while (/\\\s*$/.test(joined) && i + 1 < lines.length) {
      i++;
      if (/^\s*#/.test(lines[i])) continue; // comments inside a continued instruction
      joined = joined.replace(/\\\s*$/, ' ') + lines[i];
    }
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(joined);
    if (!m) throw new Error(`Dockerfile:${start + 1}: cannot parse '${first}'`);
    out.push({ op: m[1].toUpperCase(), args: m[2].replace(/\s+/g, ' ').trim(), line: start + 1 });
  }
  return out;
}

export function stagesOf(instructions: Instruction[]): Stage[] {
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.op === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!m) throw new Error(`Dockerfile:${ins.line}: FROM ${ins.args}`);
      stages.push({ from: m[1], name: m[2], instructions: [] });
    } else if (stages.length > 0) {
      stages[stages.length - 1].instructions.push(ins);
    }
  }
  return stages;
}

/** The exec-form (JSON array) arguments of an instruction, or undefined for shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  try {
    const v = JSON.parse(args) as unknown;
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
  } catch {
    return undefined;
  }
}

/** The shell commands of a RUN, split on `&&`. */
export function commandsOf(run: string): string[] {
  return run.split('&&').map((c) => c.trim()).filter(Boolean);
}

export const dockerfilePath = path.join(repoRoot, 'Dockerfile');
export const dockerfile = (): Instruction[] => parseDockerfile(readFileSync(dockerfilePath, 'utf8'));
