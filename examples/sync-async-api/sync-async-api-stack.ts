import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  PassthroughBehavior,
  RequestValidator,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';

/** The repository root: the example builds with its node_modules and lock file. */
const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The one stage's name. */
export const STAGE_NAME = 'prod';

/** Lets ESM bundles load CommonJS dependencies that call `require` (as the root app's functions do). */
const CREATE_REQUIRE_BANNER =
  "import { createRequire as __topLevelCreateRequire } from 'node:module';const require = __topLevelCreateRequire(import.meta.url);";

/**
 * Request template: the path and query values as JSON strings (escaped, so a
 * `"` cannot break the JSON), which the function checks itself.
 *
 * A value that is not a decimal number switches the call to synchronous with
 * `$context.requestOverride`, which applies after the `X-Amz-Invocation-Type`
 * parameter mapping
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-override-request-response-parameters.html):
 * the function's `BadRequest` error can then become the 400 even when the
 * client asked for `InvocationType: Event`, instead of a 202 followed by
 * retries of a request that can never succeed.
 */
export const SQUARE_REQUEST_TEMPLATE = [
  "#set($number = $input.params('number'))",
  "#if(!$number.matches('-?[0-9]+([.][0-9]+)?'))#set($context.requestOverride.header['X-Amz-Invocation-Type'] = 'RequestResponse')#end",
  `{"number":"$util.escapeJavaScript($number).replaceAll("\\\\'","'")",` +
    `"mode":"$util.escapeJavaScript($input.params('mode')).replaceAll("\\\\'","'")"}`,
].join('\n');

/** What the API answers an asynchronous call with, at once. */
export const EVENT_RECEIVED_MESSAGE = 'Event received. The square goes to the on-success queue.';

/**
 * Default integration response (no error): Lambda answers an `Event` invoke
 * with 202 and an empty body
 * (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html), which a
 * mapping template sees as `{}` (API Gateway maps an empty request payload to
 * the empty object; both spellings are tested so the template does not depend
 * on the response side doing the same); a synchronous call returns
 * `{"square": n}`. The async answer becomes a 202 with the message through
 * `$context.responseOverride.status`.
 */
export const SQUARE_RESPONSE_TEMPLATE = [
  "#if($input.body == '' || $input.body == '{}')",
  '#set($context.responseOverride.status = 202)',
  `{"message":"${EVENT_RECEIVED_MESSAGE}"}`,
  '#else',
  "$input.json('$')",
  '#end',
].join('\n');

/** A Lambda error as `{"message": errorMessage}`. */
export const ERROR_RESPONSE_TEMPLATE = `{"message":"$util.escapeJavaScript($input.path('$.errorMessage')).replaceAll("\\\\'","'")"}`;

/**
 * For a Lambda integration, SelectionPattern is matched against the error's
 * `errorMessage`; a call without a function error takes the default response
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-integration-responses.html).
 * The two patterns do not overlap, so their order does not matter.
 */
export const BAD_REQUEST_PATTERN = 'BadRequest: [\\s\\S]*';
export const FUNCTION_ERROR_PATTERN = '(?!BadRequest: )[\\s\\S]+';

/** Props of {@link SyncAsyncApiStack}. */
export interface SyncAsyncApiStackProps extends StackProps {
  /**
   * Retries of a failed asynchronous invocation (0-2) before its record goes to the on-failure queue.
   * @default 2
   */
  readonly retryAttempts?: number;
  /**
   * How long Lambda keeps trying an asynchronous event (60 s - 6 h).
   * @default Duration.hours(6)
   */
  readonly maxEventAge?: Duration;
  /**
   * Retention of the function's and the API's log groups.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
}

/**
 * `GET /square/{number}` on a REST API with a non-proxy (AWS) Lambda
 * integration. The client's `InvocationType` header is mapped to
 * `X-Amz-Invocation-Type`: `Event` runs the function asynchronously (the API
 * answers 202 at once, the result goes to an SQS on-success destination, a
 * failure after the retries to an on-failure queue); anything else runs it
 * synchronously and answers `{"square": n*n}`.
 */
export class SyncAsyncApiStack extends Stack {
  public readonly api: RestApi;
  public readonly fn: NodejsFunction;
  public readonly successQueue: Queue;
  public readonly failureQueue: Queue;

