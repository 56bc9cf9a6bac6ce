/**
 * A deployment package Lambda would refuse. Kept free of the HTTP layer so packages can be vetted
 * anywhere (CLI, tests); the API maps `awsCode` and `status` onto Lambda's exceptions.
 */
export class CodePackageError extends Error {
  override readonly name = 'CodePackageError';

  constructor(
    readonly awsCode: string,
    message: string,
    readonly status = 400,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  static invalid(message: string, options?: ErrorOptions): CodePackageError {
    return new CodePackageError('InvalidParameterValueException', message, 400, options);
  }
}
