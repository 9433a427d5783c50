#!/usr/bin/env node
import { runCli } from './main.js';

const io = {
  stdout: (text: string) => void process.stdout.write(text),
  stderr: (text: string) => void process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  untilStopped: () =>
    new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    }),
};

// exitCode rather than exit(): lets stdout drain into a pipe before the process ends.
process.exitCode = await runCli(process.argv.slice(2), io);
