import type { z } from 'zod';
import { ConfigurationError, InvalidPayloadError, PayloadTooLargeError, UnknownKindError } from './errors.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth.js';
import type { AnyJobDefinition, JobDefinition } from './job-definition.js';

/**
 * The set of kinds a client, API or worker knows, looked up by `kind`. Rejects two
 * definitions with the same kind.
 */
export class JobRegistry {
  private readonly byKind = new Map<string, JobDefinition>();

  constructor(definitions: readonly AnyJobDefinition[]) {
    const duplicates: string[] = [];
    for (const definition of definitions) {
      if (this.byKind.has(definition.kind)) duplicates.push(`kind "${definition.kind}" is defined more than once`);
      this.byKind.set(definition.kind, definition);
    }
    if (duplicates.length > 0) throw new ConfigurationError('job registry is invalid', duplicates);
  }

  /** Every kind, sorted. */
  get kinds(): string[] {
    return [...this.byKind.keys()].sort();
  }

  /** Every definition. */
  get definitions(): JobDefinition[] {
    return [...this.byKind.values()];
  }

  /** The definition of `kind`, or undefined. */
  find(kind: string): JobDefinition | undefined {
    return this.byKind.get(kind);
  }

  /** The definition of `kind`; throws {@link UnknownKindError} (led by `context`, if given) when there is none. */
  get(kind: string, context?: string): JobDefinition {
    const definition = this.byKind.get(kind);
    if (!definition) throw new UnknownKindError(kind, this.kinds, { context });
    return definition;
  }

  /**
   * Checks a payload against its kind: size first (in bytes of JSON), then the schema.
   * Returns the parsed payload and its JSON; throws {@link PayloadTooLargeError} or
   * {@link InvalidPayloadError}.
   */
  validate(definition: JobDefinition, payload: unknown, context?: string): { payload: unknown; json: string; bytes: number } {
    return validatePayload(definition, payload, context);
  }
}

/**
 * Checks a payload against its kind: size first (in bytes of JSON), then the schema.
 * Returns the parsed payload and its JSON; throws {@link PayloadTooLargeError} or
 * {@link InvalidPayloadError} (both permanent: a handler that builds a bad follow-up or child
 * payload fails at once), led by `context` when given (`job 3`, `follow-up`, `child 2`).
 */
export function validatePayload(definition: JobDefinition, payload: unknown, context?: string): { payload: unknown; json: string; bytes: number } {
  let json: string | undefined;
  try {
    json = JSON.stringify(payload);
  } catch (error) {
    throw new InvalidPayloadError(definition.kind, [{ path: '', message: `not serialisable as JSON (${String(error)})` }], { context, cause: error });
  }
  if (json === undefined) throw new InvalidPayloadError(definition.kind, [{ path: '', message: 'payload is required' }], { context });
  if (nestsDeeperThan(json)) throw new InvalidPayloadError(definition.kind, [{ path: '', message: `nests deeper than ${MAX_JSON_DEPTH} levels of objects and arrays` }], { context });
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > definition.maxPayloadBytes) throw new PayloadTooLargeError(definition.kind, bytes, definition.maxPayloadBytes, { context });
  const parsed = definition.schema.safeParse(payload);
  if (!parsed.success) throw new InvalidPayloadError(definition.kind, issuesOf(parsed.error), { context, cause: parsed.error });
  return { payload: parsed.data, json, bytes };
}

function issuesOf(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}
