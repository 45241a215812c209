// The faasx compatibility protocol as a Worker (see dev.faasx.testkit.CompatibilityFunction): the body is echoed with
// the call's metadata, unless it starts with one of the ASCII commands below.
const FAIL = "faasx-kit:fail:";
const SLEEP = "faasx-kit:sleep:";
const ENV = "faasx-kit:env:";
const WINDOW = "faasx-kit:window:";
const MAX_SLEEP_MS = 900000;

function startsWith(bytes, prefix) {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) {
    if (bytes[i] !== prefix.charCodeAt(i)) return false;
  }
  return true;
}

function rest(bytes, prefix) {
  return new TextDecoder().decode(bytes.subarray(prefix.length));
}

export default {
  async job(call, env) {
    const echo = { body: call.body, metadata: call.metadata };
    if (startsWith(call.body, FAIL)) {
      throw new Error(rest(call.body, FAIL));
    }
    if (startsWith(call.body, SLEEP)) {
      const text = rest(call.body, SLEEP);
      if (!/^[0-9]{1,7}$/.test(text) || Number(text) > MAX_SLEEP_MS) {
        throw new Error(`faasx-kit:sleep needs whole milliseconds from 0 to ${MAX_SLEEP_MS}, got '${text}'`);
      }
      await new Promise((resolve) => setTimeout(resolve, Number(text)));
      return echo;
    }
    if (startsWith(call.body, WINDOW)) {
      const text = rest(call.body, WINDOW);
      if (!/^[0-9]{1,7}$/.test(text) || Number(text) > MAX_SLEEP_MS) {
        throw new Error(`faasx-kit:window needs whole milliseconds from 0 to ${MAX_SLEEP_MS}, got '${text}'`);
      }
      const start = Date.now();
      await new Promise((resolve) => setTimeout(resolve, Number(text)));
      return { body: `${start},${Date.now()}`, metadata: call.metadata };
    }
    if (startsWith(call.body, ENV)) {
      const name = rest(call.body, ENV);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        throw new Error(`faasx-kit:env needs an environment variable name, got '${name}'`);
      }
      const value = env[name];
      if (typeof value !== "string") {
        throw new Error(`environment variable ${name} is not set`);
      }
      return { body: value, metadata: call.metadata };
    }
    return echo;
  },
};
