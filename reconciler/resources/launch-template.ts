import {
  type _InstanceType,
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  DeleteLaunchTemplateCommand,
  type DescribeLaunchTemplatesCommandInput,
  DescribeLaunchTemplateVersionsCommand,
  type LaunchTemplate,
  type LaunchTemplateVersion,
  ModifyLaunchTemplateCommand,
  paginateDescribeLaunchTemplates,
  type RequestLaunchTemplateData,
} from '@aws-sdk/client-ec2';
import { GetParametersCommand } from '@aws-sdk/client-ssm';
import { tagListToMap } from '../aws/tags.ts';
import { chunk } from '../lib/chunk.ts';
import { defineKind } from './kit/define-kind.ts';
import { failure } from './kit/errors.ts';
import { sortedValues } from './kit/json.ts';
import { foundByName } from './kit/names.ts';
import { collect } from './kit/paginate.ts';
import { readEach } from './kit/read-each.ts';
import { resolved } from './kit/refs.ts';
import { ec2Tagging, stackFilters, tagSpecifications } from './kit/tagging/ec2.ts';
import type { FieldRule, Ref, ResourceContext } from './types.ts';

/** ImageParameter names an AMI by the SSM parameter that holds its id (the ECS-optimized AMI's public one). */
export type ImageParameter = { ssmParameter: string };

/** LaunchTemplateProperties: what the default version of a launch template launches. */
export type LaunchTemplateProperties = {
  name: string;
  /** An AMI id, or the SSM parameter to read it from (the kind's lookup, once per pass). */
  imageId: string | ImageParameter;
  instanceType: string;
  instanceProfileArn: string | Ref;
  securityGroupIds: (string | Ref)[];
  /** The user data as text (AWS keeps it base64-encoded). */
  userData: string;
  rootVolume: { deviceName: string; sizeGiB: number; volumeType: string; encrypted: boolean };
  /** Instance metadata service: `required` tokens is IMDSv2 only; a hop limit of 2 lets containers reach it. */
  metadata: { httpTokens: string; httpPutResponseHopLimit: number };
};

/**
 * LAUNCH_TEMPLATE_FIELDS: the name is the identity; every other field changes in place, as a new
 * version made the default (which the Auto Scaling group rolls out with an instance refresh).
 */
export const LAUNCH_TEMPLATE_FIELDS: Record<keyof LaunchTemplateProperties, FieldRule> = {
  name: 'replace',
  imageId: 'update',
  instanceType: 'update',
  instanceProfileArn: 'update',
  securityGroupIds: 'update',
  userData: 'update',
  rootVolume: 'update',
  metadata: 'update',
};

/** GET_PARAMETERS_BATCH is the most names one GetParameters call takes. */
const GET_PARAMETERS_BATCH = 10;

type TemplateLive = { template: LaunchTemplate; version: LaunchTemplateVersion };

function isParameter(imageId: unknown): imageId is ImageParameter {
  return typeof imageId === 'object' && imageId !== null && 'ssmParameter' in imageId;
}

/** templateData is the full LaunchTemplateData of a version: every version stands alone. */
export function templateData(properties: LaunchTemplateProperties): RequestLaunchTemplateData {
  const { rootVolume, metadata } = properties;
  if (isParameter(properties.imageId)) {
    throw new Error(`imageId is the unresolved SSM parameter ${properties.imageId.ssmParameter}`);
  }
  return {
    ImageId: properties.imageId,
    InstanceType: properties.instanceType as _InstanceType,
    IamInstanceProfile: { Arn: resolved(properties.instanceProfileArn, 'instanceProfileArn') },
    SecurityGroupIds: properties.securityGroupIds.map((group) => resolved(group, 'security group')),
    UserData: Buffer.from(properties.userData, 'utf8').toString('base64'),
    BlockDeviceMappings: [
      {
        DeviceName: rootVolume.deviceName,
        Ebs: {
          VolumeSize: rootVolume.sizeGiB,
          VolumeType: rootVolume.volumeType as 'gp3',
          Encrypted: rootVolume.encrypted,
          DeleteOnTermination: true,
        },
      },
    ],
    MetadataOptions: {
      HttpEndpoint: 'enabled',
      HttpTokens: metadata.httpTokens as 'required',
      HttpPutResponseHopLimit: metadata.httpPutResponseHopLimit,
    },
  };
}

