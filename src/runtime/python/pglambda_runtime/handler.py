"""Loading `_HANDLER` (`module.function`, module may be a dotted or slashed path) and shaping errors."""

import importlib
import os
import sys
import traceback

from .notes import note_import_error

# Frames of the runtime itself are cut from the top of user-facing stack traces.
_RUNTIME_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


class Fault(Exception):
    """A failure the runtime classifies itself, under a `Runtime.*` error type."""

    def __init__(self, error_type, message, trace=None):
        super().__init__(message)
        self.error_type, self.message, self.trace = error_type, message, trace


def load_handler(handler):
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as err:
        raise Fault("Runtime.MalformedHandlerName", "Bad handler '{}': {}".format(handler, err))
    if module_name.split(".")[0] in sys.builtin_module_names:
        raise Fault("Runtime.BuiltInModuleConflict", "Cannot use built-in module {} as a handler module".format(module_name))
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as err:
        note_import_error(err)
        raise Fault("Runtime.ImportModuleError", "Unable to import module '{}': {}".format(module_name, err))
    except SyntaxError as err:
        trace = ['  File "%s" Line %s\n    %s' % (err.filename, err.lineno, err.text)]
        raise Fault("Runtime.UserCodeSyntaxError", "Syntax error in module '{}': {}".format(module_name, err), trace)
    try:
        return getattr(module, function_name)
    except AttributeError:
        raise Fault("Runtime.HandlerNotFound", "Handler '{}' missing on module '{}'".format(function_name, module_name))


def make_error(message, error_type, stack_trace, request_id=""):
    """The body posted to `/error` and `/init/error` (init errors carry an empty requestId)."""
    return {"errorMessage": message or "", "errorType": error_type or "", "requestId": request_id, "stackTrace": stack_trace or []}


def error_from_exception(exc_info, request_id=""):
    error_type, value, tb = exc_info
    frames = traceback.extract_tb(tb)
    while frames and frames[0].filename.startswith(_RUNTIME_DIR):
        frames.pop(0)
    return make_error(str(value), error_type.__name__, traceback.format_list(frames), request_id)
