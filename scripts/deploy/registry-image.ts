/**
 * `node --import tsx scripts/deploy/registry-image.ts SPEC REPOSITORY TAG`: where a deploy pushes
 * the image of REPOSITORY (one of SPEC's registry.repositories) and whether that tag is there
 * already. Prints `key=value` lines (the format of $GITHUB_OUTPUT): region, registry, uri, image
 * (<uri>:<tag>) and pushed (true or false). Reads AWS with the default credentials, in the stack's
 * region. Exits 1 when the spec is invalid or does not declare the repository, or when the
 * repository does not exist yet: apply the stack once first (docs/deploying.md).
 */
import { DescribeImagesCommand, DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import { createClients } from '../../reconciler/aws/clients.ts';
import { errorCode } from '../../reconciler/aws/errors.ts';
import { repositoryName } from '../../reconciler/resources/ecr-repository.ts';
import { formatSpecError, loadStacks } from '../../reconciler/spec/load-stacks.ts';

function fail(message: string): never {
  console.error(`registry-image: ${message}`);
  process.exit(1);
}

const [spec, repository, tag] = process.argv.slice(2);
if (!spec || !repository || !tag) fail('usage: registry-image.ts SPEC REPOSITORY TAG');

const { stacks, errors } = await loadStacks([spec]);
if (errors.length > 0 || stacks.length !== 1) {
  fail(errors.map(formatSpecError).join('\n') || `${spec}: expected one stack spec`);
}
const stack = stacks[0]!.spec;
if (!(stack.registry?.repositories ?? []).some((declared) => declared.name === repository)) {
  fail(
    `${spec}: stack ${stack.name} declares no repository '${repository}' in registry.repositories`,
  );
}
const name = repositoryName(stack.name, repository);
const clients = createClients({ region: stack.region });
try {
  const described = await clients.ecr
    .send(new DescribeRepositoriesCommand({ repositoryNames: [name] }))
    .catch((err: unknown) => {
      if (errorCode(err) !== 'RepositoryNotFoundException') throw err;
      fail(
        `repository ${name} does not exist in ${stack.region} yet: apply ${spec} once (docs/deploying.md)`,
      );
    });
  const uri = described.repositories?.[0]?.repositoryUri;
  if (!uri) fail(`DescribeRepositories returned no URI for ${name}`);
  const pushed = await clients.ecr
    .send(new DescribeImagesCommand({ repositoryName: name, imageIds: [{ imageTag: tag }] }))
    .then(
      (images) => (images.imageDetails ?? []).length > 0,
      (err: unknown) => {
        if (errorCode(err) === 'ImageNotFoundException') return false;
        throw err;
      },
    );
  console.log(`region=${stack.region}`);
  console.log(`registry=${uri.slice(0, uri.indexOf('/'))}`);
  console.log(`uri=${uri}`);
  console.log(`image=${uri}:${tag}`);
  console.log(`pushed=${pushed}`);
} finally {
  clients.destroy();
}