/** observedTemplate maps a template and its default version to the desired shape. */
export function observedTemplate({ template, version }: TemplateLive) {
  const data = version.LaunchTemplateData ?? {};
  const root = data.BlockDeviceMappings?.[0];
  const versions = {
    latestVersion: String(template.LatestVersionNumber ?? ''),
    defaultVersion: String(template.DefaultVersionNumber ?? ''),
  };
  return {
    id: template.LaunchTemplateId ?? '',
    properties: {
      name: template.LaunchTemplateName ?? '',
      imageId: data.ImageId ?? '',
      instanceType: data.InstanceType ?? '',
      instanceProfileArn: data.IamInstanceProfile?.Arn ?? '',
      securityGroupIds: [...(data.SecurityGroupIds ?? [])],
      userData: Buffer.from(data.UserData ?? '', 'base64').toString('utf8'),
      rootVolume: {
        deviceName: root?.DeviceName ?? '',
        sizeGiB: root?.Ebs?.VolumeSize ?? 0,
        volumeType: root?.Ebs?.VolumeType ?? '',
        encrypted: root?.Ebs?.Encrypted ?? false,
      },
      metadata: {
        httpTokens: data.MetadataOptions?.HttpTokens ?? 'optional',
        httpPutResponseHopLimit: data.MetadataOptions?.HttpPutResponseHopLimit ?? 1,
      },
    },
    tags: tagListToMap(template.Tags),
    attributes: { name: template.LaunchTemplateName ?? '', ...versions },
  };
}

/**
 * launchTemplateHandler manages EC2 launch templates: one tag-filtered DescribeLaunchTemplates
 * and one DescribeLaunchTemplateVersions of each template's default version per observe. An AMI
 * named by an SSM parameter is read in the kind's lookup, so the plan shows the AMI id and a new
 * one is an update. An update creates a version with the whole data and makes it the default.
 */
