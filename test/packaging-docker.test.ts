/**
 * The container packaging rules, checked without a Docker engine: both Dockerfiles (multi-stage,
 * pinned base image, production dependencies only, non-root, HEALTHCHECK, node as PID 1 through
 * an exec-form ENTRYPOINT), .dockerignore, and docker-compose.yml through `docker-compose config`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';

const root = new URL('..', import.meta.url).pathname;

/** Instruction is one Dockerfile instruction with its continuation lines joined. */
interface Instruction {
  keyword: string;
  args: string;
}

/** Stage is one FROM ... block. */
interface Stage {
  image: string;
  name: string | undefined;
  instructions: Instruction[];
}

function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    logical.push(pending + line);
    pending = '';
  }
  const stages: Stage[] = [];
  for (const line of logical) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (keyword.toUpperCase() === 'FROM') {
      const fromMatch = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      stages.push({ image: fromMatch?.[1] ?? args, name: fromMatch?.[2], instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (stage) stage.instructions.push({ keyword: keyword.toUpperCase(), args });
  }
  return stages;
}

function execForm(args: string): string[] | undefined {
  try {
    const parsed: unknown = JSON.parse(args);
    return Array.isArray(parsed) && parsed.every((item) => typeof item === 'string')
      ? parsed
      : undefined;
  } catch {
    return undefined;
  }
}

/** dockerfileProblems lists every packaging rule a Dockerfile breaks (empty when it is fine). */
function dockerfileProblems(text: string, options: { healthPath: string }): string[] {
  const problems: string[] = [];
  const stages = parseDockerfile(text);
  if (stages.length < 2) problems.push('not multi-stage: fewer than two FROM instructions');
  for (const stage of stages) {
    if (!/^node:22\.\d+\.\d+-bookworm-slim(@sha256:[0-9a-f]{64})?$/.test(stage.image)) {
      problems.push(
        `base image ${stage.image} is not pinned to an exact node:22.x.y-bookworm-slim`,
      );
    }
  }
  const build = stages[0];
  const runtime = stages.at(-1);
  if (!build || !runtime || build === runtime) return problems;
  const runs = (stage: Stage) =>
    stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
  if (!runs(build).some((cmd) => /\bnpm ci\b/.test(cmd)))
    problems.push('build stage has no npm ci');
  if (!runs(build).some((cmd) => /\bnpm run build\b/.test(cmd))) {
    problems.push('build stage does not run npm run build');
  }
  const install = runs(runtime).find((cmd) => /\bnpm ci\b/.test(cmd));
  if (!install) problems.push('runtime stage has no npm ci');
  else {
    if (!install.includes('--omit=dev')) problems.push('runtime npm ci keeps dev dependencies');
    if (!install.includes('--ignore-scripts')) problems.push('runtime npm ci runs scripts');
  }
  if (runs(runtime).some((cmd) => /\bnpm run build\b|\btsc\b/.test(cmd))) {
    problems.push('runtime stage compiles: the compiler belongs in the build stage');
  }
  const copies = runtime.instructions.filter((i) => i.keyword === 'COPY').map((i) => i.args);
  if (
    !copies.some((args) => args.startsWith(`--from=${build.name ?? '0'} `) && /\bdist\b/.test(args))
  ) {
    problems.push('runtime stage does not copy dist/ from the build stage');
  }
  if (!copies.some((args) => /^schemas\s/.test(args)))
    problems.push('runtime image lacks schemas/');
  const users = runtime.instructions.filter((i) => i.keyword === 'USER').map((i) => i.args);
  const lastUser = users.at(-1);
  if (lastUser === undefined || /^(root|0)(:|$)/.test(lastUser)) {
    problems.push('runtime stage runs as root: add USER node');
  }
  const health = runtime.instructions.find((i) => i.keyword === 'HEALTHCHECK');
  if (!health) problems.push('no HEALTHCHECK');
  else {
    const command = execForm(health.args.replace(/^(--\S+\s+)*CMD\s+/, '')) ?? [];
    if (command[0] !== 'node' || command[1] !== '-e') {
      problems.push('HEALTHCHECK is not an exec-form node -e command (slim images have no curl)');
    } else if (!command.join(' ').includes(options.healthPath)) {
      problems.push(`HEALTHCHECK does not probe ${options.healthPath}`);
    }
  }
  const entrypoints = runtime.instructions.filter((i) => i.keyword === 'ENTRYPOINT');
  const entrypoint = entrypoints.at(-1);
  const entrypointArgs = entrypoint ? execForm(entrypoint.args) : undefined;
  if (!entrypoint) problems.push('no ENTRYPOINT');
  else if (!entrypointArgs) problems.push('ENTRYPOINT is shell form: SIGTERM would not reach node');
  else if (entrypointArgs[0] !== 'node') {
    problems.push(`ENTRYPOINT starts ${entrypointArgs[0]}, not node`);
  }
  const cmd = runtime.instructions.filter((i) => i.keyword === 'CMD').at(-1);
  const launch = [...(entrypointArgs ?? []), ...(cmd ? (execForm(cmd.args) ?? [cmd.args]) : [])];
  if (launch.some((word) => /^(npm|npx|sh|bash)$|npm (start|run)/.test(word))) {
    problems.push('the container starts through npm or a shell, which would be PID 1');
  }
  return problems;
}

const good = `FROM node:22.23.5-bookworm-slim AS build
RUN npm ci --ignore-scripts
RUN npm run build
FROM node:22.23.5-bookworm-slim
RUN npm ci --omit=dev --ignore-scripts
COPY schemas ./schemas
COPY --from=build /app/dist ./dist
USER node
HEALTHCHECK --interval=5s \\
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/healthz')"]
ENTRYPOINT ["node", "dist/service/main.js"]
`;

test('the Dockerfile rules catch each kind of mistake', () => {
  const cases = [
    { reason: 'a compliant file passes', text: good, expected: [] },
    {
      reason: 'an unpinned base image',
      text: good.replaceAll('node:22.23.5-bookworm-slim', 'node:22-bookworm-slim'),
      expected: [
        'base image node:22-bookworm-slim is not pinned to an exact node:22.x.y-bookworm-slim',
        'base image node:22-bookworm-slim is not pinned to an exact node:22.x.y-bookworm-slim',
      ],
    },
    {
      reason: 'a single stage',
      text: good.split('FROM node:22.23.5-bookworm-slim\n')[1] ?? '',
      expected: ['not multi-stage: fewer than two FROM instructions'],
    },
    {
      reason: 'dev dependencies in the runtime image',
      text: good.replace('--omit=dev --ignore-scripts', '--ignore-scripts'),
      expected: ['runtime npm ci keeps dev dependencies'],
    },
    {
      reason: 'root user',
      text: good.replace('USER node\n', ''),
      expected: ['runtime stage runs as root: add USER node'],
    },
    {
      reason: 'no health check',
      text: good.replace(/HEALTHCHECK[^\]]*\]\n/, ''),
      expected: ['no HEALTHCHECK'],
    },
    {
      reason: 'npm as PID 1',
      text: good.replace('["node", "dist/service/main.js"]', '["npm", "start"]'),
      expected: [
        'ENTRYPOINT starts npm, not node',
        'the container starts through npm or a shell, which would be PID 1',
      ],
    },
    {
      reason: 'shell-form entrypoint',
      text: good.replace('["node", "dist/service/main.js"]', 'node dist/service/main.js'),
      expected: ['ENTRYPOINT is shell form: SIGTERM would not reach node'],
    },
    {
      reason: 'schemas missing from the runtime image',
      text: good.replace('COPY schemas ./schemas\n', ''),
      expected: ['runtime image lacks schemas/'],
    },
  ];
  for (const { reason, text, expected } of cases) {
    assert.deepStrictEqual(dockerfileProblems(text, { healthPath: '/healthz' }), expected, reason);
  }
});

