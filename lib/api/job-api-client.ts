import { Sha256 } from '@aws-crypto/sha256-js';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

/** A response of the enqueue API: status and parsed JSON body. */
export interface ApiReply<T = unknown> {
  readonly status: number;
  readonly body: T;
}

/** Options of {@link JobApiClient}. */
export interface JobApiClientOptions {
  /** Base URL of the API; `/jobs` is appended. */
  readonly baseUrl: string;
  /** @default process.env.AWS_REGION, else us-east-1 */
  readonly region?: string;
  /** @default the SDK's default provider chain */
  readonly credentials?: AwsCredentialIdentityProvider;
}

/**
 * Calls the enqueue HTTP API with requests signed by SigV4 (service `execute-api`): the API
 * accepts no anonymous calls.
 */
export class JobApiClient {
  private readonly signer: SignatureV4;

  constructor(private readonly options: JobApiClientOptions) {
    this.signer = new SignatureV4({
      service: 'execute-api',
      region: options.region ?? process.env.AWS_REGION ?? 'us-east-1',
      credentials: options.credentials ?? fromNodeProviderChain(),
      sha256: Sha256,
    });
  }

  /**
   * `POST /jobs` with `{kind, payload, options}`; the body is sent as given when it is a string (to
   * test bad JSON). `headers` go with it, e.g. a W3C `traceparent` the jobs' spans continue.
   */
  enqueue(body: unknown, headers: Record<string, string> = {}): Promise<ApiReply> {
    return this.request('POST', '/jobs', typeof body === 'string' ? body : JSON.stringify(body), true, headers);
  }

  /** `GET /jobs/{id}`. */
  get(id: string): Promise<ApiReply> {
    return this.request('GET', `/jobs/${encodeURIComponent(id)}`);
  }

  /** `GET /jobs/{id}/result`, waiting up to `waitSeconds` (at most 20) for a job that has not finished. */
  result(id: string, waitSeconds?: number): Promise<ApiReply> {
    return this.request('GET', `/jobs/${encodeURIComponent(id)}/result${waitSeconds === undefined ? '' : `?waitSeconds=${waitSeconds}`}`);
  }

  /** `POST /jobs/{id}/cancel`. */
  cancel(id: string): Promise<ApiReply> {
    return this.request('POST', `/jobs/${encodeURIComponent(id)}/cancel`);
  }

  /** Any signed request, with `extraHeaders` (signed too); `signed: false` sends it unsigned (to check the API refuses it). */
  async request(method: string, path: string, body?: string, signed = true, extraHeaders: Record<string, string> = {}): Promise<ApiReply> {
    const url = new URL(this.options.baseUrl.replace(/\/$/, '') + path);
    const headers: Record<string, string> = { ...extraHeaders, host: url.host, 'content-type': 'application/json' };
    const request = { method, protocol: url.protocol, hostname: url.hostname, port: url.port ? Number(url.port) : undefined, path: url.pathname, query: Object.fromEntries(url.searchParams), headers, body };
    const finalHeaders = signed ? (await this.signer.sign(request)).headers : headers;
    const response = await fetch(url, { method, headers: finalHeaders, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON: keep the text (a gateway error page, say).
    }
    return { status: response.status, body: parsed };
  }
}
