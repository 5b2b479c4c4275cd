import { createServer, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';

/** An OTLP attribute value as OTLP/JSON encodes it. */
type AnyValue = { stringValue?: string; intValue?: number | string; boolValue?: boolean; doubleValue?: number };

/** One span as an OTLP/HTTP exporter sent it (JSON encoding: hex ids), with its resource's service name. */
export interface ReceivedSpan {
  readonly service: string;
  readonly scope: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string | undefined;
  readonly name: string;
  /** OTLP's SpanKind: 3 CLIENT, 4 PRODUCER, 5 CONSUMER. */
  readonly kind: number;
  readonly attributes: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly links: ReadonlyArray<{ readonly traceId: string; readonly spanId: string }>;
  readonly events: ReadonlyArray<{ readonly name: string; readonly attributes: Readonly<Record<string, string | number | boolean | undefined>> }>;
  /** 2: error. */
  readonly statusCode: number;
}

type OtlpAttribute = { key: string; value: AnyValue };
type OtlpRequest = {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: Array<{
      scope?: { name?: string };
      spans?: Array<{
        traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; attributes?: OtlpAttribute[];
        links?: Array<{ traceId: string; spanId: string }>; events?: Array<{ name: string; attributes?: OtlpAttribute[] }>; status?: { code?: number };
      }>;
    }>;
  }>;
};

/**
 * A receiver of OTLP/HTTP traces (`POST /v1/traces`, JSON) on loopback: what an OpenTelemetry
 * collector would take from the deployed functions' exporters, kept in memory for a test to read.
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  private constructor(private readonly server: Server) {}

  static async start(port: number): Promise<OtlpReceiver> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        try {
          if (request.method !== 'POST' || request.url !== '/v1/traces') throw new Error(`${request.method} ${request.url} is not an OTLP trace export`);
          const raw = Buffer.concat(chunks);
          const body = request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
          receiver.take(JSON.parse(body.toString('utf8')) as OtlpRequest);
          response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        } catch (error) {
          response.writeHead(400, { 'content-type': 'text/plain' }).end(String(error));
        }
      });
    });
    const receiver = new OtlpReceiver(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return receiver;
  }

  /** The spans of one trace. */
  trace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((s) => s.traceId === traceId);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private take(request: OtlpRequest): void {
    for (const resourceSpans of request.resourceSpans ?? []) {
      const service = String(valuesOf(resourceSpans.resource?.attributes)['service.name'] ?? '');
      for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
        for (const span of scopeSpans.spans ?? []) {
          this.spans.push({
            service, scope: scopeSpans.scope?.name ?? '', traceId: span.traceId, spanId: span.spanId, parentSpanId: span.parentSpanId || undefined,
            name: span.name, kind: span.kind, attributes: valuesOf(span.attributes),
            links: (span.links ?? []).map((l) => ({ traceId: l.traceId, spanId: l.spanId })),
            events: (span.events ?? []).map((e) => ({ name: e.name, attributes: valuesOf(e.attributes) })),
            statusCode: span.status?.code ?? 0,
          });
        }
      }
    }
  }
}

function valuesOf(attributes: OtlpAttribute[] | undefined): Record<string, string | number | boolean | undefined> {
  return Object.fromEntries((attributes ?? []).map(({ key, value }) => [key, value.stringValue ?? (value.intValue === undefined ? undefined : Number(value.intValue)) ?? value.boolValue ?? value.doubleValue]));
}
