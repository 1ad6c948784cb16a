// CJS driver (Node): require() the installed package, run the shared smoke script, print one JSON
// line with the runtime and the file the exports map resolved to.
const pkg = require('tls-resumption');

import('./smoke.mjs').then(async ({ runtimeInfo, smoke }) => {
  const result = await smoke(pkg);
  console.log(JSON.stringify({ runtime: runtimeInfo(), entry: require.resolve('tls-resumption'), result }));
});
