import type { Command } from './command.ts';

// Placeholder until this capability lands; see the open issue that names `tokenwatt analyze`.
const command: Command = {
  usage: 'Usage: tokenwatt analyze (not implemented yet)',
  async run() {
    console.error('tokenwatt analyze: not implemented yet');
    return 1;
  },
};
export default command;
