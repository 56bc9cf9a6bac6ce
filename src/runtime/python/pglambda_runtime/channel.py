"""The runtime's end of the framed channel the service opens on `_PGLAMBDA_CHANNEL_FD`
(frames.py): once Ready, then per invoke one frame in with the event and one out with the outcome."""

import io
import os

from . import frames
from .client import Invocation, RuntimeApiGone
from .marshal import to_json

# Events are bounded by the Invoke API (6 MiB); a larger frame means a confused peer.
MAX_EVENT_BYTES = 16 * 1024 * 1024


class ChannelClient:
    def __init__(self, fd):
        self._fd = fd
        # The function's subprocesses must not hold our end open.
        os.set_inheritable(fd, False)
        self._reader = io.open(fd, "rb", buffering=65536, closefd=False)
        self._ready_sent = False

    def next(self):
        # Ready goes once; after it, each posted outcome tells the service we wait for the next event.
        if not self._ready_sent:
            self._ready_sent = True
            self._write(frames.encode(frames.READY, ()))
        while True:
            frame_type, fields, payload = self._read_frame()
            if frame_type == frames.INVOKE:
                request_id, deadline_ms, arn, trace_id, client_context = (fields + [""] * 5)[:5]
                return Invocation(request_id, payload, "application/json", int(deadline_ms or 0), arn or None,
                                  trace_id or None, client_context or None)

    def post_response(self, request_id, payload, content_type):
        self._write(frames.encode(frames.RESPONSE, (request_id,), payload))

    def post_error(self, request_id, error):
        self._write(frames.encode(frames.ERROR, (request_id, error["errorType"]), to_json(error).encode("utf-8")))

    def post_init_error(self, error):
        self._write(frames.encode(frames.INIT_ERROR, (error["errorType"],), to_json(error).encode("utf-8")))

    def _read_frame(self):
        header = self._read(frames.HEADER.size)
        frame_type, fields_length, payload_length = frames.HEADER.unpack(header)
        if payload_length > MAX_EVENT_BYTES:
            raise RuntimeApiGone("the service sent a frame of %d bytes" % payload_length)
        fields = frames.decode_fields(self._read(fields_length))
        return frame_type, fields, self._read(payload_length)

    def _read(self, n):
        try:
            data = self._reader.read(n) if n else b""
        except OSError as err:
            raise RuntimeApiGone(err) from err
        if len(data) < n:
            raise RuntimeApiGone("the channel closed")
        return data

    def _write(self, data):
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(self._fd, view):]
        except OSError as err:
            raise RuntimeApiGone(err) from err
