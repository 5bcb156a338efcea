/**
 * Last step of `npm run build`: bundles the compiled API (dist/src/main.js and everything it
 * imports) into one file, dist/src/main.bundle.js, which is what `npm run start:api`, `npm start`
 * and the Docker image run.
 *
 * Why: on Node 20 most of the API's cold start is module loading, and most of that is the ESM
 * packages of Nest 12, which Node 20 loads file by file through its ESM loader with no compile
 * cache. One bundled CommonJS file starts ~30 % faster (bench/RESULTS.md, api-startup). The worker
 * and the CLI still run unbundled: their start time matters less than being simple to debug.
 *
 * What stays outside the bundle, required from node_modules at run time:
 * - native addons (argon2, sharp, pg-native) and the SDKs the service loads on first use (Stripe,
 *   the S3 client, BullMQ, jwks-rsa; see the eslint rule that keeps them lazy) with ioredis, which
 *   BullMQ shares with us;
 * - optional packages Nest and TypeORM probe for and we do not install;
 * - packages that use files beside their own at run time: swagger-ui-dist (served from its
 *   directory), pino, thread-stream and pino-pretty (transports run in worker threads started
 *   from files).
 * The bundle lives beside main.js, so every `__dirname`-relative path (migrations) is unchanged.
 *
 * One copy of each package: @nestjs/typeorm and @nestjs/mapped-types load typeorm, class-validator
 * and class-transformer through `createRequire(import.meta.url)`, which esbuild cannot follow. Left
 * as is, they would load second copies from node_modules at run time: slower, and a second
 * class-transformer metadata registry that PartialType/OmitType would copy @Transform rules from
 * (test/processes.e2e-spec.ts checks this). The plugin below turns those calls into plain
 * `require`s, which esbuild bundles.
 */
import { build, Plugin } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const OUTSIDE_THE_BUNDLE = [
  'argon2', 'sharp', 'pg-native',
  'stripe', '@aws-sdk/*', 'bullmq', 'ioredis', 'jwks-rsa',
  // Used from their own directories at run time (pino's transports: LOG_PRETTY in development).
  'swagger-ui-dist', 'pino', 'thread-stream', 'pino-pretty',
  // Probed for by Nest and TypeORM's driver factory, never installed here.
  '@nestjs/microservices', '@nestjs/microservices/*', '@nestjs/websockets', '@nestjs/websockets/*', '@nestjs/platform-express',
  '@fastify/view', 'mysql', 'mysql2', 'oracledb', 'better-sqlite3', 'sqlite3', 'sql.js', 'mssql', 'mongodb',
  '@sap/hana-client', '@sap/hana-client/*', 'hdb-pool', 'react-native-sqlite-storage', 'typeorm-aurora-data-api-driver',
  '@google-cloud/spanner', 'redis',
  // @nestjs/mapped-types' fallback for class-transformer < 0.5 (it finds class-transformer/cjs/storage first).
  'class-transformer/storage',
];

const PACKAGES_USING_CREATE_REQUIRE = /[\\/]node_modules[\\/]@nestjs[\\/](typeorm|mapped-types)[\\/].*\.js$/;
const CREATE_REQUIRE_LINE = /^const require = createRequire\(import\.meta\.url\);$/m;

const requireThroughTheBundle: Plugin = {
  name: 'require-through-the-bundle',
  setup(build) {
    build.onLoad({ filter: PACKAGES_USING_CREATE_REQUIRE }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!CREATE_REQUIRE_LINE.test(source)) return undefined;
      return { contents: source.replace(CREATE_REQUIRE_LINE, '').replace(/^import \{ createRequire \} from 'node:module';$/m, ''), loader: 'js' };
    });
  },
};

async function bundleApi(distSrc: string): Promise<void> {
  const outfile = join(distSrc, 'main.bundle.js');
  await build({
    entryPoints: [join(distSrc, 'main.js')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: OUTSIDE_THE_BUNDLE,
    plugins: [requireThroughTheBundle],
    // Nest resolves providers by class reference, but its logs and error messages use class names.
    minify: true,
    keepNames: true,
    logLevel: 'warning',
    // The ESM Nest packages call createRequire(import.meta.url); in a CommonJS bundle that is this file.
    banner: { js: "const __bundle_import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
    define: { 'import.meta.url': '__bundle_import_meta_url' },
  });
  // esbuild leaves some non-ASCII characters as they are (in regular expression literals of a few
  // dependencies). One such character makes V8 keep the whole source as a two-byte string, twice the
  // memory; as \u escapes they mean the same and the source stays one byte per character.
  const source = readFileSync(outfile, 'utf8');
  writeFileSync(outfile, source.replace(/[^\p{ASCII}]/gu, escapeUtf16));
}

/** `é` → `\u00e9`; a character outside the BMP becomes its two surrogate escapes. */
function escapeUtf16(character: string): string {
  let escaped = '';
  for (let i = 0; i < character.length; i++) escaped += `\\u${character.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return escaped;
}

bundleApi(join(__dirname, '..')).catch((error: unknown) => {
  process.stderr.write(`bundle-api: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
