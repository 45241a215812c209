# The action runner of the faasx DigitalOcean Functions emulator: one process per action instance, like one
# OpenWhisk container. It loads the action once (init) and runs it for each activation (run), so module state
# survives between warm activations as it does on the platform.
#
# Protocol with the emulator: one JSON request per stdin line; each answer is one stdout line that starts with the
# nonce given in FAASX_OW_NONCE. Every other stdout line and every stderr line is the action's log. After each
# answer the sentinel line is written on stderr, so the emulator knows that the activation's logs are complete.
import importlib.util
import json
import os
import sys
import traceback

SENTINEL = "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX"
NONCE = os.environ.pop("FAASX_OW_NONCE", "")

# The action must not read the protocol: it gets an empty stdin.
protocol_in = os.fdopen(os.dup(0), "r", encoding="utf-8")
_null = os.open(os.devnull, os.O_RDONLY)
os.dup2(_null, 0)
os.close(_null)
sys.stdin = open(os.devnull, "r")

main_function = None


def answer(message):
    sys.stdout.flush()
    sys.stderr.flush()
    os.write(1, (NONCE + json.dumps(message) + "\n").encode("utf-8"))
    os.write(2, (SENTINEL + "\n").encode("utf-8"))


def init(request):
    global main_function
    entry = request["entry"]
    for key, value in request.get("env", {}).items():
        os.environ[key] = str(value)
    directory = os.path.dirname(entry)
    os.chdir(directory)
    sys.path.insert(0, directory)
    spec = importlib.util.spec_from_file_location("main__", entry)
    module = importlib.util.module_from_spec(spec)
    sys.modules["main__"] = module
    spec.loader.exec_module(module)
    name = request.get("main") or "main"
    function = getattr(module, name, None)
    if not callable(function):
        raise AttributeError("the action has no function named '" + name + "'")
    main_function = function


def run(request):
    for key, value in request.get("env", {}).items():
        os.environ[key] = str(value)
    try:
        result = main_function(request.get("value", {}))
    except Exception as e:
        traceback.print_exc()
        return {"ok": True, "result": {"error": str(e) or type(e).__name__}}
    if not isinstance(result, dict):
        return {"ok": False, "error": "The action did not return a dictionary."}
    try:
        json.dumps(result)
    except (TypeError, ValueError) as e:
        return {"ok": False, "error": "The action did not produce a valid JSON response: " + str(e)}
    return {"ok": True, "result": result}


for line in protocol_in:
    request = json.loads(line)
    op = request.get("op")
    if op == "init":
        try:
            init(request)
            answer({"ok": True})
        except BaseException as e:
            traceback.print_exc()
            answer({"ok": False, "error": "The action failed during initialization: " + (str(e) or type(e).__name__)})
    elif op == "run":
        answer(run(request))
    else:
        answer({"ok": False, "error": "unknown operation " + str(op)})