export const launchTemplateHandler = defineKind<LaunchTemplateProperties, TemplateLive>({
  kind: 'launch-template',
  fields: LAUNCH_TEMPLATE_FIELDS,
  attributesChangedByUpdate: ['latestVersion', 'defaultVersion'],
  after: ['security-group', 'instance-profile'],
  tagging: ec2Tagging,
  notFound: ['InvalidLaunchTemplateId.NotFound', 'InvalidLaunchTemplateName.NotFoundException'],
  iamActions: {
    read: [
      'ec2:DescribeLaunchTemplates',
      'ec2:DescribeLaunchTemplateVersions',
      'ssm:GetParameters',
    ],
    write: [
      'ec2:CreateLaunchTemplate',
      'ec2:CreateLaunchTemplateVersion',
      'ec2:ModifyLaunchTemplate',
      'ec2:DeleteLaunchTemplate',
    ],
    scope: {
      arn: 'arn:aws:ec2:*:{account}:launch-template/*',
      create: ['ec2:CreateLaunchTemplate'],
    },
  },

  // the largest page AWS serves: one call for up to 200 stacks' templates
  list: async (ctx) => withDefaultVersions(ctx, { Filters: stackFilters(ctx), MaxResults: 200 }),

  /**
   * Names are unique in the region. The SDK fills CreateLaunchTemplate's ClientToken, so AWS
   * itself answers a retry with the first template; a cloud that ignores the token (the local
   * one) answers the name taken, resolved here.
   */
  findByName: async (ctx, desired) =>
    foundByName({
      desired,
      listed: await withDefaultVersions(ctx, {
        Filters: [
          {
            Name: 'launch-template-name',
            Values: desired.map((resource) => resource.properties.name),
          },
        ],
      }),
      nameOf: ({ template }) => template.LaunchTemplateName,
      toObserved: observedTemplate,
    }),
  alreadyExists: ['InvalidLaunchTemplateName.AlreadyExistsException'],

  toObserved: observedTemplate,

  normalize: (properties) => ({
    ...properties,
    securityGroupIds: sortedValues(properties.securityGroupIds),
  }),

  /** Reads the AMI ids of the SSM parameters the desired templates name, 10 names a call. */
  async lookup(ctx, desired) {
    const names = [
      ...new Set(
        desired.flatMap(({ properties }) =>
          isParameter(properties.imageId) ? [properties.imageId.ssmParameter] : [],
        ),
      ),
    ];
    const values = new Map<string, string>();
    for (const batch of chunk(names, GET_PARAMETERS_BATCH)) {
      const read = await ctx.clients.ssm.send(new GetParametersCommand({ Names: batch }));
      for (const { Name, Value } of read.Parameters ?? []) {
        if (Name && Value) values.set(Name, Value);
      }
    }
    return desired.map((resource) => {
      const { imageId } = resource.properties;
      if (!isParameter(imageId)) return resource;
      const value = values.get(imageId.ssmParameter);
      if (value === undefined) {
        throw failure(
          `cannot read the AMI of ${resource.address}: SSM parameter ${imageId.ssmParameter} does not exist in ${ctx.region}`,
          {
            kind: 'launch-template',
            address: resource.address,
            operation: 'observe',
            disposition: 'terminal',
          },
        );
      }
      return { ...resource, properties: { ...resource.properties, imageId: value } };
    });
  },

  async create(ctx, desired) {
    const created = await ctx.clients.ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: desired.properties.name,
        LaunchTemplateData: templateData(desired.properties),
        TagSpecifications: tagSpecifications('launch-template', desired.tags),
      }),
    );
    const id = created.LaunchTemplate?.LaunchTemplateId;
    if (!id) throw new Error('CreateLaunchTemplate returned no LaunchTemplateId');
    return {
      id,
      properties: { ...desired.properties },
      tags: { ...desired.tags },
      attributes: { name: desired.properties.name, latestVersion: '1', defaultVersion: '1' },
    };
  },

  /** One new version with the whole desired data, then made the default. */
  async update(ctx, desired, observed) {
    const created = await ctx.clients.ec2.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateId: observed.id,
        LaunchTemplateData: templateData(desired.properties),
      }),
    );
    const version = String(created.LaunchTemplateVersion?.VersionNumber ?? '');
    if (!version) throw new Error('CreateLaunchTemplateVersion returned no VersionNumber');
    await ctx.clients.ec2.send(
      new ModifyLaunchTemplateCommand({ LaunchTemplateId: observed.id, DefaultVersion: version }),
    );
    return { attributes: { latestVersion: version, defaultVersion: version } };
  },

  async destroy(ctx, observed) {
    await ctx.clients.ec2.send(new DeleteLaunchTemplateCommand({ LaunchTemplateId: observed.id }));
  },
});

/** withDefaultVersions lists the templates a filter selects, each with its default version. */
async function withDefaultVersions(
  ctx: ResourceContext,
  input: DescribeLaunchTemplatesCommandInput,
): Promise<TemplateLive[]> {
  const templates = await collect(
    paginateDescribeLaunchTemplates({ client: ctx.clients.ec2 }, input),
    (page) => page.LaunchTemplates,
  );
  return readEach(templates, ['InvalidLaunchTemplateId.NotFound'], async (template) => {
    const described = await ctx.clients.ec2.send(
      new DescribeLaunchTemplateVersionsCommand({
        LaunchTemplateId: template.LaunchTemplateId,
        Versions: ['$Default'],
      }),
    );
    return { template, version: described.LaunchTemplateVersions?.[0] ?? {} };
  });
}
