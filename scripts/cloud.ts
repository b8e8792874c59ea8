/**
 * `npm run cloud -- [--port N]`: the local cloud alone, in the foreground, for scripts,
 * benchmarks and your own tools. It prints `AWS_ENDPOINT_URL=http://127.0.0.1:N` once the
 * emulator answers, and runs until Ctrl-C or SIGTERM.
 */
import { parseArgs } from 'node:util';
import { startLocalCloud } from './local/local-cloud.ts';

const USAGE = `usage: npm run cloud -- [--port N] [--host ADDRESS] [--plain] [--verbose]

Runs the local cloud (moto 5.2.1 with the fixes of docs/local.md) in the foreground and prints
AWS_ENDPOINT_URL=http://127.0.0.1:N once it answers. Stop it with Ctrl-C.

options:
  --port N        the port to listen on (default 5000)
  --host ADDRESS  the address to listen on (default 127.0.0.1)
  --plain         unpatched moto, to compare
  --verbose       print the emulator's own output (one line per request)
  -h, --help      this help`;

/** main runs the emulator and resolves with the exit code once it stops. */
async function main(argv: string[]): Promise<number> {
  let values: ReturnType<typeof parse>;
  try {
    values = parse(argv);
  } catch (err) {
    process.stderr.write(`npm run cloud: ${(err as Error).message}\n\n${USAGE}\n`);
    return 1;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    process.stderr.write(`npm run cloud: --port must be a port number, got '${values.port}'\n`);
    return 1;
  }
  const host = values.host;
  let cloud: Awaited<ReturnType<typeof startLocalCloud>>;
  try {
    cloud = await startLocalCloud({
      port,
      host,
      plain: values.plain,
      timeoutMs: 60_000,
      onOutput: (text) => {
        for (const line of text.split('\n')) {
          if (line && (values.verbose || line.startsWith('local cloud:'))) {
            process.stderr.write(`${line}\n`);
          }
        }
      },
    });
  } catch (err) {
    process.stderr.write(`npm run cloud: ${(err as Error).message}\n`);
    return 1;
  }
  process.stdout.write(`AWS_ENDPOINT_URL=${cloud.endpoint}\n`);
  const stopped = new Promise<number>((resolveStopped) => {
    cloud.child.once('exit', (code, signal) => {
      if (stopping) resolveStopped(0);
      else {
        process.stderr.write(`the local cloud exited (code ${code}, signal ${signal})\n`);
        resolveStopped(1);
      }
    });
  });
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      stopping = true;
      void cloud.stop();
    });
  }
  return stopped;
}

function parse(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '5000' },
      host: { type: 'string', default: '127.0.0.1' },
      plain: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: true,
  });
  if (positionals.length > 0) throw new Error(`unexpected argument '${positionals[0]}'`);
  return values;
}

main(process.argv.slice(2)).then((code) => process.exit(code));
