import {
  AccessLogFormat,
  AuthorizationType,
  AwsIntegration,
  EndpointType,
  LogGroupLogDestination,
  MethodLoggingLevel,
  PassthroughBehavior,
  RequestValidator,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** The one stage's name, a literal so names derived from it need no Ref to the stage (which depends on them). */
export const STAGE_NAME = 'prod';

/** Props of {@link SendEventApi}. */
export interface SendEventApiProps {
  /** The topic `GET /SendEvent` publishes to. */
  readonly topic: ITopic;
  /** Steady-state requests per second of the `prod` stage. */
  readonly throttlingRateLimit: number;
  /** Burst (token bucket size) of the `prod` stage. */
  readonly throttlingBurstLimit: number;
  /**
   * Retention of the access-log group.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logGroupRetention?: RetentionDays;
}

/**
 * The request mapping template: turns `GET /SendEvent?mode=x` into an SNS
 * Query-protocol `Publish` form body with the message `{"mode":"x"}`.
 *
 * `mode` is JSON-escaped (escapeJavaScript, then its `\'` turned back into
 * `'`, which JSON does not allow escaped) so a `"` cannot break the JSON, and
 * every value is URL-encoded so `mode=a&TargetArn=...` cannot add form
 * parameters. One line without newlines: the form body must not start with
 * whitespace, whatever the engine does with newlines after directives.
 */
export function publishRequestTemplate(topicArn: string): string {
  return [
    `#set($q = '"')`,
    `#set($mode = $util.escapeJavaScript($input.params('mode')).replaceAll("\\\\'","'"))`,
    '#set($message = "{${q}mode${q}:${q}${mode}${q}}")',
    `Action=Publish&TargetArn=$util.urlEncode('${topicArn}')&Message=$util.urlEncode($message)`,
  ].join('');
}

/** 200: SNS's JSON `Publish` answer reduced to the ids a caller needs. */
export const PUBLISH_SUCCESS_TEMPLATE =
  `{"messageId":"$input.path('$.PublishResponse.PublishResult.MessageId')",` +
  `"requestId":"$input.path('$.PublishResponse.ResponseMetadata.RequestId')"}`;

/** 4xx/5xx: SNS's JSON error (`{"Error":{"Code","Message","Type"},"RequestId"}`) as a small JSON body. */
export const PUBLISH_ERROR_TEMPLATE =
  `{"error":{"code":"$input.path('$.Error.Code')",` +
  `"message":"$util.escapeJavaScript($input.path('$.Error.Message')).replaceAll("\\\\'","'")"},` +
  `"requestId":"$input.path('$.RequestId')"}`;

/**
 * REST API with one method, `GET /SendEvent[?mode=...]`, integrated directly
 * with SNS `Publish` (no Lambda in between). The integration URI is built by
 * `AwsIntegration`, so it follows the stack's region and partition.
 */
export class SendEventApi extends Construct {
  /** The REST API; `api.url` is the `prod` stage's base URL. */
  public readonly api: RestApi;
  /** The role API Gateway assumes to call `sns:Publish`. */
  public readonly publishRole: Role;
  /** The `prod` stage's access-log group. */
  public readonly accessLogGroup: LogGroup;
  /** The `prod` stage's execution-log group, `API-Gateway-Execution-Logs_<apiId>/prod`. */
  public readonly executionLogGroup: LogGroup;

  public constructor(scope: Construct, id: string, props: SendEventApiProps) {
    super(scope, id);

    this.accessLogGroup = new LogGroup(this, 'AccessLogs', {
      retention: props.logGroupRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.api = new RestApi(this, 'Api', {
      restApiName: 'the-destined-lambda',
      description: 'The Destined Lambda: GET /SendEvent publishes {"mode": ...} to SNS',
      endpointTypes: [EndpointType.REGIONAL],
      // Execution logging needs the account-level CloudWatch role.
      cloudWatchRole: true,
      deployOptions: {
        stageName: STAGE_NAME,
        throttlingRateLimit: props.throttlingRateLimit,
        throttlingBurstLimit: props.throttlingBurstLimit,
        accessLogDestination: new LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: MethodLoggingLevel.ERROR,
        // Request/response bodies stay out of the logs.
        dataTraceEnabled: false,
        metricsEnabled: true,
      },
    });

    // API Gateway creates this group itself on first use, with no retention and
    // outside the stack, so `cdk destroy` would leave it behind forever. Owning
    // it, and creating it before the stage can log, gives it a retention and a lifecycle.
    this.executionLogGroup = new LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${STAGE_NAME}`,
      retention: props.logGroupRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api.deploymentStage.node.addDependency(this.executionLogGroup);

    this.publishRole = new Role(this, 'PublishRole', {
      assumedBy: new ServicePrincipal('apigateway.amazonaws.com'),
      description: 'Lets API Gateway publish to the destined topic, and nothing else',
    });
    props.topic.grantPublish(this.publishRole);

    const integration = new AwsIntegration({
      service: 'sns',
      path: '/',
      integrationHttpMethod: 'POST',
      options: {
        credentialsRole: this.publishRole,
        passthroughBehavior: PassthroughBehavior.NEVER,
        requestParameters: {
          'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'",
          // SNS answers JSON instead of XML, so the response templates can use $input.path.
          'integration.request.header.Accept': "'application/json'",
        },
        // A GET has no body and no Content-Type; API Gateway then uses application/json.
        requestTemplates: { 'application/json': publishRequestTemplate(props.topic.topicArn) },
        integrationResponses: [
          {
            statusCode: '200',
            responseTemplates: { 'application/json': PUBLISH_SUCCESS_TEMPLATE },
          },
          {
            statusCode: '400',
            selectionPattern: '4\\d{2}',
            responseTemplates: { 'application/json': PUBLISH_ERROR_TEMPLATE },
          },
          {
            statusCode: '500',
            selectionPattern: '5\\d{2}',
            responseTemplates: { 'application/json': PUBLISH_ERROR_TEMPLATE },
          },
        ],
      },
    });

    const validator = new RequestValidator(this, 'ParamsValidator', {
      restApi: this.api,
      requestValidatorName: 'validate-request-parameters',
      validateRequestParameters: true,
      // A no-op for this body-less GET without a request model, but it keeps
      // the validator valid for any method later added with a model.
      validateRequestBody: true,
    });

    this.api.root.addResource('SendEvent').addMethod('GET', integration, {
      authorizationType: AuthorizationType.NONE,
      requestParameters: { 'method.request.querystring.mode': false },
      requestValidator: validator,
      methodResponses: [{ statusCode: '200' }, { statusCode: '400' }, { statusCode: '500' }],
    });
  }
}
