"""HTTP client for the Lambda Runtime API (2018-06-01) over one keep-alive connection, for a process
started without the service's channel (channel.py)."""

import http.client

from .marshal import to_json

API = "/2018-06-01/runtime"
ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"
_STALE_CONNECTION = (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected)


class RuntimeApiGone(Exception):
    """The Runtime API cannot be reached: the environment is being shut down."""


class RuntimeApiError(Exception):
    """The Runtime API answered `/next` with something other than an event."""


class Invocation:
    """One event and what the Runtime API says about it; JSON texts stay text (the context parses them)."""

    __slots__ = ("request_id", "body", "content_type", "deadline_ms", "invoked_function_arn", "trace_id",
                 "client_context", "cognito_identity", "tenant_id")

    def __init__(self, request_id, body, content_type, deadline_ms, invoked_function_arn, trace_id,
                 client_context, cognito_identity=None, tenant_id=None):
        self.request_id, self.body, self.content_type = request_id, body, content_type
        self.deadline_ms, self.invoked_function_arn, self.trace_id = deadline_ms, invoked_function_arn, trace_id
        self.client_context, self.cognito_identity, self.tenant_id = client_context, cognito_identity, tenant_id


class RuntimeClient:
    def __init__(self, address):
        """`address` is AWS_LAMBDA_RUNTIME_API: `host:port` or `[v6]:port`."""
        host, _, port = address.rpartition(":")
        self._host, self._port = host.strip("[]"), int(port)
        self._conn = None

    def next(self):
        """Long-polls for the next event; there is deliberately no timeout."""
        status, headers, body = self._request("GET", API + "/invocation/next")
        request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        if status != 200 or not request_id:
            raise RuntimeApiError("Runtime API /invocation/next answered %d: %r" % (status, body[:200]))
        return Invocation(
            request_id,
            body,
            headers.get("Content-Type") or "application/json",
            int(headers.get("Lambda-Runtime-Deadline-Ms") or 0),
            headers.get("Lambda-Runtime-Invoked-Function-Arn"),
            headers.get("Lambda-Runtime-Trace-Id"),
            headers.get("Lambda-Runtime-Client-Context"),
            headers.get("Lambda-Runtime-Cognito-Identity"),
            headers.get("Lambda-Runtime-Aws-Tenant-Id"),
        )

    def post_response(self, request_id, payload, content_type):
        path = "%s/invocation/%s/response" % (API, request_id)
        self._request("POST", path, payload, {"Content-Type": content_type})

    def post_error(self, request_id, error):
        self._post_error("%s/invocation/%s/error" % (API, request_id), error)

    def post_init_error(self, error):
        self._post_error(API + "/init/error", error)

    def _post_error(self, path, error):
        error_type = "".join(c for c in error["errorType"] if " " <= c <= "~")
        headers = {"Content-Type": "application/json", ERROR_TYPE_HEADER: error_type}
        self._request("POST", path, to_json(error).encode("utf-8"), headers)

    # Statuses of posts are not checked: a refused response (e.g. 413) is the service's to report
    # to the caller, and the runtime carries on with the next event either way.
    def _request(self, method, path, body=None, headers=None):
        for attempt in (1, 2):
            reused = self._conn is not None
            if not reused:
                self._conn = http.client.HTTPConnection(self._host, self._port)
            try:
                self._conn.request(method, path, body, headers or {})
                response = self._conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as err:
                self._conn.close()
                self._conn = None
                # The server may drop an idle keep-alive connection just as we reuse it; one
                # retry on a fresh connection tells that race apart from a server that is gone.
                if reused and attempt == 1 and isinstance(err, _STALE_CONNECTION):
                    continue
                raise RuntimeApiGone(err) from err
            if response.will_close:
                self._conn.close()
                self._conn = None
            return response.status, response.headers, data
