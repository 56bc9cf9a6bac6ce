"""The context object handed to a Python handler, shaped like awslambdaric's LambdaContext."""

import json
import os
import sys
import time

from .handler import Fault


class CognitoIdentity:
    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")


class Client:
    __slots__ = ("installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name")


class ClientContext:
    __slots__ = ("custom", "env", "client")


def _from_dict(cls, values):
    if values is None:
        return None
    obj = cls()
    for name in cls.__slots__:
        setattr(obj, name, values.get(name))
    return obj


def _parse_json(text, label):
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError as err:
        raise Fault("Runtime.LambdaContextUnmarshalError", "Unable to parse {} JSON: {}".format(label, err))


class LambdaContext:
    def __init__(self, invocation):
        env = os.environ
        self.aws_request_id = invocation.request_id
        self.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invocation.invoked_function_arn
        self.tenant_id = invocation.tenant_id
        self.client_context = _from_dict(ClientContext, _parse_json(invocation.client_context, "Client Context"))
        if self.client_context is not None:
            self.client_context.client = _from_dict(Client, self.client_context.client)
        identity = _parse_json(invocation.cognito_identity, "Cognito Identity") or {}
        self.identity = _from_dict(CognitoIdentity, {
            "cognito_identity_id": identity.get("cognitoIdentityId"),
            "cognito_identity_pool_id": identity.get("cognitoIdentityPoolId"),
        })
        self._deadline_ms = invocation.deadline_ms

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)

    def log(self, msg):
        sys.stdout.write(str(msg))

    def __repr__(self):
        fields = ("aws_request_id", "function_name", "function_version", "invoked_function_arn", "memory_limit_in_mb")
        return "LambdaContext(%s)" % ", ".join("%s=%s" % (f, getattr(self, f)) for f in fields)