for (const { file, healthPath, entry } of [
  { file: 'Dockerfile.service', healthPath: '/healthz', entry: 'dist/service/main.js' },
  { file: 'Dockerfile.reconciler', healthPath: '/healthz', entry: 'bin/reconciler.js' },
]) {
  test(`${file} follows the packaging rules`, () => {
    const text = readFileSync(join(root, file), 'utf8');
    assert.deepStrictEqual(dockerfileProblems(text, { healthPath }), []);
    const entrypoint = parseDockerfile(text)
      .at(-1)
      ?.instructions.filter((i) => i.keyword === 'ENTRYPOINT')
      .at(-1);
    assert.deepStrictEqual(execForm(entrypoint?.args ?? ''), ['node', entry]);
  });

  test(`${file} copies only paths that exist and are not ignored`, () => {
    const text = readFileSync(join(root, file), 'utf8');
    const ignored = new Set(
      readFileSync(join(root, '.dockerignore'), 'utf8')
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line && !line.startsWith('#')),
    );
    const sources = parseDockerfile(text)
      .flatMap((stage) => stage.instructions)
      .filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from='))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    assert.ok(sources.length > 0, 'no COPY from the build context');
    for (const source of sources) {
      assert.ok(existsSync(join(root, source)), `${file} copies ${source}, which does not exist`);
      assert.ok(!ignored.has(source), `${file} copies ${source}, which .dockerignore excludes`);
    }
  });
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(entry.name) && !/\.(test|stress)\.ts$/.test(entry.name) ? [path] : [];
  });
}

