import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderOutputs, resourceOutputs } from './outputs.ts';
import type { ObservedEntry } from './reconcile.ts';

function seen(stack: string, address: string, id: string, attributes: Record<string, string>) {
  const kind = address.split('.')[0] ?? '';
  return { stack, address, kind, id, status: 'ready', attributes } as ObservedEntry;
}

test('each kind names its outputs; other stacks and kinds without outputs are left out', () => {
  const observed = [
    seen('web', 'load-balancer.main', 'arn:lb', { arn: 'arn:lb', dnsName: 'web-1.elb.example' }),
    seen('web', 'db-instance.main', 'arn:db', {
      endpoint: 'db.example',
      port: '5432',
      arn: 'arn:db',
    }),
    seen('web', 'ecr-repository.api', 'web/api', { uri: '1.dkr.ecr/web/api', arn: 'x' }),
    seen('web', 'log-group.web/app', '/web/app', { arn: 'arn:logs', name: '/web/app' }),
    seen('web', 'dashboard.main', 'web', { arn: 'arn:dash', name: 'web' }),
    seen('web', 'vpc.main', 'vpc-1', {}),
    seen('other', 'load-balancer.main', 'arn:lb2', { dnsName: 'other.elb.example' }),
  ];
  const outputs = resourceOutputs({ name: 'web', region: 'eu-west-1' }, observed);
  assert.deepStrictEqual(outputs, {
    'dashboard.main': {
      name: 'web',
      url: 'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/web',
    },
    'db-instance.main': { endpoint: 'db.example', port: '5432' },
    'ecr-repository.api': { uri: '1.dkr.ecr/web/api' },
    'load-balancer.main': { dnsName: 'web-1.elb.example' },
    'log-group.web/app': { name: '/web/app' },
  });
  const text = renderOutputs([
    {
      stack: 'web',
      region: 'eu-west-1',
      entryPoints: { loadBalancerUrl: 'http://web-1.elb.example/' },
      resources: outputs,
    },
    { stack: 'empty', region: 'eu-west-1', entryPoints: {}, resources: {} },
  ]);
  assert.match(text, /^Outputs of stack web \(eu-west-1\):$/m);
  assert.match(text, /^ {2}loadBalancerUrl {12,}= http:\/\/web-1\.elb\.example\/$/m);
  assert.match(text, /^ {2}load-balancer\.main\.dnsName\s+= web-1\.elb\.example$/m);
  assert.match(text, /^ {2}\(none yet: nothing that has outputs exists in AWS\)$/m);
});
