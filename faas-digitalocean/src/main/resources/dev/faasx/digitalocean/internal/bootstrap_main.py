# Written by faasx: the entry point of a DigitalOcean Functions (OpenWhisk python) action that runs the native
# `bootstrap` beside it. The action's arguments are the faasx invoke request; the bootstrap gets that request as JSON
# on stdin and answers on stdout; its answer becomes the action's result. A failed job is returned with an "error"
# field, so the platform records it as an application error.
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BOOTSTRAP = os.path.join(HERE, "bootstrap")
# Files the zip marks executable; unzipping on the platform may drop the modes.
EXECUTABLES = __EXECUTABLES__
WARM = "faasx_warm"

for _path in EXECUTABLES:
    _file = os.path.join(HERE, _path)
    if os.path.isfile(_file):
        os.chmod(_file, 0o755)

_worker = None


def _persistent():
    return os.environ.get("FAASX_WORKER_MODE", "process").lower() == "persistent"


def _answer(returncode, out):
    try:
        answer = json.loads(out.decode("utf-8"))
    except ValueError:
        return {"error": "the bootstrap exited with status %d without a JSON answer" % returncode}
    if not isinstance(answer, dict):
        return {"error": "the bootstrap answered JSON that is not an object"}
    if answer.get("success") is False:
        message = answer.get("error")
        if not isinstance(message, str) or not message:
            message = "the function failed without a message"
        return {"error": message, "faasx": answer}
    answer.pop("error", None)
    return answer


def _start_worker():
    global _worker
    env = dict(os.environ)
    env["FAASX_WORKER_MODE"] = "persistent"
    _worker = subprocess.Popen([BOOTSTRAP], cwd=HERE, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    ready = _worker.stdout.readline()
    try:
        ok = json.loads(ready.decode("utf-8")).get("faasx_worker") == "ready"
    except ValueError:
        ok = False
    if not ok:
        _worker.kill()
        _worker = None
        raise RuntimeError("the bootstrap did not start as a persistent worker")


def _run_persistent(request):
    global _worker
    if _worker is None or _worker.poll() is not None:
        _start_worker()
    _worker.stdin.write(request + b"\n")
    _worker.stdin.flush()
    line = _worker.stdout.readline()
    if not line:
        code = _worker.wait()
        _worker = None
        return {"error": "the persistent bootstrap exited with status %d" % code}
    return _answer(0, line)


def main(args):
    if args.get(WARM) is True and len(args) == 1:
        if _persistent() and (_worker is None or _worker.poll() is not None):
            _start_worker()
        return {WARM: True}
    request = json.dumps(args, separators=(",", ":")).encode("utf-8")
    if _persistent():
        return _run_persistent(request)
    done = subprocess.run([BOOTSTRAP], cwd=HERE, input=request, stdout=subprocess.PIPE)
    return _answer(done.returncode, done.stdout)
