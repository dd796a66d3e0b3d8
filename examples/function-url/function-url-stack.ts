import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import { FunctionUrlAuthType, HttpMethod } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import { nodejsFunctionDefaults } from '../../lib/destined-function.js';
import { acknowledgeFunctionDefaults } from '../../lib/nag-acknowledgements.js';

const HANDLERS = fileURLToPath(new URL('./lambda/', import.meta.url));

/** Props of {@link FunctionUrlStack}. */
export interface FunctionUrlStackProps extends StackProps {
  /**
   * Origins a browser page may call the public URL from (CORS `AllowOrigins`).
   * @default ['http://localhost:5173'] (a local web app's dev server)
   */
  readonly allowedOrigins?: readonly string[];
  /**
   * How long a browser may cache a preflight answer (CORS `MaxAge`).
   * @default Duration.minutes(5)
   */
  readonly corsMaxAge?: Duration;
}

/**
 * Two functions behind Lambda function URLs:
 * - `PublicFunction` on a URL with `AuthType NONE` and CORS for the allowed
 *   origins; it shows how Lambda maps the function's result to HTTP (a plain
 *   object, a full response with status, headers and cookies, a binary body);
 * - `PrivateFunction` on a URL with `AuthType AWS_IAM`: only SigV4-signed
 *   requests of a principal allowed `lambda:InvokeFunctionUrl` reach it.
 */
export class FunctionUrlStack extends Stack {
  public constructor(scope: Construct, id: string, props: FunctionUrlStackProps = {}) {
    super(scope, id, props);
    const allowedOrigins = props.allowedOrigins ?? ['http://localhost:5173'];
    if (allowedOrigins.length === 0) throw new Error('FunctionUrlStack: allowedOrigins must name at least one origin');
    for (const origin of allowedOrigins) {
      if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) {
        throw new Error(`FunctionUrlStack: allowedOrigins entries must be scheme://host[:port] without a path, got ${JSON.stringify(origin)}`);
      }
    }
    const maxAge = props.corsMaxAge ?? Duration.minutes(5);

    const publicFunction = this.handler('PublicFunction', 'public.ts', 'Answers the public function URL: JSON, custom responses, binary bodies');
    const publicUrl = publicFunction.addFunctionUrl({
      authType: FunctionUrlAuthType.NONE,
      cors: {
        allowedOrigins: [...allowedOrigins],
        allowedMethods: [HttpMethod.GET, HttpMethod.POST],
        allowedHeaders: ['content-type', 'x-request-id'],
        exposedHeaders: ['x-request-id'],
        maxAge,
      },
    });

    const privateFunction = this.handler('PrivateFunction', 'private.ts', 'Answers the IAM-authenticated function URL with who called it');
    const privateUrl = privateFunction.addFunctionUrl({ authType: FunctionUrlAuthType.AWS_IAM });

    new CfnOutput(this, 'PublicUrl', { value: publicUrl.url, description: 'The public function URL (AuthType NONE, CORS)' });
    new CfnOutput(this, 'PrivateUrl', { value: privateUrl.url, description: 'The IAM-authenticated function URL (AuthType AWS_IAM): sign requests with SigV4, service lambda' });
    new CfnOutput(this, 'PrivateFunctionArn', { value: privateFunction.functionArn, description: 'Grant lambda:InvokeFunctionUrl on this ARN to call the private URL' });
  }

  /** A Node.js 22 arm64 function bundled by the local esbuild as minified ESM, with its own log group, as the root app's functions. */
  private handler(id: string, entry: string, description: string): NodejsFunction {
    const logGroup = new LogGroup(this, `${id}Logs`, { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const fn = new NodejsFunction(this, id, {
      description,
      ...nodejsFunctionDefaults(),
      entry: `${HANDLERS}${entry}`,
      timeout: Duration.seconds(10),
      logGroup,
    });
    acknowledgeFunctionDefaults(fn);
    return fn;
  }
}
