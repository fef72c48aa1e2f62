"""One Lambda execution environment: imports the handler once, then serves invocations, warm.

Run as a script by :mod:`localcloud.lambda_runtime.runtime` (it imports nothing from localcloud, so
a cold start costs one interpreter start) as ``worker.py <server pid> <function name>``. Protocol:
each request on stdin and each answer on the original stdout is one JSON line of metadata whose
``payload_length`` counts the raw payload bytes that follow it (the payload is never escaped into
a JSON string and parsed twice); what the handler prints or logs is captured per invocation.

It dies with the server, even one killed with SIGKILL while the handler is busy (a busy handler
never reads its closed stdin): first thing, on Linux, it asks the kernel for SIGKILL when its
parent dies, then checks that its parent is still the server that started it (the server may
have died before the request took effect). Elsewhere a watchdog thread checks the parent twice a
second.
"""

import ctypes
import importlib
import json
import logging
import os
import resource
import signal
import sys
import threading
import time
import traceback


def _die_with_the_server() -> None:
    """Arm the parent-death signal (Linux) or a watchdog (elsewhere); exit if the server that
    started this worker is gone already."""
    try:
        server_pid = int(sys.argv[1])
    except (IndexError, ValueError):
        return  # started by hand: no server to follow
    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0) == 0:
            if os.getppid() != server_pid:
                os._exit(1)  # the server died before the signal was armed
            return

    def watch() -> None:
        while os.getppid() == server_pid:
            time.sleep(0.5)
        os._exit(1)

    if os.getppid() != server_pid:
        os._exit(1)
    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


_die_with_the_server()  # before anything else runs, the handler's import above all


class _Capture:
    """sys.stdout/sys.stderr stand-in that keeps what the handler writes."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def take(self) -> str:
        text, self.parts = "".join(self.parts), []
        return text


class _LambdaFormatter(logging.Formatter):
    """``[LEVEL]\\t<UTC time>\\t<request id>\\t<message>``, as the Python runtime logs."""

    request_id = ""

    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        stamp += f".{int(record.msecs):03d}Z"
        text = f"[{record.levelname}]\t{stamp}\t{self.request_id}\t{record.getMessage()}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


class LambdaContext:
    """The context object handed to the handler (the attributes of AWS's Python runtime)."""

    def __init__(self, request: dict) -> None:
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = request["invoked_function_arn"]
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.aws_request_id = request["request_id"]
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = None
        self.client_context = request.get("client_context")
        self._deadline_ms = request["deadline_ms"]

    def get_remaining_time_in_millis(self) -> int:
        return max(int(self._deadline_ms - time.time() * 1000), 0)


def _error(message: str, error_type: str, request_id: str = "", stack: list | None = None) -> dict:
    return {
        "errorMessage": message,
        "errorType": error_type,
        "requestId": request_id,
        "stackTrace": stack or [],
    }


def _load_handler(spec: str):
    """(handler, None) or (None, the error AWS's runtime reports for a bad handler)."""
    try:
        module_name, func_name = spec.rsplit(".", 1)
    except ValueError:
        return None, _error(
            f"Bad handler '{spec}': not enough values to unpack (expected 2, got 1)",
            "Runtime.MalformedHandlerName",
        )
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except SyntaxError as exc:
        return None, _error(
            f"Syntax error in module '{module_name}': {exc}", "Runtime.UserCodeSyntaxError"
        )
    except ImportError as exc:
        return None, _error(
            f"Unable to import module '{module_name}': {exc}", "Runtime.ImportModuleError"
        )
    except Exception as exc:  # the module raised while loading
        return None, _error(
            f"Unable to import module '{module_name}': {exc}", "Runtime.ImportModuleError"
        )
    handler = getattr(module, func_name, None)
    if handler is None:
        return None, _error(
            f"Handler '{func_name}' missing on module '{module_name}'", "Runtime.HandlerNotFound"
        )
    return handler, None


def main() -> None:
    requests = sys.stdin.buffer
    answers = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)  # output written below Python (C extensions) goes to the server's log
    capture = _Capture()
    sys.stdout = sys.stderr = capture
    formatter = _LambdaFormatter()
    log_handler = logging.StreamHandler(capture)
    log_handler.setFormatter(formatter)
    logging.getLogger().addHandler(log_handler)

    task_root = os.environ["LAMBDA_TASK_ROOT"]
    sys.path.insert(0, task_root)
    os.chdir(task_root)
    handler, init_error = _load_handler(os.environ["_HANDLER"])
    pending_log = capture.take()

    for line in requests:
        request = json.loads(line)
        event = requests.read(request["payload_length"])
        request_id = request["request_id"]
        formatter.request_id = request_id
        started = time.perf_counter()
        function_error = False
        if init_error is not None:
            payload = dict(init_error, requestId=request_id)
            function_error = True
            print(f"[ERROR] {payload['errorType']}: {payload['errorMessage']}")
        else:
            try:
                payload = handler(json.loads(event), LambdaContext(request))
            except Exception as exc:  # the handler's own failure: an Unhandled function error
                stack = traceback.format_list(traceback.extract_tb(exc.__traceback__)[1:])
                payload = _error(str(exc), type(exc).__name__, request_id, stack)
                function_error = True
                print(
                    f"[ERROR] {type(exc).__name__}: {exc}\nTraceback (most recent call last):\n"
                    + "".join(stack),
                    end="",
                )
        try:
            text = json.dumps(payload)
        except (TypeError, ValueError) as exc:
            text = json.dumps(
                _error(f"Unable to marshal response: {exc}", "Runtime.MarshalError", request_id)
            )
            function_error = True
        duration_ms = (time.perf_counter() - started) * 1000
        log = pending_log + capture.take()
        pending_log = ""
        body = text.encode()
        answer = {
            "payload_length": len(body),
            "function_error": function_error,
            "log": log,
            "duration_ms": duration_ms,
            "max_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        }
        _write_all(answers, json.dumps(answer).encode() + b"\n" + body)


def _write_all(stream, data: bytes) -> None:
    """Write every byte (an unbuffered write may take only part of a large answer)."""
    view = memoryview(data)
    while view:
        view = view[stream.write(view) :]


if __name__ == "__main__":
    main()
