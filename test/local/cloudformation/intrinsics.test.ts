import { describe, expect, it } from 'vitest';
import type { Template } from '../../../local/cloudformation/intrinsics.js';
import { buildStackModel, type LoadStackOptions } from '../../../local/cloudformation/model.js';
import { UnsupportedTemplateError } from '../../../local/protocol/errors.js';

function load(template: Template, options: Partial<LoadStackOptions> & { region?: string } = {}) {
  return buildStackModel(
    {
      assemblyDir: '/nonexistent/cdk.out',
      artifactId: 'TestStack',
      stackName: 'TestStack',
      templateFile: '/nonexistent/cdk.out/TestStack.template.json',
      template,
      ...(options.region ? { region: options.region } : {}),
    },
    { localEndpoint: 'http://127.0.0.1:3000', ...options },
  );
}

function props(template: Template, logicalId = 'Subject', options: Partial<LoadStackOptions> & { region?: string } = {}) {
  return load(template, options).resources.get(logicalId)!.properties;
}

const topic = { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'my-topic' } };

describe('Ref and pseudo parameters', () => {
  it('resolves pseudo parameters with local defaults', () => {
    const p = props({
      Resources: {
        Subject: {
          Type: 'Custom::Thing',
          Properties: {
            Account: { Ref: 'AWS::AccountId' },
            Region: { Ref: 'AWS::Region' },
            Partition: { Ref: 'AWS::Partition' },
            Suffix: { Ref: 'AWS::URLSuffix' },
            Name: { Ref: 'AWS::StackName' },
            Id: { Ref: 'AWS::StackId' },
            Arns: { Ref: 'AWS::NotificationARNs' },
          },
        },
      },
    });
    expect(p).toMatchObject({
      Account: '000000000000',
      Region: 'us-east-1',
      Partition: 'aws',
      Suffix: 'amazonaws.com',
      Name: 'TestStack',
      Arns: [],
    });
    expect(p.Id).toMatch(/^arn:aws:cloudformation:us-east-1:000000000000:stack\/TestStack\/[0-9a-f-]{36}$/);
  });

  it('uses the stack region and a supplied account, with the partition of the region', () => {
    const p = props(
      { Resources: { Subject: { Type: 'Custom::Thing', Properties: { A: { Ref: 'AWS::AccountId' }, P: { Ref: 'AWS::Partition' }, S: { Ref: 'AWS::URLSuffix' } } } } },
      'Subject',
      { region: 'cn-north-1', account: '123456789012' },
    );
    expect(p).toEqual({ A: '123456789012', P: 'aws-cn', S: 'amazonaws.com.cn' });
  });

  it('names the resource and path when a Ref target is unknown', () => {
    expect(() => load({ Resources: { Fn1: { Type: 'Custom::X', Properties: { Environment: { Variables: { X: { Ref: 'Nope' } } } } } } })).toThrow(
      'Fn1: Properties.Environment.Variables.X.Ref: Ref to unknown resource or parameter Nope',
    );
  });

  it('Refs a resource to its CloudFormation Ref value', () => {
    const p = props({ Resources: { Topic: topic, Subject: { Type: 'Custom::X', Properties: { T: { Ref: 'Topic' } } } } });
    expect(p.T).toBe('arn:aws:sns:us-east-1:000000000000:my-topic');
  });
});

describe('Fn::GetAtt', () => {
  const resources = {
    Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'q1' } },
  };
  it('accepts the array and the dotted string forms', () => {
    const p = props({
      Resources: { ...resources, Subject: { Type: 'Custom::X', Properties: { A: { 'Fn::GetAtt': ['Queue', 'Arn'] }, B: { 'Fn::GetAtt': 'Queue.QueueUrl' } } } },
    });
    expect(p).toEqual({ A: 'arn:aws:sqs:us-east-1:000000000000:q1', B: 'https://sqs.us-east-1.amazonaws.com/000000000000/q1' });
  });

  it('reports an unknown resource with resource id and path', () => {
    expect(() =>
      load({ Resources: { DestinedFunction1234: { Type: 'Custom::X', Properties: { Environment: { Variables: { X: { 'Fn::GetAtt': ['Foo', 'Arn'] } } } } } } }),
    ).toThrow('DestinedFunction1234: Properties.Environment.Variables.X.Fn::GetAtt: Fn::GetAtt of unknown resource Foo');
  });

  it('reports an attribute the runtime does not know', () => {
    expect(() => load({ Resources: { ...resources, Subject: { Type: 'Custom::X', Properties: { A: { 'Fn::GetAtt': ['Queue', 'Nope'] } } } } })).toThrow(
      /Subject: Properties\.A\.Fn::GetAtt: .*attribute Nope of AWS::SQS::Queue/,
    );
  });
});

