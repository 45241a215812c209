// Drives the emulator with the official OpenWhisk JavaScript client: create, invoke (result only and whole record),
// read the activation and its logs, list, get a missing action, delete. Prints what it saw as one JSON line.
const openwhisk = require('openwhisk');
const ow = openwhisk({apihost: process.argv[2], api_key: process.argv[3], namespace: '_'});
(async () => {
  await ow.actions.update({name: 'greet', action: "def main(args):\n    return {'hi': 'hello ' + args.get('name', '?')}\n", kind: 'python:3.11'});
  const result = await ow.actions.invoke({name: 'greet', blocking: true, result: true, params: {name: 'js'}});
  const act = await ow.actions.invoke({name: 'greet', blocking: true, params: {name: 'again'}});
  const fetched = await ow.activations.get({name: act.activationId});
  const logs = await ow.activations.logs({name: act.activationId});
  const list = await ow.actions.list();
  let missing;
  try { await ow.actions.get({name: 'nope'}); } catch (e) { missing = e.statusCode; }
  await ow.actions.delete({name: 'greet'});
  console.log(JSON.stringify({result, status: fetched.response.status, logs, names: list.map(a => a.name), missing}));
})().catch(e => { console.error('FAILED', e.message); process.exit(1); });
