#!/usr/bin/env node
// The `ked` command. The TypeScript sources are compiled by `npm ci` (the `prepare` script).
const path = require('node:path');
const fs = require('node:fs');
const entry = path.join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
if (!fs.existsSync(entry)) {
  console.error('ked: not built yet; run `npm run build` in ' + path.join(__dirname, '..'));
  process.exit(1);
}
require(entry).main(process.argv).catch((err) => {
  console.error(`ked: ${err && err.message ? err.message : err}`);
  process.exit(1);
});
