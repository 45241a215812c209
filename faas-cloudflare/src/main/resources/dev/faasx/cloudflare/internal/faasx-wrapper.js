// faasx wrapper around a user's Worker. The executor prepends a line that imports the user's main module as
// `userModule`, and one that re-exports the user's Durable Object classes (a Worker's classes must be exported by its
// main module). It speaks the invoke JSON of the faasx spec (v1 plus extensions) on POST, answers GET
// /__faasx/health, enforces the configured timeout, and writes one Analytics Engine data point per invocation.
//
// Data point layout (dataset from the FAASX_ANALYTICS binding):
//   index1  request id (x-faasx-request-id, or a random UUID)
//   blob1   script name      blob2 outcome (success | failure | timeout | invalid | unauthorized)
//   blob3   cold | warm      blob4 job id   blob5 call id   blob6 deployment id
//   double1 wall time in ms as the isolate's clock saw it   double2 HTTP status   double3 1 when cold
//   double4 request payload bytes   double5 result payload bytes

const user = userModule.default ?? userModule;
const REQUEST_ID = "x-faasx-request-id";
const MAX_ERROR = 4096;
const TIMED_OUT = Symbol("timed out");
// False until this isolate has served its first request. An invocation that finds it false is the isolate's first
// request: a cold start. A health request (deploy's readiness probe, warm()) starts the isolate too, so the
// invocations after it are warm.
let served = false;

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === "/__faasx/health") {
      const warm = served;
      served = true;
      return json(200, { status: "healthy", deployment_id: env.FAASX_DEPLOYMENT_ID ?? null,
        script: env.FAASX_SCRIPT ?? null, warm });
    }
    const requestId = request.headers.get(REQUEST_ID) || crypto.randomUUID();
    // A WebSocket upgrade goes to the user's fetch() (for example to hand it to a Durable Object), once the caller
    // has shown the invocation secret.
    if ((request.headers.get("upgrade") ?? "").toLowerCase() === "websocket") {
      if (!(await authorized(request, env))) {
        return json(401, { error: "missing or wrong x-faasx-secret header", code: "UNAUTHORIZED" }, requestId);
      }
      if (!user || typeof user.fetch !== "function") {
        return json(426, { error: "the Worker exports no fetch() to take WebSocket upgrades", code: "INVALID_REQUEST" },
          requestId);
      }
      return user.fetch(request, env, ctx);
    }
    if (request.method !== "POST") {
      return json(405, { error: "invoke with POST and an invoke request as JSON", code: "INVALID_REQUEST" },
        requestId);
    }
    if (!(await authorized(request, env))) {
      record(env, requestId, "unauthorized", false, "", "", 0, 401, 0, 0);
      return json(401, { error: "missing or wrong x-faasx-secret header", code: "UNAUTHORIZED" }, requestId);
    }
    const cold = !served;
    served = true;
    const started = Date.now();
    let call;
    try {
      call = parseInvoke(await request.text());
    } catch (e) {
      record(env, requestId, "invalid", cold, "", "", Date.now() - started, 400, 0, 0);
      return json(400, { error: "invalid invoke request: " + messageOf(e), code: "INVALID_REQUEST" }, requestId);
    }
    const timeoutMs = Number(env.FAASX_TIMEOUT_MS) > 0 ? Number(env.FAASX_TIMEOUT_MS) : 0;
    let output, failure;
    try {
      output = await withTimeout(runUser(call, env, ctx), timeoutMs);
    } catch (e) {
      failure = e;
    }
    const wallMs = Date.now() - started;
    const base = { job_id: call.jobIdJson };
    if (call.callId !== undefined) base.call_id = call.callId;
    base.execution_ms = wallMs;
    base.cold_start = cold;
    let status, body, outcome, resultBytes = 0;
    if (output === TIMED_OUT) {
      status = 504;
      outcome = "timeout";
      body = { error: `the function did not finish within ${timeoutMs} ms`, code: "TIMEOUT",
        details: { timeout_secs: String(Math.ceil(timeoutMs / 1000)) }, success: false, ...base };
    } else if (failure !== undefined) {
      status = 500;
      outcome = "failure";
      body = { ...base, success: false, error: messageOf(failure) };
      if (failure && typeof failure.name === "string") body.error_type = failure.name;
      putResult(body, new Uint8Array(0), call.base64);
    } else {
      status = 200;
      outcome = "success";
      body = { ...base, success: true };
      putResult(body, output.body, call.base64);
      if (output.metadata && Object.keys(output.metadata).length > 0) body.metadata = output.metadata;
      resultBytes = output.body.byteLength;
    }
    record(env, requestId, outcome, cold, call.jobIdText, call.callId ?? "", wallMs, status, call.args.byteLength,
      resultBytes);
    return json(status, body, requestId);
  },
};

function json(status, body, requestId) {
  const headers = { "content-type": "application/json" };
  if (requestId) headers[REQUEST_ID] = requestId;
  return new Response(JSON.stringify(body), { status, headers });
}

async function authorized(request, env) {
  const expected = env.FAASX_INVOKE_SECRET;
  if (!expected) return true;
  const given = request.headers.get("x-faasx-secret") ?? "";
  const enc = new TextEncoder();
  // Compare digests in constant time, so neither the content nor the length of the secret leaks.
  const [a, b] = await Promise.all([crypto.subtle.digest("SHA-256", enc.encode(given)),
    crypto.subtle.digest("SHA-256", enc.encode(expected))]);
  return crypto.subtle.timingSafeEqual(a, b);
}