/** imageFiles lists the files the build context puts in the runtime image, as paths under WORKDIR. */
function imageFiles(dockerfile: string): Set<string> {
  const files = new Set<string>();
  const runtime = parseDockerfile(readFileSync(join(root, dockerfile), 'utf8')).at(-1);
  for (const copy of runtime?.instructions.filter((i) => i.keyword === 'COPY') ?? []) {
    if (copy.args.startsWith('--from=')) continue;
    // COPY takes several sources before its destination
    const sources = copy.args.split(/\s+/);
    const destination = sources.pop() ?? '';
    const walk = (path: string): string[] =>
      statSync(join(root, path)).isDirectory()
        ? readdirSync(join(root, path)).flatMap((name) => walk(join(path, name)))
        : [path];
    for (const source of sources) {
      for (const file of walk(source)) {
        files.add(
          normalize(join(destination, relative(source, file) || file)).replace(/^\.\//, ''),
        );
      }
    }
  }
  return files;
}

/**
 * jsonReadCandidates finds the module-relative JSON paths a source may read through
 * `new URL(..., import.meta.url)`: whole literals (`'../schemas/x.json'`) and, when the code
 * joins folder candidates with a file name (`['../a/', '../../a/']` and `` `${dir}x.json` ``),
 * every folder with every file name.
 */
function jsonReadCandidates(text: string): string[] {
  if (!text.includes('import.meta.url')) return [];
  const literals = [...text.matchAll(/['`](\.\.?\/[^'`$]*)['`]/g)].map((match) => match[1] ?? '');
  const whole = literals.filter((literal) => literal.endsWith('.json'));
  const folders = literals.filter((literal) => literal.endsWith('/'));
  const names = [...text.matchAll(/\}([\w.-]+\.json)`/g)].map((match) => match[1] ?? '');
  return [...whole, ...folders.flatMap((folder) => names.map((name) => folder + name))];
}

test('jsonReadCandidates understands both ways the sources name a JSON file', () => {
  const cases = [
    { reason: 'no import.meta.url', text: "readFileSync('../x.json')", expected: [] },
    {
      reason: 'a whole literal',
      text: "new URL('../../schemas/stack.schema.json', import.meta.url)",
      expected: ['../../schemas/stack.schema.json'],
    },
    {
      reason: 'folders joined with a name',
      text: `['../schemas/', '../../schemas/'].map((dir) => new URL(\`\${dir}log-event.schema.json\`, import.meta.url))`,
      expected: ['../schemas/log-event.schema.json', '../../schemas/log-event.schema.json'],
    },
  ];
  for (const { reason, text, expected } of cases) {
    assert.deepStrictEqual(jsonReadCandidates(text), expected, reason);
  }
});

for (const { file, sources } of [
  { file: 'Dockerfile.service', sources: 'service' },
  { file: 'Dockerfile.reconciler', sources: 'reconciler' },
]) {
  test(`${file}: every JSON file the compiled ${sources}/ reads at run time is in the image`, () => {
    const inImage = imageFiles(file);
    const missing: string[] = [];
    let reads = 0;
    for (const source of sourceFiles(sources)) {
      if (/(^|\/)gen-[^/]*\.ts$/.test(source)) continue; // build-time generators
      const text = readFileSync(join(root, source), 'utf8');
      const candidates = jsonReadCandidates(text).map((path) =>
        normalize(join('dist', dirname(source), path)),
      );
      if (candidates.length === 0) continue;
      reads += 1;
      if (!candidates.some((candidate) => inImage.has(candidate))) {
        missing.push(`${source} reads one of ${candidates.join(', ')}`);
      }
    }
    assert.ok(reads > 0, `no run-time JSON reads found under ${sources}/: the scan is broken`);
    assert.deepStrictEqual(missing, []);
  });
}

test('Dockerfile.service: the log explorer page is in the image where the service looks for it', () => {
  // service/routes/explorer.ts reads ../../../service/explorer/ from dist/service/routes/
  const inImage = imageFiles('Dockerfile.service');
  const page = readdirSync(join(root, 'service/explorer')).map(
    (name) => `service/explorer/${name}`,
  );
  assert.ok(page.includes('service/explorer/index.html'));
  assert.deepStrictEqual(
    page.filter((file) => !inImage.has(file)),
    [],
  );
});

test('Dockerfile.reconciler: the status page is in the image where the daemon looks for it', () => {
  // reconciler/daemon/page.ts reads ../../../reconciler/daemon/page/ from dist/reconciler/daemon/
  const inImage = imageFiles('Dockerfile.reconciler');
  const page = readdirSync(join(root, 'reconciler/daemon/page')).map(
    (name) => `reconciler/daemon/page/${name}`,
  );
  assert.ok(page.includes('reconciler/daemon/page/index.html'));
  assert.deepStrictEqual(
    page.filter((file) => !inImage.has(file)),
    [],
  );
});

test('.dockerignore keeps history, dependencies, data, builds and tests out of the context', () => {
  const entries = readFileSync(join(root, '.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim());
  const required = ['.git', 'node_modules', '.data', 'dist', 'test', '**/*.test.ts', '**/fixtures'];
  assert.deepStrictEqual(
    required.filter((entry) => !entries.includes(entry)),
    [],
  );
});

/** composeCommand finds `docker-compose` (v1, parses without an engine) or `docker compose` (v2). */
function composeCommand(): string[] | undefined {
  for (const candidate of [['docker-compose'], ['docker', 'compose']]) {
    const [command = '', ...args] = candidate;
    const probe = spawnSync(command, [...args, 'version'], { encoding: 'utf8' });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

const compose = composeCommand();

test('docker-compose.yml is accepted by docker-compose config', {
  skip:
    compose || process.env.CI
      ? false
      : 'docker-compose is not installed (apt-get install docker-compose)',
}, () => {
  assert.ok(compose, 'docker-compose is not installed (apt-get install docker-compose)');
  const [command = '', ...args] = compose;
  const result = spawnSync(command, [...args, '-f', 'docker-compose.yml', 'config', '--quiet'], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, `${compose.join(' ')} config failed:\n${result.stderr}`);
});

test('docker-compose.yml wires the same local system as npm start', () => {
  interface ComposeService {
    image?: string;
    build?: { context: string; dockerfile: string };
    environment?: Record<string, string>;
    depends_on?: Record<string, { condition: string }>;
    volumes?: string[];
    command?: string[];
    healthcheck?: { test: string[] | string };
  }
  const file = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as {
    services: Record<string, ComposeService>;
  };
  const services = file.services;
  assert.deepStrictEqual(Object.keys(services).sort(), [
    'moto',
    'postgres',
    'reconciler',
    'service',
  ]);
  assert.match(services.postgres?.image ?? '', /^postgres:\d+\.\d+-alpine$/);
  assert.ok(services.postgres?.healthcheck, 'postgres has no health check');
  assert.equal(services.moto?.image, 'motoserver/moto:5.2.1');
  assert.equal(services.moto?.environment?.MOTO_IAM_LOAD_MANAGED_POLICIES, 'true');
  assert.deepStrictEqual(services.service?.depends_on, {
    postgres: { condition: 'service_healthy' },
  });
  assert.match(services.service?.environment?.DATABASE_URL ?? '', /@postgres:5432\//);
  assert.deepStrictEqual(services.service?.build, {
    context: '.',
    dockerfile: 'Dockerfile.service',
  });
  assert.deepStrictEqual(services.reconciler?.build, {
    context: '.',
    dockerfile: 'Dockerfile.reconciler',
  });
  assert.deepStrictEqual(services.reconciler?.command?.slice(0, 2), ['run', '/specs']);
  assert.deepStrictEqual(services.reconciler?.volumes, ['./specs:/specs:ro']);
  assert.deepStrictEqual(
    {
      endpoint: services.reconciler?.environment?.AWS_ENDPOINT_URL,
      key: services.reconciler?.environment?.AWS_ACCESS_KEY_ID,
    },
    { endpoint: 'http://moto:5000', key: 'testing' },
  );
});