  public constructor(scope: Construct, id: string, props: SyncAsyncApiStackProps = {}) {
    super(scope, id, props);
    const retryAttempts = props.retryAttempts ?? 2;
    if (!Number.isInteger(retryAttempts) || retryAttempts < 0 || retryAttempts > 2) {
      throw new Error(`SyncAsyncApiStack ${id}: retryAttempts must be 0, 1 or 2, got ${retryAttempts}`);
    }
    const retention = props.logRetention ?? RetentionDays.ONE_MONTH;

    this.successQueue = new Queue(this, 'SuccessQueue', { enforceSSL: true, encryption: QueueEncryption.SQS_MANAGED });
    this.failureQueue = new Queue(this, 'FailureQueue', { enforceSSL: true, encryption: QueueEncryption.SQS_MANAGED });

    const functionName = `${this.stackName}-square`;
    const logGroup = new LogGroup(this, 'SquareLogs', {
      logGroupName: `/aws/lambda/${functionName}`,
      retention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Bundled as the root app bundles its handlers: local esbuild (no Docker), minified ESM with a source map.
    this.fn = new NodejsFunction(this, 'Square', {
      functionName,
      description: 'Squares GET /square/{number}, synchronously or asynchronously',
      entry: fileURLToPath(new URL('./lambda/square.ts', import.meta.url)),
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      logGroup,
      environment: { NODE_OPTIONS: '--enable-source-maps' },
      // Asynchronous invocations only: SqsDestination also grants the role sqs:SendMessage on each queue.
      onSuccess: new SqsDestination(this.successQueue),
      onFailure: new SqsDestination(this.failureQueue),
      retryAttempts,
      ...(props.maxEventAge ? { maxEventAge: props.maxEventAge } : {}),
      projectRoot: REPOSITORY_ROOT,
      depsLockFilePath: `${REPOSITORY_ROOT}package-lock.json`,
      bundling: {
        format: OutputFormat.ESM,
        minify: true,
        sourceMap: true,
        mainFields: ['module', 'main'],
        banner: CREATE_REQUIRE_BANNER,
        forceDockerBundling: false,
        logLevel: LogLevel.WARNING,
      },
    });

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention, removalPolicy: RemovalPolicy.DESTROY });
    this.api = new RestApi(this, 'Api', {
      restApiName: `${this.stackName}-square`,
      description: 'GET /square/{number}: synchronous, or asynchronous with the header InvocationType: Event',
      endpointTypes: [EndpointType.REGIONAL],
      cloudWatchRole: true,
      deployOptions: {
        stageName: STAGE_NAME,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
      },
    });

    // LambdaIntegration also adds the function's resource policy: lambda:InvokeFunction for
    // apigateway.amazonaws.com from this method's execute-api ARN.
    const integration = new LambdaIntegration(this.fn, {
      proxy: false,
      requestParameters: {
        // https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-integration-async.html
        'integration.request.header.X-Amz-Invocation-Type': 'method.request.header.InvocationType',
      },
      // A GET has no body and no Content-Type; API Gateway then picks the application/json template.
      passthroughBehavior: PassthroughBehavior.NEVER,
      requestTemplates: { 'application/json': SQUARE_REQUEST_TEMPLATE },
      integrationResponses: [
        { statusCode: '200', responseTemplates: { 'application/json': SQUARE_RESPONSE_TEMPLATE } },
        { statusCode: '400', selectionPattern: BAD_REQUEST_PATTERN, responseTemplates: { 'application/json': ERROR_RESPONSE_TEMPLATE } },
        { statusCode: '500', selectionPattern: FUNCTION_ERROR_PATTERN, responseTemplates: { 'application/json': ERROR_RESPONSE_TEMPLATE } },
      ],
    });

    // Request validation checks parameters' presence, never their format, so the function checks
    // `number` (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html).
    const validator = new RequestValidator(this, 'ParamsValidator', {
      restApi: this.api,
      validateRequestParameters: true,
      // A no-op for this body-less GET without a model; cdk-nag (APIG2) asks for both.
      validateRequestBody: true,
    });
    this.api.root
      .addResource('square')
      .addResource('{number}')
      .addMethod('GET', integration, {
        authorizationType: AuthorizationType.NONE,
        requestValidator: validator,
        requestParameters: {
          'method.request.path.number': true,
          'method.request.header.InvocationType': false,
          'method.request.querystring.mode': false,
        },
        methodResponses: [{ statusCode: '200' }, { statusCode: '202' }, { statusCode: '400' }, { statusCode: '500' }],
      });

    new CfnOutput(this, 'SquareUrl', { value: this.api.urlForPath('/square'), description: 'GET <SquareUrl>/{number}' });
    new CfnOutput(this, 'SuccessQueueUrl', { value: this.successQueue.queueUrl });
    new CfnOutput(this, 'FailureQueueUrl', { value: this.failureQueue.queueUrl });
  }
}
