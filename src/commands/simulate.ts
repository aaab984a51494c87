import type { Command } from './command.ts';

// Placeholder until this capability lands; see the open issue that names `tokenwatt simulate`.
const command: Command = {
  usage: 'Usage: tokenwatt simulate (not implemented yet)',
  async run() {
    console.error('tokenwatt simulate: not implemented yet');
    return 1;
  },
};
export default command;
