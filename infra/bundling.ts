/**
 * How every Lambda is bundled, in one place: the CDK app (ServiceFunction, through
 * scripts/bundle-lambda.ts) and the benches (bench/cold-start.ts) build with exactly these options.
 *
 * esbuild's JavaScript API rather than the CLI that CDK's NodejsFunction drives: the CLI takes no
 * plugins, and one is needed. nodemailer's MIME functions import a 76 KB table of file extensions and
 * MIME types (`mime-funcs/mime-types.js`) to guess a part's Content-Type from its file name, and the
 * reverse. Our mails never ask it to guess: functions/adapters/mime.ts gives every part an explicit
 * content type and every attachment a file name (and refuses an attachment without them), so the
 * table is dead weight that every mail-sending Lambda loaded at cold start, and it took the COP job's
 * bundle past 1 MB. The plugin below puts functions/adapters/mime-types.ts in its place: the same two
 * functions, which throw if nodemailer ever does need a guess (test/integration/bundled-mail.test.ts
 * sends a mail from the bundled code and compares it, byte for byte, with the unbundled one).
 */
import { type BuildOptions, build, type Plugin } from 'esbuild';
import { fromRepoRoot } from './paths.ts';

/**
 * Prepended to every ESM bundle: esbuild's ESM output has no `require`, yet bundled CommonJS
 * dependencies call it (toolchain.md gotcha 5). The import is aliased so it cannot clash with a
 * `createRequire` that esbuild itself hoists from a bundled dependency (esbuild does not see the banner).
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __bannerCreateRequire } from 'module'; const require = __bannerCreateRequire(import.meta.url);";

/** The stand-in for nodemailer's extension table (see the top of this file). */
export const MIME_TYPES_STAND_IN = fromRepoRoot('functions/adapters/mime-types.ts');

/** nodemailer's own table, wherever it is imported from inside the package (ESM or CommonJS build). */
const NODEMAILER_MIME_TYPES = /[\\/]nodemailer[\\/]dist[\\/](?:esm|cjs)[\\/]mime-funcs[\\/]mime-types\.js$/;

export const nodemailerMimeTypesStandIn: Plugin = {
  name: 'nodemailer-mime-types-stand-in',
  setup(bundler) {
    bundler.onResolve({ filter: /(?:^|[\\/])mime-types(?:\.js)?$/ }, async (args) => {
      if (args.pluginData === 'resolving') return undefined;
      const resolved = await bundler.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: 'resolving',
      });
      return NODEMAILER_MIME_TYPES.test(resolved.path) ? { path: MIME_TYPES_STAND_IN } : undefined;
    });
  },
};

/**
 * The esbuild options of every Lambda: ESM for Node.js 24, minified, a source map without the sources
 * (mappings suffice for --enable-source-maps stack traces), the createRequire banner, and the AWS SDK
 * bundled rather than taken from the runtime (the bundle then runs the exact @aws-sdk versions pinned in
 * package-lock.json and exercised by the tests, and keeps only the clients we import).
 */
export const LAMBDA_BUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  banner: { js: ESM_REQUIRE_BANNER },
  plugins: [nodemailerMimeTypesStandIn],
  logLevel: 'warning',
} as const satisfies BuildOptions;

/** The file a Lambda's bundle is written to (its handler is `index.handler`). */
export const BUNDLE_FILE = 'index.mjs';

/** Bundles `entry` (relative to the repository root, or absolute) into `outdir/index.mjs` (+ its map). */
export async function bundleLambda(entry: string, outdir: string): Promise<{ file: string; bytes: number }> {
  const outfile = `${outdir}/${BUNDLE_FILE}`;
  const result = await build({
    ...LAMBDA_BUILD_OPTIONS,
    entryPoints: [fromRepoRoot(entry)],
    outfile,
    metafile: true,
  });
  const output =
    result.metafile.outputs[Object.keys(result.metafile.outputs).find((f) => f.endsWith('.mjs'))!];
  return { file: outfile, bytes: output?.bytes ?? 0 };
}
