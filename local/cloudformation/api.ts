import type { QueryParams, QueryService, XmlValue } from '../protocol/query.js';
import type { RequestScope } from '../protocol/scope.js';
import { CloudFormationService, type StackResourceDescription } from './service.js';
import type { StackModel } from './types.js';

/** CloudFormation's Query API version and namespace. */
export const CLOUDFORMATION_VERSION = '2010-05-15';
export const CLOUDFORMATION_XMLNS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

const iso = (date: Date): string => date.toISOString();

function resourceXml(resource: StackResourceDescription, timestampKey: 'Timestamp' | 'LastUpdatedTimestamp', stack?: { name: string; id: string }): XmlValue {
  return {
    ...(stack ? { StackName: stack.name, StackId: stack.id } : {}),
    LogicalResourceId: resource.LogicalResourceId,
    PhysicalResourceId: resource.PhysicalResourceId,
    ResourceType: resource.ResourceType,
    [timestampKey]: iso(resource.Timestamp),
    ResourceStatus: resource.ResourceStatus,
    DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
  };
}

/**
 * The CloudFormation Query API over {@link CloudFormationService}, in the
 * XML shapes the AWS SDK parses: DescribeStacks, ListStackResources,
 * DescribeStackResources, DescribeStackResource. Given a bare stack, the
 * stack counts as created now.
 */
export function cloudFormationApi(source: CloudFormationService | StackModel): QueryService {
  const service = source instanceof CloudFormationService ? source : CloudFormationService.fromStack(source);
  const stackRef = (name: string | undefined, region?: string) => {
    const stack = service.stackNamed(name, region);
    return { name: stack.stackName, id: stack.stackId };
  };
  return {
    version: CLOUDFORMATION_VERSION,
    xmlns: CLOUDFORMATION_XMLNS,
    signingName: 'cloudformation',
    operations: {
      DescribeStacks: (params: QueryParams, scope?: RequestScope) => ({
        Stacks: service.describeStacks(params.get('StackName'), scope?.region).map((stack) => ({
          StackId: stack.StackId,
          StackName: stack.StackName,
          ...(stack.Description ? { Description: stack.Description } : {}),
          Parameters: stack.Parameters.map((p) => ({ ParameterKey: p.ParameterKey, ParameterValue: p.ParameterValue })),
          CreationTime: iso(stack.CreationTime),
          StackStatus: stack.StackStatus,
          DisableRollback: false,
          NotificationARNs: [],
          Outputs: stack.Outputs.map((o) => ({
            OutputKey: o.OutputKey,
            OutputValue: o.OutputValue,
            ...(o.Description !== undefined ? { Description: o.Description } : {}),
            ...(o.ExportName !== undefined ? { ExportName: o.ExportName } : {}),
          })),
          Tags: [],
          EnableTerminationProtection: false,
          DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
        })),
      }),
      ListStackResources: (params: QueryParams, scope?: RequestScope) => ({
        StackResourceSummaries: service
          .listStackResources(params.get('StackName'), scope?.region)
          .map((r) => resourceXml(r, 'LastUpdatedTimestamp')),
      }),
      DescribeStackResources: (params: QueryParams, scope?: RequestScope) => {
        const logicalId = params.get('LogicalResourceId');
        const all = service.listStackResources(params.get('StackName'), scope?.region);
        return {
          StackResources: all.filter((r) => !logicalId || r.LogicalResourceId === logicalId).map((r) => resourceXml(r, 'Timestamp', stackRef(params.get('StackName'), scope?.region))),
        };
      },
      DescribeStackResource: (params: QueryParams, scope?: RequestScope) => ({
        StackResourceDetail: resourceXml(
          service.describeStackResource(params.get('StackName'), params.get('LogicalResourceId'), scope?.region),
          'LastUpdatedTimestamp',
          stackRef(params.get('StackName'), scope?.region),
        ),
      }),
    },
  };
}
