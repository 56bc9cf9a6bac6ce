"""Entry point of a Python function's process (Python 3.9+, standard library only).

Run as `python3 bootstrap.py` with cwd and LAMBDA_TASK_ROOT set to the function's code, and the
service's framed channel on fd `_PGLAMBDA_CHANNEL_FD` (else the Runtime API over HTTP at
AWS_LAMBDA_RUNTIME_API):

1. Make stdout unbuffered and set up `logging` as AWS does.
2. Load `_HANDLER`; a failure is posted to `/runtime/init/error` and the process exits 1.
3. Loop: `/invocation/next`, call the handler, post its result or error.
4. Exit 0 once the Runtime API or the parent process (EOF on a stdin pipe) is gone.
"""

import json
import logging
import os
import stat
import sys
import threading

from pglambda_runtime.channel import ChannelClient
from pglambda_runtime.client import RuntimeApiError, RuntimeApiGone, RuntimeClient
from pglambda_runtime.context import LambdaContext
from pglambda_runtime.handler import Fault, error_from_exception, load_handler, make_error
from pglambda_runtime.logs import Unbuffered, log_error, set_request_id, setup_logging
from pglambda_runtime.marshal import to_json
from pglambda_runtime.notes import note_import_error, note_old_botocore, note_python_version

EXIT_SHUTDOWN = 0
EXIT_INIT_ERROR = 1
EXIT_RUNTIME_API_ERROR = 2
LOG_FORMAT = "JSON" if os.environ.get("AWS_LAMBDA_LOG_FORMAT", "").upper() == "JSON" else "TEXT"
UNHANDLED_WARNING = "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function code."


def handle(client, handler, invocation):
    request_id = invocation.request_id
    set_request_id(request_id)
    trace_id = invocation.trace_id
    if trace_id:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)
    try:
        context = LambdaContext(invocation)
        event = invocation.body
        if invocation.content_type == "application/json":
            try:
                event = json.loads(event)
            except ValueError as err:
                raise Fault("Runtime.UnmarshalError", "Unable to unmarshal input: {}".format(err))
        result = handler(event, context)
        if isinstance(result, bytes):
            payload, content_type = result, "application/unknown"
        else:
            try:
                payload, content_type = to_json(result).encode("utf-8"), "application/json"
            except Exception as err:
                raise Fault("Runtime.MarshalError", "Unable to marshal response: {}".format(err))
    except Fault as fault:
        error = make_error(fault.message, fault.error_type, fault.trace, request_id)
    except Exception:
        note_import_error(sys.exc_info()[1])
        error = error_from_exception(sys.exc_info(), request_id)
    else:
        note_old_botocore()
        client.post_response(request_id, payload, content_type)
        return
    note_old_botocore()
    log_error(error, LOG_FORMAT)
    client.post_error(request_id, error)


def exit_now(code):
    # os._exit, because sys.exit would wait for any non-daemon thread the function started.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def watch_parent():
    """The service spawns us with a stdin pipe it never writes; EOF there means it died."""
    try:
        mode = os.fstat(0).st_mode
    except OSError:
        return
    if not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)):
        return

    def wait_for_eof():
        while os.read(0, 4096):
            pass
        exit_now(EXIT_SHUTDOWN)

    threading.Thread(target=wait_for_eof, name="pglambda-parent-watch", daemon=True).start()


def connect():
    fd = os.environ.pop("_PGLAMBDA_CHANNEL_FD", None)
    if fd is None:
        return RuntimeClient(os.environ["AWS_LAMBDA_RUNTIME_API"])
    return ChannelClient(int(fd))


def load_or_exit(client):
    """Loads `_HANDLER`; a failure is logged and posted as an init error, then the process exits."""
    try:
        return load_handler(os.environ.get("_HANDLER", ""))
    except Fault as fault:
        error = make_error(fault.message, fault.error_type, fault.trace)
    except Exception:
        error = error_from_exception(sys.exc_info())
    logging.warning(UNHANDLED_WARNING)
    log_error(error, LOG_FORMAT)
    client.post_init_error(error)
    exit_now(EXIT_INIT_ERROR)


def main():
    sys.stdout = Unbuffered(sys.stdout)
    sys.stderr = Unbuffered(sys.stderr)
    task_root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    # The function's modules win over everything, including this directory (sys.path[0]).
    sys.path[0:1] = [task_root]
    setup_logging(LOG_FORMAT, os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper())
    note_python_version()
    watch_parent()
    client = connect()
    try:
        handler = load_or_exit(client)
        note_old_botocore()
        while True:
            handle(client, handler, client.next())
    except RuntimeApiGone:
        exit_now(EXIT_SHUTDOWN)
    except RuntimeApiError as err:
        sys.stderr.write("pglambda runtime: %s\n" % err)
        exit_now(EXIT_RUNTIME_API_ERROR)


if __name__ == "__main__":
    main()
