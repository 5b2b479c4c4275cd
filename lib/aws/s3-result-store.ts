import { join } from 'node:path';
import type * as S3 from '@aws-sdk/client-s3';
import type { ResultStore } from '../results/result-store.js';

type S3Module = typeof S3;
type S3Client = S3.S3Client;

/**
 * The S3 client's package, named through a variable: a bundler cannot follow the import, so
 * no bundle of jobline's code carries the client (ON_DEMAND_MODULES in packaged-functions.ts).
 */
const S3_PACKAGE: string = '@aws-sdk/client-s3';

/**
 * The results bucket as a {@link ResultStore}. The S3 client is loaded on first use, so a
 * function whose results all fit on their records never loads it: not at its cold start, not later.
 * Against an emulator (`AWS_ENDPOINT_URL` set) buckets are addressed by path, since a
 * bucket-named host does not resolve.
 */
export class S3ResultStore implements ResultStore {
  private loaded: Promise<{ s3: S3Module; client: S3Client }> | undefined;

  constructor(private readonly bucket: string, private readonly env: NodeJS.ProcessEnv = process.env) {}

  async put(key: string, json: string): Promise<void> {
    const { s3, client } = await this.load();
    await client.send(new s3.PutObjectCommand({ Bucket: this.bucket, Key: key, Body: json, ContentType: 'application/json' }));
  }

  async get(key: string): Promise<string | undefined> {
    const { s3, client } = await this.load();
    try {
      const output = await client.send(new s3.GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return await output.Body?.transformToString('utf8');
    } catch (error) {
      if (error instanceof s3.NoSuchKey) return undefined;
      throw error;
    }
  }

  private load(): Promise<{ s3: S3Module; client: S3Client }> {
    this.loaded ??= loadS3().then((s3) => ({ s3, client: new s3.S3Client({ forcePathStyle: Boolean(this.env.AWS_ENDPOINT_URL) }) }));
    return this.loaded;
  }
}

/**
 * The S3 client's module: beside jobline's own code (installed jobline, its dependency; a
 * JobQueue function, the prebuilt copy in its `node_modules`), else by CommonJS resolution
 * from the working directory, which also searches `NODE_PATH` — where AWS Lambda's Node.js
 * runtimes keep their own SDK, for a function the app bundled itself.
 */
async function loadS3(): Promise<S3Module> {
  let loaded: unknown;
  try {
    loaded = await import(S3_PACKAGE);
  } catch (error) {
    const { createRequire } = await import('node:module');
    try {
      loaded = createRequire(join(process.cwd(), 'index.js'))(S3_PACKAGE);
    } catch {
      throw new Error(`${S3_PACKAGE} could not be loaded to read or write a large result: install it beside the function (a JobQueue's functions carry it)`, { cause: error });
    }
  }
  // Imported from an ES module, a CommonJS copy (the prebuilt one) may show its exports as `default` only.
  return ('S3Client' in (loaded as object) ? loaded : (loaded as { default: unknown }).default) as S3Module;
}
