// Imported (not read at run time) so the bundled dist/bin/tokenwatt.mjs carries it too.
import pkg from '../package.json' with { type: 'json' };

export const version: string = pkg.version;
