"""JSON encoding of results and error bodies, as AWS's Python runtime produces them."""

import decimal
import json
import os
import sys


class _Encoder(json.JSONEncoder):
    def default(self, o):
        # boto3 returns DynamoDB numbers as Decimal; AWS's runtime encodes them as JSON numbers.
        if isinstance(o, decimal.Decimal):
            return int(o) if o.is_finite() and o == o.to_integral_value() else float(o)
        return super().default(o)


def _keeps_unicode():
    """AWS's python3.12+ runtimes stopped escaping non-ASCII characters in results."""
    env = os.environ.get("AWS_EXECUTION_ENV", "")
    version = env.rpartition("python")[2] if "python" in env else "%d.%d" % sys.version_info[:2]
    try:
        return tuple(int(part) for part in version.split(".")[:2]) >= (3, 12)
    except ValueError:
        return False


to_json = _Encoder(ensure_ascii=not _keeps_unicode()).encode
