import type { Command } from './command.ts';

// Placeholder until this capability lands; see the open issue that names `tokenwatt inspect`.
const command: Command = {
  usage: 'Usage: tokenwatt inspect (not implemented yet)',
  async run() {
    console.error('tokenwatt inspect: not implemented yet');
    return 1;
  },
};
export default command;