describe('Fn::Sub', () => {
  it('substitutes refs, attributes, pseudo parameters and keeps ${!Literal}', () => {
    const p = props({
      Resources: {
        Topic: topic,
        Subject: {
          Type: 'Custom::X',
          Properties: { S: { 'Fn::Sub': 'arn=${Topic} name=${Topic.TopicName} r=${AWS::Region} lit=${!Literal}' } },
        },
      },
    });
    expect(p.S).toBe('arn=arn:aws:sns:us-east-1:000000000000:my-topic name=my-topic r=us-east-1 lit=${Literal}');
  });

  it('takes variables from the second form, resolving them first', () => {
    const p = props({
      Resources: {
        Topic: topic,
        Subject: {
          Type: 'Custom::X',
          Properties: { S: { 'Fn::Sub': ['${Greeting}, ${Who}! ${AWS::AccountId}', { Greeting: 'Hello', Who: { 'Fn::GetAtt': ['Topic', 'TopicName'] } }] } },
        },
      },
    });
    expect(p.S).toBe('Hello, my-topic! 000000000000');
  });

  it('reports a malformed Fn::Sub', () => {
    expect(() => load({ Resources: { Subject: { Type: 'Custom::X', Properties: { S: { 'Fn::Sub': 42 } } } } })).toThrow(/Subject: Properties\.S\.Fn::Sub: Fn::Sub expects/);
  });
});

describe('Fn::Join, Fn::Select, Fn::Split, Fn::GetAZs, Fn::Base64', () => {
  it('evaluates them, nested', () => {
    const p = props({
      Resources: {
        Subject: {
          Type: 'Custom::X',
          Properties: {
            J: { 'Fn::Join': ['-', ['a', { Ref: 'AWS::Region' }, 'c']] },
            S: { 'Fn::Select': [1, { 'Fn::Split': [',', 'x,y,z'] }] },
            Z: { 'Fn::GetAZs': '' },
            Z2: { 'Fn::Select': ['0', { 'Fn::GetAZs': 'eu-west-1' }] },
            B: { 'Fn::Base64': 'hello' },
          },
        },
      },
    });
    expect(p).toEqual({ J: 'a-us-east-1-c', S: 'y', Z: ['us-east-1a', 'us-east-1b', 'us-east-1c'], Z2: 'eu-west-1a', B: 'aGVsbG8=' });
  });

  it('refuses an out-of-bounds Fn::Select', () => {
    expect(() => load({ Resources: { Subject: { Type: 'Custom::X', Properties: { S: { 'Fn::Select': [5, ['a']] } } } } })).toThrow(/out of bounds/);
  });
});

