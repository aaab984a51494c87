import type { Command } from './command.ts';

// Placeholder until this capability lands; see the open issue that names `tokenwatt record`.
const command: Command = {
  usage: 'Usage: tokenwatt record (not implemented yet)',
  async run() {
    console.error('tokenwatt record: not implemented yet');
    return 1;
  },
};
export default command;
