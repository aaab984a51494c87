import type { Command } from './command.ts';

// Placeholder until this capability lands; see the open issue that names `tokenwatt exporter`.
const command: Command = {
  usage: 'Usage: tokenwatt exporter (not implemented yet)',
  async run() {
    console.error('tokenwatt exporter: not implemented yet');
    return 1;
  },
};
export default command;
