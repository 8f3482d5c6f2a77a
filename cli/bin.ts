#!/usr/bin/env node
// `npx cmm ...`: runs on the Node 24 this package pins (npx puts node_modules/.bin first on PATH),
// which runs TypeScript directly (type stripping).
import { run } from './main.ts';

process.exitCode = await run(process.argv.slice(2));
