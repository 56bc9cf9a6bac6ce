"""Lambda's log output for Python: unbuffered stdout, `logging` records tagged with the request
id in Text or JSON format (AWS_LAMBDA_LOG_FORMAT), and the one-record form of uncaught errors."""

import logging
import sys
import time

from .marshal import to_json

NBSP = "\u00a0"
TEXT_FORMAT = "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s"

_request_id = ""
# Everything a LogRecord carries by itself; anything else on a record came in through `extra=`.
_RECORD_FIELDS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "aws_request_id"}


def set_request_id(request_id):
    global _request_id
    _request_id = request_id


class Unbuffered:
    """Flushes every write, so print() output reaches the log before the invoke ends."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text):
        self._stream.write(text)
        self._stream.flush()

    def writelines(self, lines):
        self._stream.writelines(lines)
        self._stream.flush()

    def __getattr__(self, name):
        return getattr(self._stream, name)


class _RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _request_id
        return True


class _StdoutHandler(logging.Handler):
    def emit(self, record):
        try:
            # One record stays one line even when the message or a traceback spans several.
            sys.stdout.write(self.format(record).replace("\n", "\r") + "\n")
        except Exception:
            self.handleError(record)


class _JsonFormatter(logging.Formatter):
    def format(self, record):
        out = {
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created)),
            "level": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
            "requestId": record.aws_request_id,
        }
        if record.exc_info:
            out["errorType"] = record.exc_info[0].__name__
            out["errorMessage"] = str(record.exc_info[1])
            out["stackTrace"] = self.formatException(record.exc_info).splitlines()
        out.update((k, v) for k, v in vars(record).items() if k not in _RECORD_FIELDS and k not in out)
        return to_json({k: v for k, v in out.items() if v is not None})


def setup_logging(log_format, log_level):
    """Root logger as on AWS: our handler only; its level stays WARNING unless AWS_LAMBDA_LOG_LEVEL says."""
    handler = _StdoutHandler()
    handler.addFilter(_RequestIdFilter())
    if log_format == "JSON":
        handler.setFormatter(_JsonFormatter())
    else:
        formatter = logging.Formatter(TEXT_FORMAT, "%Y-%m-%dT%H:%M:%S")
        formatter.converter = time.gmtime
        handler.setFormatter(formatter)
    root = logging.getLogger()
    root.addHandler(handler)
    level = logging.getLevelName({"TRACE": "DEBUG"}.get(log_level, log_level))
    if isinstance(level, int):
        root.setLevel(level)


def log_error(error, log_format):
    """Logs an error the runtime reports: one record, `[ERROR] Type: message` plus the traceback."""
    if log_format == "JSON":
        record = {"timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "log_level": "ERROR"}
        record.update(error)
        sys.stdout.write(to_json(record) + "\n")
        return
    head = "[ERROR] " + error["errorType"]
    if error["errorMessage"]:
        head += ": " + error["errorMessage"]
    lines = [head, "Traceback (most recent call last):"]
    for element in error["stackTrace"]:
        for line in element.splitlines():
            # CloudWatch trims leading spaces; non-breaking ones keep the traceback's indentation.
            indent = len(line) - len(line.lstrip(" "))
            lines.append(NBSP * indent + line[indent:])
    sys.stdout.write("\r".join(lines) + "\n")
