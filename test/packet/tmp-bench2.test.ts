import { it } from 'vitest';
it('args', () => { console.log('execArgv', JSON.stringify(process.execArgv), 'NODE_OPTIONS', process.env.NODE_OPTIONS, process.version); });
