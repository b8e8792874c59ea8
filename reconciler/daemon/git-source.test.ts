import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { memoryLogger } from '../../test/fakes/memory-logger.ts';
import { FakeClock } from './clock.ts';
import {
  defaultCacheDir,
  GitSource,
  normalizeRepoPath,
  redactUrl,
  redactUrls,
} from './git-source.ts';
import type { SpecSnapshot } from './sources.ts';

let dir: string;
let remote: string;
let work: string;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'test',
      GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'test',
      GIT_COMMITTER_EMAIL: 'test@example.com',
    },
  }).trim();
}

async function commit(files: Record<string, string | undefined>, message: string): Promise<string> {
  for (const [file, content] of Object.entries(files)) {
    if (content === undefined) {
      git(work, 'rm', '-q', file);
      continue;
    }
    await mkdir(join(work, file, '..'), { recursive: true });
    await writeFile(join(work, file), content);
    git(work, 'add', file);
  }
  git(work, 'commit', '-q', '-m', message);
  git(work, 'push', '-q', 'origin', 'HEAD:main');
  return git(work, 'rev-parse', 'HEAD');
}

/** waitFor waits (real time, git runs as a child process) until check() holds, at most 10 s. */
async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reconciler-git-'));
  remote = join(dir, 'remote.git');
  work = join(dir, 'work');
  git(dir, 'init', '-q', '--bare', '--initial-branch=main', remote);
  git(dir, 'clone', '-q', remote, work);
  git(work, 'checkout', '-q', '-b', 'main');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('a git source emits the specs of each new commit, with blob ids as hashes', async () => {
  const first = await commit(
    {
      'specs/web.yaml': 'name: web\n',
      'specs/api.yml': 'name: api\n',
      'specs/README.md': '# specs\n',
      'specs/examples/demo.yaml': 'name: demo\n',
      'other.yaml': 'name: other\n',
    },
    'first',
  );
  const clock = new FakeClock();
  const source = new GitSource({
    url: remote,
    branch: 'main',
    path: './specs/',
    pollMs: 30_000,
    cacheDir: join(dir, 'cache', 'clone'),
    clock,
    log: memoryLogger(),
  });
  const snapshots: SpecSnapshot[] = [];
  await source.start((snapshot) => snapshots.push(snapshot));
  assert.equal(snapshots.length, 1);
  assert.equal(snapshots[0]?.revision, first);
  assert.deepStrictEqual(
    snapshots[0]?.files.map((file) => [file.file, file.source]),
    [
      ['specs/api.yml', 'name: api\n'],
      ['specs/web.yaml', 'name: web\n'],
    ],
  );
  const webBlob = snapshots[0]?.files[1]?.hash;

  await source.poll();
  assert.equal(snapshots.length, 1, 'no new commit, no snapshot');

  const second = await commit({ 'specs/api.yml': 'name: api\npaused: true\n' }, 'pause api');
  await clock.advance(30_000);
  await waitFor(() => snapshots.length === 2);
  assert.equal(snapshots.length, 2, 'the poll timer fetched the new commit');
  assert.equal(snapshots[1]?.revision, second);
  assert.equal(snapshots[1]?.files[1]?.hash, webBlob, 'an unchanged file keeps its hash');
  assert.notEqual(snapshots[1]?.files[0]?.hash, snapshots[0]?.files[0]?.hash);

  const third = await commit({ 'specs/api.yml': undefined }, 'remove api');
  await source.poll();
  assert.equal(snapshots[2]?.revision, third);
  assert.deepStrictEqual(
    snapshots[2]?.files.map((file) => file.file),
    ['specs/web.yaml'],
  );
  assert.deepStrictEqual(source.health().revision, third);
  source.stop();

  const restarted = new GitSource({
    url: remote,
    branch: 'main',
    path: 'specs',
    pollMs: 30_000,
    cacheDir: join(dir, 'cache', 'clone'),
    clock,
    log: memoryLogger(),
  });
  const again: SpecSnapshot[] = [];
  await restarted.start((snapshot) => again.push(snapshot));
  assert.equal(again[0]?.revision, third, 'a restart reuses the cached clone');
  restarted.stop();
});

test('a git source that cannot fetch reports it without credentials and keeps polling', async () => {
  const log = memoryLogger();
  const source = new GitSource({
    url: 'https://user:s3cret-token@127.0.0.1:9/nothing.git',
    branch: 'main',
    path: '',
    pollMs: 1_000,
    cacheDir: join(dir, 'cache', 'unreachable'),
    clock: new FakeClock(),
    log,
  });
  const snapshots: SpecSnapshot[] = [];
  await source.start((snapshot) => snapshots.push(snapshot));
  source.stop();
  assert.equal(snapshots.length, 0);
  assert.equal(source.health().ok, false);
  assert.equal(source.description, 'git https://127.0.0.1:9/nothing.git branch main');
  const logged = JSON.stringify(log.records) + source.health().message;
  assert.equal(logged.includes('s3cret'), false, logged);
  assert.equal(logged.includes('cannot read git source'), true, logged);
});

test('a cache folder that holds something else is never deleted', async () => {
  const cacheDir = join(dir, 'not-a-clone');
  await mkdir(cacheDir);
  await writeFile(join(cacheDir, 'keep.txt'), 'precious\n');
  const source = new GitSource({
    url: remote,
    branch: 'main',
    path: 'specs',
    pollMs: 1_000,
    cacheDir,
    clock: new FakeClock(),
    log: memoryLogger(),
  });
  await source.poll();
  assert.match(source.health().message, /not empty and not a bare git clone/);
});

test('url and path helpers', () => {
  const cases = [
    {
      reason: 'token',
      got: redactUrl('https://x:tok@github.com/a/b.git'),
      want: 'https://github.com/a/b.git',
    },
    { reason: 'user only', got: redactUrl('https://bot@host/r.git'), want: 'https://host/r.git' },
    { reason: 'no userinfo', got: redactUrl('https://host/r.git'), want: 'https://host/r.git' },
    {
      reason: 'ssh scp-like kept',
      got: redactUrl('git@github.com:a/b.git'),
      want: 'git@github.com:a/b.git',
    },
    {
      reason: 'inside a message',
      got: redactUrls("fatal: unable to access 'https://u:p@h/r/': refused"),
      want: "fatal: unable to access 'https://h/r/': refused",
    },
    { reason: 'dot path', got: normalizeRepoPath('.'), want: '' },
    { reason: 'slashes', got: normalizeRepoPath('./deploy/specs/'), want: 'deploy/specs' },
    { reason: 'cache dir', got: defaultCacheDir('u').startsWith('.data/git-cache/'), want: true },
  ];
  for (const { reason, got, want } of cases) assert.deepStrictEqual(got, want, reason);
});