describe('Conditions, Fn::If and AWS::NoValue', () => {
  const template = (envName: string): Template => ({
    Parameters: { Env: { Type: 'String', Default: envName } },
    Conditions: {
      IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] },
      IsNotProd: { 'Fn::Not': [{ Condition: 'IsProd' }] },
      ProdInUsEast: { 'Fn::And': [{ Condition: 'IsProd' }, { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] }] },
      AnyOf: { 'Fn::Or': [{ Condition: 'IsProd' }, { 'Fn::Equals': ['a', 'b'] }] },
    },
    Resources: {
      ProdOnly: { Type: 'AWS::SNS::Topic', Condition: 'IsProd', Properties: { TopicName: 'prod-topic' } },
      Subject: {
        Type: 'Custom::X',
        Properties: {
          Mode: { 'Fn::If': ['IsProd', 'big', 'small'] },
          Maybe: { 'Fn::If': ['IsProd', 'there', { Ref: 'AWS::NoValue' }] },
          List: ['a', { 'Fn::If': ['IsNotProd', { Ref: 'AWS::NoValue' }, 'b'] }, 'c'],
          Both: { 'Fn::If': ['ProdInUsEast', 'yes', 'no'] },
          Any: { 'Fn::If': ['AnyOf', 'yes', 'no'] },
        },
      },
    },
    Outputs: {
      ProdOut: { Condition: 'IsProd', Value: 'p' },
      Always: { Value: { 'Fn::If': ['IsProd', 'P', 'D'] } },
    },
  });

  it('takes the true branches and keeps conditional resources when the condition holds', () => {
    const stack = load(template('prod'));
    expect(stack.resources.get('Subject')!.properties).toEqual({ Mode: 'big', Maybe: 'there', List: ['a', 'b', 'c'], Both: 'yes', Any: 'yes' });
    expect(stack.resources.has('ProdOnly')).toBe(true);
    expect(stack.outputs.map((o) => o.OutputKey)).toEqual(['ProdOut', 'Always']);
  });

  it('removes NoValue keys and array elements, and omits resources and outputs whose condition is false', () => {
    const stack = load(template('dev'));
    const p = stack.resources.get('Subject')!.properties;
    expect(p).toEqual({ Mode: 'small', List: ['a', 'c'], Both: 'no', Any: 'no' });
    expect('Maybe' in p).toBe(false);
    expect(stack.resources.has('ProdOnly')).toBe(false);
    expect(stack.outputs).toEqual([{ OutputKey: 'Always', OutputValue: 'D' }]);
  });

  it('lets supplied parameter values override defaults', () => {
    const stack = load(template('dev'), { parameters: { Env: 'prod' } });
    expect(stack.resources.has('ProdOnly')).toBe(true);
    expect(stack.parameters).toEqual([{ ParameterKey: 'Env', ParameterValue: 'prod' }]);
  });

  it('refuses a Ref to a resource whose condition is false', () => {
    const t = template('dev');
    const broken: Template = { ...t, Resources: { ...t.Resources, User: { Type: 'Custom::X', Properties: { T: { Ref: 'ProdOnly' } } } } };
    expect(() => load(broken)).toThrow(/User: Properties\.T\.Ref: refers to ProdOnly, which is not created because its condition IsProd is false/);
  });

  it('reports an unknown condition', () => {
    expect(() => load({ Resources: { Subject: { Type: 'Custom::X', Properties: { A: { 'Fn::If': ['Nope', 1, 2] } } } } })).toThrow(/unknown condition Nope/);
  });
});

describe('Fn::FindInMap', () => {
  const mappings = { RegionMap: { 'us-east-1': { Ami: 'ami-1', Zones: ['a', 'b'] } } };
  it('looks values up, including lists', () => {
    const p = props({
      Mappings: mappings,
      Resources: {
        Subject: {
          Type: 'Custom::X',
          Properties: { Ami: { 'Fn::FindInMap': ['RegionMap', { Ref: 'AWS::Region' }, 'Ami'] }, Zones: { 'Fn::FindInMap': ['RegionMap', 'us-east-1', 'Zones'] } },
        },
      },
    });
    expect(p).toEqual({ Ami: 'ami-1', Zones: ['a', 'b'] });
  });

  it('reports a missing key', () => {
    expect(() => load({ Mappings: mappings, Resources: { Subject: { Type: 'Custom::X', Properties: { A: { 'Fn::FindInMap': ['RegionMap', 'eu-west-1', 'Ami'] } } } } })).toThrow(
      /mapping RegionMap has no eu-west-1\.Ami/,
    );
  });
});

