import type { Command } from './command.ts';

// Placeholder until this capability lands; see the open issue that names `tokenwatt check-metrics`.
const command: Command = {
  usage: 'Usage: tokenwatt check-metrics (not implemented yet)',
  async run() {
    console.error('tokenwatt check-metrics: not implemented yet');
    return 1;
  },
};
export default command;
