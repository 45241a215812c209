// The action runner of the faasx DigitalOcean Functions emulator for nodejs actions: one process per action
// instance, like one OpenWhisk container. Same protocol as python_launcher.py: one JSON request per stdin line, one
// answer per stdout line prefixed with the nonce from FAASX_OW_NONCE, the sentinel on stderr after each answer;
// every other output line is the action's log.
'use strict';
const fs = require('fs');
const path = require('path');
const readline = require('readline');

const SENTINEL = 'XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX';
const NONCE = process.env.FAASX_OW_NONCE || '';
delete process.env.FAASX_OW_NONCE;
let mainFunction = null;

function answer(message) {
  fs.writeSync(1, NONCE + JSON.stringify(message) + '\n');
  fs.writeSync(2, SENTINEL + '\n');
}

function init(request) {
  for (const [k, v] of Object.entries(request.env || {})) process.env[k] = String(v);
  const dir = path.dirname(request.entry);
  process.chdir(dir);
  const mod = require(request.entry);
  const name = request.main || 'main';
  const fn = typeof mod === 'function' && name === 'main' ? mod : (mod && mod[name]);
  if (typeof fn !== 'function') throw new Error("the action has no function named '" + name + "'");
  mainFunction = fn;
}

async function run(request) {
  for (const [k, v] of Object.entries(request.env || {})) process.env[k] = String(v);
  let result;
  try {
    result = await mainFunction(request.value || {});
  } catch (e) {
    console.error(e && e.stack ? e.stack : String(e));
    return {ok: true, result: {error: e && e.message ? e.message : String(e)}};
  }
  if (result === null || typeof result !== 'object' || Array.isArray(result)) {
    return {ok: false, error: 'The action did not return a dictionary.'};
  }
  return {ok: true, result: result};
}

const lines = readline.createInterface({input: process.stdin, terminal: false});
let queue = Promise.resolve();
lines.on('line', (line) => {
  queue = queue.then(async () => {
    const request = JSON.parse(line);
    if (request.op === 'init') {
      try {
        init(request);
        answer({ok: true});
      } catch (e) {
        console.error(e && e.stack ? e.stack : String(e));
        answer({ok: false, error: 'The action failed during initialization: ' + (e && e.message ? e.message : e)});
      }
    } else if (request.op === 'run') {
      answer(await run(request));
    } else {
      answer({ok: false, error: 'unknown operation ' + request.op});
    }
  });
});
lines.on('close', () => queue.then(() => process.exit(0)));
