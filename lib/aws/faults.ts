import type { FinalizeHandler, FinalizeHandlerArguments, HandlerExecutionContext, MetadataBearer, MiddlewareStack } from '@smithy/types';
import * as z from 'zod';
import { ConfigurationError } from '../errors.js';

/**
 * Fault injection for reliability tests: a share of jobline's own DynamoDB, SQS and Scheduler
 * calls fail as AWS calls fail (throttled, a 5xx, a timeout, or a response lost after the
 * request was carried out), and whole services can be down for a while. It is switched on by
 * the `JOBLINE_FAULTS` environment variable (JSON, see {@link FaultPlan}) on a deployed function,
 * or by {@link injectFaults} on a client of your own. Production code never sets it.
 *
 * Faults are injected under the SDK's own retries, one decision per HTTP attempt, so they meet
 * what real faults meet: the SDK retries most of them, and a retried write whose first response
 * was lost finds its own write already done.
 */
export const FAULTS_ENV = 'JOBLINE_FAULTS';

export const FAULT_SERVICES = ['dynamodb', 'sqs', 'scheduler'] as const;
export type FaultService = (typeof FAULT_SERVICES)[number];

export const FAULT_KINDS = ['throttle', 'server-error', 'timeout', 'lost-response'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** The plan's schema, built on first use: a function that never reads a plan (no JOBLINE_FAULTS) never pays for it at cold start. */
const faultPlanSchema = () => z.strictObject({
  /** Share of calls (0–1) that fail, each with one of `faults` at random. */
  rate: z.number().min(0).max(1).default(0),
  services: z.array(z.enum(FAULT_SERVICES)).min(1).default([...FAULT_SERVICES]),
  faults: z.array(z.enum(FAULT_KINDS)).min(1).default([...FAULT_KINDS]),
  /** How long a `timeout` fault hangs before it fails. */
  timeoutMs: z.number().int().min(0).max(30_000).default(200),
  /** Windows in which every call to the named services fails (503). */
  outages: z.array(z.strictObject({ services: z.array(z.enum(FAULT_SERVICES)).min(1), from: z.iso.datetime(), until: z.iso.datetime() })).default([]),
  /** Kinds whose jobs the dispatcher refuses to send the first time it meets each (as if SQS had refused the send), so its recovery is seen. */
  refuseFirstSendOfKinds: z.array(z.string().min(1)).default([]),
});
let builtSchema: ReturnType<typeof faultPlanSchema> | undefined;

/** What to inject: the parsed form of `JOBLINE_FAULTS`. */
export type FaultPlan = z.infer<ReturnType<typeof faultPlanSchema>>;
export type FaultPlanInput = z.input<ReturnType<typeof faultPlanSchema>>;

/** One injected fault, as the log line says it. */
export interface InjectedFault {
  readonly service: FaultService;
  readonly operation: string;
  readonly fault: FaultKind | 'outage';
}

/** The plan in `JOBLINE_FAULTS`, or undefined when it is unset; a plan that does not parse is a `ConfigurationError`. */
export function faultPlanFromEnvironment(env: NodeJS.ProcessEnv = process.env): FaultPlan | undefined {
  const json = env[FAULTS_ENV];
  return json ? parseFaultPlan(json) : undefined;
}

export function parseFaultPlan(json: string): FaultPlan {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new ConfigurationError(`${FAULTS_ENV} is not JSON`, [(error as Error).message]);
  }
  builtSchema ??= faultPlanSchema();
  const parsed = builtSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigurationError(`${FAULTS_ENV} is not a fault plan`, parsed.error.issues.map((i) => `${i.path.join('.') || '(plan)'}: ${i.message}`));
  return parsed.data;
}

/** Decides, per call, which fault (if any) to inject: pure, so that it is tested without AWS. */
export function chooseFault(plan: FaultPlan, service: FaultService, now: Date, random: () => number): FaultKind | 'outage' | undefined {
  const at = now.toISOString();
  if (plan.outages.some((o) => o.services.includes(service) && o.from <= at && at < o.until)) return 'outage';
  if (!plan.services.includes(service) || random() >= plan.rate) return undefined;
  return plan.faults[Math.min(plan.faults.length - 1, Math.floor(random() * plan.faults.length))];
}

/** An error shaped as the SDK shapes a service's: the SDK's retry strategy classifies it by name and status. */
export function injectedError(fault: FaultKind | 'outage', service: FaultService, operation: string): Error {
  const [name, status, fault$, what] = ({
    throttle: ['ThrottlingException', 400, 'client', 'throttled'],
    'server-error': ['InternalServerError', 500, 'server', 'an internal server error'],
    timeout: ['TimeoutError', 0, 'client', 'timed out before it was sent'],
    'lost-response': ['TimeoutError', 0, 'client', 'timed out after it was carried out (its response was lost)'],
    outage: ['ServiceUnavailable', 503, 'server', 'refused: the service is down'],
  } as const)[fault];
  return Object.assign(new Error(`${FAULTS_ENV}: ${service} ${operation} ${what}`), { name, $fault: fault$, $metadata: status ? { httpStatusCode: status } : {}, injected: true });
}

interface FaultableClient {
  readonly middlewareStack: MiddlewareStack<object, MetadataBearer>;
}

const MIDDLEWARE_NAME = 'joblineInjectedFaults';
const injected = new WeakSet<object>();

/**
 * Makes `client` fail as `plan` says (once per client; a second call does nothing). `onFault`
 * hears each injected fault (the functions log it).
 */
export function injectFaults(client: FaultableClient, service: FaultService, plan: FaultPlan, options: { random?: () => number; onFault?: (fault: InjectedFault) => void } = {}): void {
  if (injected.has(client)) return;
  injected.add(client);
  const random = options.random ?? Math.random;
  client.middlewareStack.add(
    (next: FinalizeHandler<object, MetadataBearer>, context: HandlerExecutionContext) => async (args: FinalizeHandlerArguments<object>) => {
      const fault = chooseFault(plan, service, new Date(), random);
      if (!fault) return next(args);
      const operation = String(context.commandName ?? 'call').replace(/Command$/, '');
      options.onFault?.({ service, operation, fault });
      if (fault === 'timeout') await new Promise((resolve) => setTimeout(resolve, plan.timeoutMs));
      if (fault === 'lost-response') await next(args);
      throw injectedError(fault, service, operation);
    },
    // Inside the SDK's retry middleware (finalizeRequest, high priority): each HTTP attempt decides on its own.
    { step: 'finalizeRequest', priority: 'low', name: MIDDLEWARE_NAME },
  );
}

/** How the deployed functions report an injected fault: one log line each, which the tests count. */
export function logFault(fault: InjectedFault): void {
  console.warn(`jobline: injected fault ${fault.fault} on ${fault.service} ${fault.operation}`);
}

/** Makes `client` fail as `JOBLINE_FAULTS` says, when it is set (the deployed functions' switch); returns the client. */
export function withEnvironmentFaults<C extends FaultableClient>(client: C, service: FaultService, env: NodeJS.ProcessEnv = process.env): C {
  const plan = faultPlanFromEnvironment(env);
  if (plan) injectFaults(client, service, plan, { onFault: logFault });
  return client;
}
