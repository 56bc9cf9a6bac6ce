/**
 * What the bridge answers instead of a row, in the words Aurora uses where it has any. Each carries
 * its SQLSTATE; the wire layer turns it into an ErrorResponse that dblink re-raises in the caller's
 * session. The full table is in the README.
 */
export class BridgeError extends Error {
  constructor(
    readonly sqlstate: string,
    message: string,
    readonly detail?: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** An argument of `aws_lambda.invoke` that Lambda would refuse, caught before any call. */
export class InvalidArgument extends BridgeError {
  constructor(message: string, hint?: string) {
    super('22023', message, undefined, hint);
  }
}

/** Lambda or the way to it failed: Aurora's `invoke API failed`. */
export class InvokeApiFailed extends BridgeError {
  constructor(
    clientMessage: string,
    hint?: string,
    /** The AWS error code behind it, when Lambda or STS gave one (metrics count throttles by it). */
    readonly awsCode?: string,
  ) {
    super('58000', 'invoke API failed', `AWS Lambda client returned '${clientMessage}'`, hint);
  }
}

/** For a call cut short after the request was sent (a timeout): as aws_lambda says for a lost connection. */
export const MAY_HAVE_RUN = 'The request was sent: the function may have run.';

/** The function ran and reported an error: Aurora's `lambda invocation failed`. */
export class LambdaInvocationFailed extends BridgeError {
  constructor(functionArn: string, functionError: string, details: string) {
    super('38000', 'lambda invocation failed', `"${functionArn}" returned error "${functionError}", details: "${details}".`);
  }
}