// Reads {"job_id":N,"args":[..]|"args_base64":"..","call_id"?,"metadata"?}; job ids keep all 64 bits.
function parseInvoke(text) {
  // The reviver sees every numeric "job_id" with its source text; keep the one whose holder is the top object.
  const sources = new Map();
  const parsed = JSON.parse(text, function (key, value, context) {
    if (key === "job_id" && typeof value === "number" && context && context.source) {
      sources.set(this, context.source);
    }
    return value;
  });
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not a JSON object");
  if (typeof parsed.job_id !== "number") throw new Error("job_id must be a number");
  const jobIdText = sources.get(parsed) ?? (Number.isSafeInteger(parsed.job_id) ? String(parsed.job_id) : null);
  if (jobIdText === null || !/^-?\d+$/.test(jobIdText)) throw new Error("job_id must be a whole number");
  const jobIdJson = typeof JSON.rawJSON === "function" ? JSON.rawJSON(jobIdText) : parsed.job_id;
  let args, base64 = false;
  if (typeof parsed.args_base64 === "string") {
    args = fromBase64(parsed.args_base64);
    base64 = true;
  } else if (Array.isArray(parsed.args)) {
    args = new Uint8Array(parsed.args.length);
    parsed.args.forEach((b, i) => {
      if (!Number.isInteger(b) || b < 0 || b > 255) throw new Error(`args[${i}] is not a byte (0-255)`);
      args[i] = b;
    });
  } else {
    throw new Error("args (an array of bytes) or args_base64 is required");
  }
  let callId;
  if (parsed.call_id !== undefined && parsed.call_id !== null) {
    if (typeof parsed.call_id !== "string" || parsed.call_id === "") throw new Error("call_id must be a string");
    callId = parsed.call_id;
  }
  const metadata = {};
  if (parsed.metadata !== undefined && parsed.metadata !== null) {
    if (typeof parsed.metadata !== "object" || Array.isArray(parsed.metadata)) {
      throw new Error("metadata must be an object");
    }
    for (const [k, v] of Object.entries(parsed.metadata)) {
      if (typeof v !== "string") throw new Error(`metadata.${k} must be a string`);
      metadata[k] = v;
    }
  }
  return { jobIdText, jobIdJson, args, base64, callId, metadata };
}

async function runUser(call, env, ctx) {
  if (user && typeof user.job === "function") {
    const out = await user.job({ jobId: call.jobIdText, body: call.args, metadata: { ...call.metadata },
      callId: call.callId ?? null }, env, ctx);
    return normalise(out);
  }
  if (user && typeof user.fetch === "function") {
    const headers = new Headers({ "x-faasx-job-id": call.jobIdText,
      "x-faasx-metadata": encodeURIComponent(JSON.stringify(call.metadata)) });
    if (call.callId !== undefined) headers.set("x-faasx-call-id", call.callId);
    const response = await user.fetch(new Request("https://faasx.invalid/invoke", { method: "POST", headers,
      body: call.args }), env, ctx);
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (response.status < 200 || response.status > 299) {
      const text = new TextDecoder().decode(bytes).slice(0, MAX_ERROR);
      const error = new Error(text || `the Worker answered HTTP ${response.status}`);
      error.name = `HTTP ${response.status}`;
      throw error;
    }
    const meta = response.headers.get("x-faasx-metadata");
    return { body: bytes, metadata: meta ? stringMap(JSON.parse(decodeURIComponent(meta))) : {} };
  }
  throw new Error("the Worker's main module exports neither job() nor fetch()");
}

function normalise(out) {
  if (out === undefined || out === null) return { body: new Uint8Array(0), metadata: {} };
  if (typeof out === "string" || out instanceof ArrayBuffer || ArrayBuffer.isView(out)) {
    return { body: toBytes(out), metadata: {} };
  }
  if (typeof out === "object" && "body" in out) {
    return { body: toBytes(out.body ?? new Uint8Array(0)), metadata: stringMap(out.metadata ?? {}) };
  }
  throw new Error("job() must return bytes, a string, or {body, metadata}");
}

function toBytes(v) {
  if (typeof v === "string") return new TextEncoder().encode(v);
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  throw new Error("a body must be a string, an ArrayBuffer or a typed array");
}

function stringMap(m) {
  const out = {};
  for (const [k, v] of Object.entries(m)) {
    if (typeof v !== "string") throw new Error(`metadata value of ${k} must be a string`);
    out[k] = v;
  }
  return out;
}

async function withTimeout(promise, ms) {
  if (!ms) return promise;
  let timer;
  const expired = new Promise((resolve) => { timer = setTimeout(() => resolve(TIMED_OUT), ms); });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

function putResult(body, bytes, base64) {
  if (base64) body.result_base64 = toBase64(bytes);
  else body.result = Array.from(bytes);
}

function fromBase64(s) {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function toBase64(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

function messageOf(e) {
  const text = e instanceof Error ? e.message : String(e);
  return (text || "the function failed without a message").slice(0, MAX_ERROR);
}

function record(env, requestId, outcome, cold, jobId, callId, wallMs, status, argsBytes, resultBytes) {
  const dataset = env.FAASX_ANALYTICS;
  if (!dataset) return;
  try {
    dataset.writeDataPoint({
      indexes: [requestId.slice(0, 96)],
      blobs: [env.FAASX_SCRIPT ?? "", outcome, cold ? "cold" : "warm", jobId, callId, env.FAASX_DEPLOYMENT_ID ?? ""],
      doubles: [wallMs, status, cold ? 1 : 0, argsBytes, resultBytes],
    });
  } catch (e) {
    console.error("faasx: could not write the Analytics Engine data point: " + messageOf(e));
  }
}
