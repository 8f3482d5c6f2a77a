/**
 * Bundles one Lambda: `tsx scripts/bundle-lambda.ts <entry> <outdir>` writes `<outdir>/index.mjs` and
 * its source map with the options of infra/bundling.ts. The CDK app's ServiceFunction runs it from its
 * local bundling step (CDK's bundling hook is synchronous; esbuild's plugins need the asynchronous API,
 * so the build runs in this child process).
 */
import { bundleLambda } from '#infra/bundling.ts';

const [entry, outdir] = process.argv.slice(2);
if (!entry || !outdir) {
  console.error('usage: tsx scripts/bundle-lambda.ts <entry> <outdir>');
  process.exit(2);
}
await bundleLambda(entry, outdir);
