/**
 * CLI errors name the fix, in one line, without a stack trace, and exit 1 (nothing here needs a
 * cloud: every case fails before the first AWS call, or against a port nobody listens on).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type CliResult, runCli } from './helpers/cli.ts';
import { freePort } from './helpers/moto.ts';

const STACK_TRACE = /^\s+at .+[:(]/m;

const SPEC = `name: errors
region: us-west-2
network:
  cidr: 10.20.0.0/16
  availabilityZones: [us-west-2a]
  publicSubnets: [10.20.0.0/24]
  privateSubnets: [10.20.10.0/24]
  natGateways: none
`;

/** oneLineError checks the run failed with exit 1 and one stderr line matching pattern. */
function oneLineError(result: CliResult, pattern: RegExp, reason: string): void {
  assert.equal(result.code, 1, `${reason}: exit code\n${result.stdout}\n${result.stderr}`);
  assert.match(result.stderr.trimEnd(), pattern, reason);
  assert.equal(
    result.stderr.trimEnd().split('\n').length,
    1,
    `${reason}: one line\n${result.stderr}`,
  );
  assert.doesNotMatch(result.stderr, STACK_TRACE, reason);
}

describe('CLI errors', { timeout: 180_000 }, () => {
  let dir: string;
  let spec: string;
  /** noAws: no credentials anywhere the SDK looks, no endpoint. */
  let noAws: Record<string, string>;
  const creds = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cli-errors-'));
    spec = join(dir, 'errors.yaml');
    writeFileSync(spec, SPEC);
    mkdirSync(join(dir, 'empty'));
    noAws = {
      HOME: dir,
      AWS_CONFIG_FILE: join(dir, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_SESSION_TOKEN: '',
      AWS_PROFILE: '',
      AWS_ENDPOINT_URL: '',
      AWS_WEB_IDENTITY_TOKEN_FILE: '',
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '',
      AWS_CONTAINER_CREDENTIALS_FULL_URI: '',
    };
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('missing credentials say which variables or profile to set', async () => {
    const result = await runCli(['plan', spec], noAws);
    oneLineError(
      result,
      /^reconciler plan: no AWS credentials found \(.+\): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY .*AWS_PROFILE/,
      'no credentials',
    );
  });

  it('the daemon without credentials stops at start, after three tries, before serving', async () => {
    const result = await runCli(['run', spec, '--listen', '127.0.0.1:0'], noAws);
    oneLineError(
      result,
      /^reconciler run: no AWS credentials found \(.+, 3 tries\): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY /,
      'daemon without credentials',
    );
  });

  it('an unreachable endpoint is named, after a bounded number of tries', async () => {
    const port = await freePort();
    const result = await runCli(['plan', spec], {
      ...creds,
      AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
    });
    oneLineError(
      result,
      new RegExp(
        `^reconciler plan: cannot reach the AWS endpoint http://127\\.0\\.0\\.1:${port} of AWS_ENDPOINT_URL \\(ECONNREFUSED, 3 tries\\)`,
      ),
      'closed endpoint',
    );
  });

  it('AWS_ENDPOINT_URL without a scheme names the variable and the value', async () => {
    const result = await runCli(['output', spec], { ...creds, AWS_ENDPOINT_URL: 'localhost:5000' });
    oneLineError(
      result,
      /^reconciler output: AWS_ENDPOINT_URL must be a URL with its scheme, such as http:\/\/127\.0\.0\.1:5000, got 'localhost:5000'$/m,
      'endpoint without scheme',
    );
  });

  it('a missing path is reported without an invented position', async () => {
    const result = await runCli(['plan', join(dir, 'nope.yaml')], noAws);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /nope\.yaml: no such file or folder \(ENOENT\)/);
    assert.doesNotMatch(result.stderr, /nope\.yaml:\d+:\d+/);
    const validate = await runCli(['validate', join(dir, 'empty')]);
    assert.equal(validate.code, 1);
    assert.match(validate.stderr, /empty: no spec files found/);
  });

  it('run fails on a path without specs, a busy --listen port and a spaced duration', async () => {
    oneLineError(
      await runCli(['run', join(dir, 'nosuchdir')]),
      /^reconciler run: \S*nosuchdir: no such file or folder/,
      'missing folder',
    );
    oneLineError(
      await runCli(['run', join(dir, 'empty')]),
      /^reconciler run: no spec files in \S*empty/,
      'folder without specs',
    );
    oneLineError(
      await runCli(['run', spec, '--resync', '5', 'minutes']),
      /^reconciler run: --resync: cannot read duration '5 minutes'/,
      'spaced unit',
    );
    oneLineError(
      await runCli(['run', spec, '--resync', '5minutes']),
      /^reconciler run: --resync: cannot read duration '5minutes'/,
      'unknown unit',
    );
    const busy: Server = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => busy.listen(port, '127.0.0.1', resolve));
    try {
      const closed = await freePort();
      const result = await runCli(['run', spec, '--listen', `127.0.0.1:${port}`], {
        ...creds,
        AWS_ENDPOINT_URL: `http://127.0.0.1:${closed}`,
      });
      assert.equal(result.code, 1, result.stderr);
      assert.match(
        result.stderr,
        new RegExp(`^reconciler run: --listen 127\\.0\\.0\\.1:${port} is already in use`, 'm'),
      );
      assert.doesNotMatch(result.stderr, STACK_TRACE);
    } finally {
      busy.close();
    }
  });

  it('a tab used as indentation is one error, not the knock-on ones after it', async () => {
    const tabbed = join(dir, 'tabbed.yaml');
    writeFileSync(tabbed, SPEC.replace('  cidr:', '\tcidr:'));
    const result = await runCli(['validate', tabbed]);
    assert.equal(result.code, 1);
    const errors = result.stderr.split('\n').filter((line) => line.includes('tabbed.yaml:'));
    assert.deepEqual(errors, [
      `${tabbed}:4:1: spec: invalid YAML: tabs are not allowed as indentation`,
    ]);
  });

  it('a typo of a command or an option gets a suggestion', async () => {
    oneLineError(
      await runCli(['paln']),
      /^reconciler: unknown command 'paln' \(did you mean plan\?\)$/,
      'command typo',
    );
    oneLineError(
      await runCli(['plan', '--detailed-exitcod']),
      /^reconciler plan: unknown option '--detailed-exitcod' \(did you mean --detailed-exitcode\?\)$/,
      'option typo',
    );
    oneLineError(
      await runCli(['plan', '-o', 'ut']),
      /^reconciler plan: option '-o, --output <format>' argument 'ut' is invalid\. Allowed choices are human, json, markdown\.$/,
      'bad choice',
    );
  });

  it('status names the daemon address it could not reach', async () => {
    const port = await freePort();
    oneLineError(
      await runCli(['status', '--url', `http://127.0.0.1:${port}`]),
      new RegExp(
        `^reconciler status: cannot reach the daemon at http://127\\.0\\.0\\.1:${port}/status \\(ECONNREFUSED\\)`,
      ),
      'no daemon',
    );
  });

  it('--version, help and completion scripts', async () => {
    const version = await runCli(['--version']);
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
    const help = await runCli(['help', 'plan']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--out <file>/);
    const bash = await runCli(['completion', 'bash']);
    assert.equal(bash.code, 0);
    assert.match(bash.stdout, /complete -o filenames -F _reconciler reconciler/);
    assert.match(bash.stdout, /^ {4}plan\) opts="[^"]*--out[^"]*" ;;$/m);
    const zsh = await runCli(['completion', 'zsh']);
    assert.match(zsh.stdout, /^autoload -U \+X bashcompinit && bashcompinit$/m);
    oneLineError(
      await runCli(['completion', 'fish']),
      /^reconciler completion: the shell must be bash or zsh, got 'fish'$/,
      'unknown shell',
    );
  });
});
