// `tlsscope config …` as main.ts runs it (until main.ts wires registerConfigCommand): the
// compiled command on a commander program with the same error handling and exit codes.
import { Command, CommanderError } from 'commander';
import { registerConfigCommand } from '../../dist/src/cli/config-command.js';

const program = new Command().name('tlsscope').exitOverride();
registerConfigCommand(program);
try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (!(err instanceof CommanderError)) throw err;
  process.exitCode = err.exitCode === 0 ? 0 : 2;
}
