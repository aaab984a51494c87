import type { Command } from './command.ts';

// Placeholder until this capability lands; see the open issue that names `tokenwatt demo`.
const command: Command = {
  usage: 'Usage: tokenwatt demo (not implemented yet)',
  async run() {
    console.error('tokenwatt demo: not implemented yet');
    return 1;
  },
};
export default command;
