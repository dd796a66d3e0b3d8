import { describe, expect, it } from 'vitest';
import { cdkFix, variableName, type DeniedGrant } from '../../../local/iam/cdk-fix.js';

const fn = (path: string) => ({ type: 'AWS::Lambda::Function', path });

describe('the CDK call that grants a denied permission', () => {
  it.each<[string, DeniedGrant, string | undefined]>([
    ['events:PutEvents on a bus', { action: 'events:PutEvents', target: { type: 'AWS::Events::EventBus', path: 'EventBus' }, grantee: fn('Destined/Function') }, 'eventBus.grantPutEventsTo(destinedFunction)'],
    ['sns:Publish by a role', { action: 'sns:Publish', target: { type: 'AWS::SNS::Topic', path: 'Topic' }, grantee: { type: 'AWS::IAM::Role', path: 'SendEventApi/PublishRole' } }, 'topic.grantPublish(sendEventApiPublishRole)'],
    ['actions in any case', { action: 'SNS:publish', target: { type: 'AWS::SNS::Topic', path: 'Alerts' }, grantee: fn('Worker') }, 'alerts.grantPublish(worker)'],
    ['sqs:SendMessage', { action: 'sqs:SendMessage', target: { type: 'AWS::SQS::Queue', path: 'Jobs/Queue' }, grantee: fn('Producer') }, 'jobsQueue.grantSendMessages(producer)'],
    ['lambda:InvokeFunction by a role', { action: 'lambda:InvokeFunction', target: fn('Logger/Function'), grantee: fn('Destined/Function') }, 'loggerFunction.grantInvoke(destinedFunction)'],
    ['an EventBridge rule target', { action: 'lambda:InvokeFunction', target: fn('SuccessLogger/Function'), grantee: { servicePrincipal: 'events.amazonaws.com' }, source: { type: 'AWS::Events::Rule', path: 'Rules/SuccessRule' } }, 'rulesSuccessRule.addTarget(new targets.LambdaFunction(successLoggerFunction))'],
    ['an SNS subscription', { action: 'lambda:InvokeFunction', target: fn('Destined/Function'), grantee: { servicePrincipal: 'sns.amazonaws.com' }, source: { type: 'AWS::SNS::Topic', path: 'Topic' } }, 'topic.addSubscription(new subscriptions.LambdaSubscription(destinedFunction))'],
    ['another service principal', { action: 'lambda:InvokeFunction', target: fn('Fn'), grantee: { servicePrincipal: 's3.amazonaws.com' } }, "fn.grantInvoke(new iam.ServicePrincipal('s3.amazonaws.com'))"],
    ['a function without log permissions', { action: 'logs:PutLogEvents', grantee: fn('SuccessLogger/Function') }, "successLoggerFunction.role!.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole'))"],
    ['a trust policy', { action: 'sts:AssumeRole', grantee: { servicePrincipal: 'apigateway.amazonaws.com' } }, "new iam.Role(this, '...', { assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com') })"],
    ['an EventBridge rule with an SQS target', { action: 'sqs:SendMessage', target: { type: 'AWS::SQS::Queue', path: 'Jobs' }, grantee: { servicePrincipal: 'events.amazonaws.com' }, source: { type: 'AWS::Events::Rule', path: 'Rule' } }, 'rule.addTarget(new targets.SqsQueue(jobs))'],
    ['an SNS subscription of a queue', { action: 'sqs:SendMessage', target: { type: 'AWS::SQS::Queue', path: 'Jobs' }, grantee: { servicePrincipal: 'sns.amazonaws.com' }, source: { type: 'AWS::SNS::Topic', path: 'Topic' } }, 'topic.addSubscription(new subscriptions.SqsSubscription(jobs))'],
    ['a service principal sending to a queue', { action: 'sqs:SendMessage', target: { type: 'AWS::SQS::Queue', path: 'Jobs' }, grantee: { servicePrincipal: 'events.amazonaws.com' } }, "jobs.grantSendMessages(new iam.ServicePrincipal('events.amazonaws.com'))"],
    ['an EventBridge rule with an SNS target', { action: 'sns:Publish', target: { type: 'AWS::SNS::Topic', path: 'Alerts' }, grantee: { servicePrincipal: 'events.amazonaws.com' }, source: { type: 'AWS::Events::Rule', path: 'Rule' } }, 'rule.addTarget(new targets.SnsTopic(alerts))'],
    ['an S3 bucket notifying a topic', { action: 'sns:Publish', target: { type: 'AWS::SNS::Topic', path: 'Alerts' }, grantee: { servicePrincipal: 's3.amazonaws.com' }, source: { type: 'AWS::S3::Bucket', path: 'Uploads' } }, 'uploads.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SnsDestination(alerts))'],
    ['a service principal publishing to a topic', { action: 'sns:Publish', target: { type: 'AWS::SNS::Topic', path: 'Alerts' }, grantee: { servicePrincipal: 's3.amazonaws.com' } }, "alerts.grantPublish(new iam.ServicePrincipal('s3.amazonaws.com'))"],
    ['nothing for a resource outside the stack', { action: 'sns:Publish', grantee: fn('Fn') }, undefined],
    ['nothing for an action the table lacks', { action: 'dynamodb:PutItem', target: { type: 'AWS::DynamoDB::Table', path: 'Table' }, grantee: fn('Fn') }, undefined],
  ])('%s', (_name, denied, expected) => {
    expect(cdkFix(denied)).toBe(expected);
  });

  it('names constructs as camel-case variables', () => {
    expect(variableName('Destined/Function')).toBe('destinedFunction');
    expect(variableName('my-api/Default/1st')).toBe('myApiDefault1st');
    expect(variableName('1Queue')).toBe('c1Queue');
  });
});
