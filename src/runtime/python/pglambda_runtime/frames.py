"""Frames of the channel to the service: mirrors src/runtime/frames.ts (the definition; change both together).

A frame is a 7-byte header (type u8, fields length u16 BE, payload length u32 BE), then the
fields, each a u16 BE byte length and UTF-8 text in a fixed order per type (empty = absent),
then the payload.
"""

import struct

READY = 1  # runtime -> service, no fields, once: init done; later each RESPONSE/ERROR also means ready
INVOKE = 2  # service -> runtime: requestId, deadlineMs, invokedFunctionArn, traceId, clientContext; payload the event
RESPONSE = 3  # runtime -> service: requestId; payload the result
ERROR = 4  # runtime -> service: requestId, errorType; payload the error JSON
INIT_ERROR = 5  # runtime -> service: errorType; payload the error JSON

HEADER = struct.Struct(">BHI")
MAX_FIELD_BYTES = 8192
_LENGTH = struct.Struct(">H")


def encode(frame_type, fields, payload=b""):
    parts = []
    for field in fields:
        raw = field.encode("utf-8")[:MAX_FIELD_BYTES]
        parts.append(_LENGTH.pack(len(raw)))
        parts.append(raw)
    encoded = b"".join(parts)
    return HEADER.pack(frame_type, len(encoded), len(payload)) + encoded + payload


def decode_fields(raw):
    fields, at = [], 0
    while at + 2 <= len(raw):
        (n,) = _LENGTH.unpack_from(raw, at)
        fields.append(raw[at + 2:at + 2 + n].decode("utf-8", "replace"))
        at += 2 + n
    return fields