describe('Parameters', () => {
  it('uses defaults, splits list types, and resolves the CDK BootstrapVersion SSM parameter to its default', () => {
    const p = props({
      Parameters: {
        Size: { Type: 'Number', Default: 3 },
        Names: { Type: 'CommaDelimitedList', Default: 'a, b' },
        BootstrapVersion: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/cdk-bootstrap/hnb659fds/version' },
      },
      Resources: { Subject: { Type: 'Custom::X', Properties: { S: { Ref: 'Size' }, N: { Ref: 'Names' }, B: { Ref: 'BootstrapVersion' } } } },
    });
    expect(p).toEqual({ S: '3', N: ['a', 'b'], B: '/cdk-bootstrap/hnb659fds/version' });
  });

  it('names a parameter without default and without a value', () => {
    expect(() => load({ Parameters: { Secret: { Type: 'String' } }, Resources: {} })).toThrow(/Parameters\.Secret: .*parameter Secret has no Default/);
  });

  it('masks NoEcho parameters in the parameter list but resolves their value', () => {
    const stack = load({
      Parameters: { Token: { Type: 'String', Default: 'secret', NoEcho: true }, Plain: { Type: 'String', Default: 'p' } },
      Resources: { Subject: { Type: 'Custom::X', Properties: { T: { Ref: 'Token' } } } },
    });
    expect(stack.parameters).toEqual([
      { ParameterKey: 'Token', ParameterValue: '****' },
      { ParameterKey: 'Plain', ParameterValue: 'p' },
    ]);
    expect(stack.resources.get('Subject')!.properties.T).toBe('secret');
  });

  it('accepts the missing value from options', () => {
    const stack = load({ Parameters: { Secret: { Type: 'String' } }, Resources: { Subject: { Type: 'Custom::X', Properties: { S: { Ref: 'Secret' } } } } }, { parameters: { Secret: 's3cr3t' } });
    expect(stack.resources.get('Subject')!.properties.S).toBe('s3cr3t');
  });

  it('refuses a value outside AllowedValues and an undeclared parameter', () => {
    const template: Template = { Parameters: { Env: { Type: 'String', Default: 'dev', AllowedValues: ['dev', 'prod'] } }, Resources: {} };
    expect(() => load(template, { parameters: { Env: 'qa' } })).toThrow(/AllowedValues/);
    expect(() => load(template, { parameters: { Other: 'x' } })).toThrow(/parameter Other is not declared/);
  });
});

describe('unsupported features', () => {
  it('refuses Fn::ImportValue naming resource and path', () => {
    let error: unknown;
    try {
      load({ Resources: { Fn: { Type: 'Custom::X', Properties: { Environment: { Variables: { Q: { 'Fn::ImportValue': 'SharedQueueArn' } } } } } } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnsupportedTemplateError);
    const e = error as UnsupportedTemplateError;
    expect(e.logicalId).toBe('Fn');
    expect(e.propertyPath).toBe('Properties.Environment.Variables.Q.Fn::ImportValue');
    expect(e.message).toMatch(/"SharedQueueArn".*no stack served here exports it/);
  });

  it('refuses unknown intrinsics and transforms', () => {
    expect(() => load({ Resources: { Subject: { Type: 'Custom::X', Properties: { A: { 'Fn::Cidr': ['10.0.0.0/16', 2, 8] } } } } })).toThrow(/Fn::Cidr is not supported/);
    expect(() => load({ Transform: 'AWS::Serverless-2016-10-31', Resources: {} })).toThrow(/AWS::Serverless-2016-10-31/);
  });
});

describe('malformed templates', () => {
  it('names a resource without Type or with non-object Properties', () => {
    expect(() => load({ Resources: { NoType: { Properties: {} } as never } })).toThrow(/^NoType: Type: resource has no Type/);
    expect(() => load({ Resources: { Bad: { Type: 'Custom::X', Properties: 'oops' as never } } })).toThrow(/^Bad: Properties: Properties must be an object/);
  });

  it('reports a circular reference between resource names', () => {
    expect(() =>
      load({
        Resources: {
          A: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: { Ref: 'B' } } },
          B: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: { Ref: 'A' } } },
        },
      }),
    ).toThrow(/circular reference/);
  });
});
