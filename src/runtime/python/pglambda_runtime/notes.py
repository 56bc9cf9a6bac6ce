"""Notes in the function's log where this machine's Python differs from AWS's runtime, each said
once per process: another Python version than the runtime's, and the AWS SDK, which AWS's
runtimes include and which here comes from the machine's Python or the deployment package, so a
handler may find none, or one too old to read AWS_ENDPOINT_URL.
"""

import os
import platform
import sys

_SDK = ("boto3", "botocore")
# botocore reads AWS_ENDPOINT_URL from 1.31 (boto3 1.28) on.
_ENDPOINT_URL_SINCE = (1, 31)
_said = set()


def _say(key, text):
    if key in _said:
        return
    _said.add(key)
    sys.stdout.write("pglambda: %s\n" % text)


def _python():
    return "Python %s (%s)" % (platform.python_version(), sys.executable)


def note_python_version():
    """As the service does for Node: `python3.12` running on another Python says which."""
    runtime = os.environ.get("AWS_EXECUTION_ENV", "").replace("AWS_Lambda_", "", 1)
    if runtime.startswith("python") and runtime != "python%d.%d" % sys.version_info[:2]:
        _say("version", "%s runs on this machine's %s" % (runtime, _python()))


def note_import_error(err):
    """Called with any exception a handler raised, at init or invoke."""
    name = getattr(err, "name", None) or ""
    if not isinstance(err, ImportError) or name.split(".")[0] not in _SDK:
        return
    _say("missing", "%s is not importable on %s, which runs this function; AWS's runtime includes it. "
         "Install it for that Python (Debian: apt-get install python3-boto3) "
         "or add it to the deployment package (pip install boto3 -t DIR)" % (name.split(".")[0], _python()))


def note_old_botocore():
    """Called after the handler loaded and after each invocation: cheap until botocore is imported."""
    botocore = sys.modules.get("botocore")
    if botocore is None or "old" in _said or not os.environ.get("AWS_ENDPOINT_URL"):
        return
    try:
        version = tuple(int(part) for part in botocore.__version__.split(".")[:2])
    except (AttributeError, ValueError):
        return
    if version < _ENDPOINT_URL_SINCE:
        _say("old", "botocore %s on %s ignores AWS_ENDPOINT_URL (read from 1.31 on): its clients call AWS, not pglambda, "
             "unless given endpoint_url=os.environ['AWS_ENDPOINT_URL']; a newer boto3 in the deployment package "
             "reads it" % (botocore.__version__, _python()))
