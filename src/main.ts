// The `tokenwatt` process: run the CLI with this process's arguments. bin/tokenwatt.js loads this
// through tsx; `npm run build` also bundles it into dist/bin/tokenwatt.mjs for plain `node`.
import { main } from './cli.ts';

process.exitCode = await main(process.argv.slice(2));
