/**
 * What the sections that run on the deployed benchmark stack share: pausing and resuming an
 * SQS event source mapping, and waiting until a queue has nothing left.
 */
import { GetEventSourceMappingCommand, GetFunctionConfigurationCommand, LambdaClient, ListEventSourceMappingsCommand, UpdateEventSourceMappingCommand, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

const lambda = new LambdaClient({});

/** The ids of the event source mappings that feed `functionName`. */
export async function mappingsOf(functionName: string): Promise<string[]> {
  const { EventSourceMappings } = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: functionName }));
  const ids = (EventSourceMappings ?? []).filter((m) => m.EventSourceArn?.includes(':sqs:')).map((m) => m.UUID!);
  if (ids.length === 0) throw new Error(`${functionName} has no SQS event source mapping`);
  return ids;
}

/** Turns mappings on or off and waits until each says so. */
export async function setMappings(ids: readonly string[], enabled: boolean): Promise<void> {
  const want = enabled ? 'Enabled' : 'Disabled';
  for (const id of ids) {
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: id, Enabled: enabled }));
    await waitFor(`mapping ${id} ${want}`, async () => (await lambda.send(new GetEventSourceMappingCommand({ UUID: id }))).State === want, 30_000);
  }
}

/** Visible and in-flight messages of a queue. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<{ visible: number; inFlight: number; delayed: number }> {
  const { Attributes: a = {} } = await sqs.send(new GetQueueAttributesCommand({
    QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
  }));
  return { visible: Number(a.ApproximateNumberOfMessages ?? 0), inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0), delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0) };
}

/** Polls `condition` every `everyMs` until it holds; throws naming `what` after `timeoutMs`. */
export async function waitFor(what: string, condition: () => Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * Runs `fn` with a function's memory set to `memorySize` and Node's heap sized as Lambda's
 * Node runtime sizes it for that memory (new space a tenth, old space the rest: the emulator
 * runs plain `node`, which sizes its heap by the machine); restores the function afterwards.
 */
export async function withMemorySize<T>(functionName: string, memorySize: number, fn: () => Promise<T>): Promise<T> {
  const before = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
  const variables = before.Environment?.Variables ?? {};
  const newSpace = Math.floor(memorySize / 10);
  const heap = `--max-semi-space-size=${Math.floor(newSpace / 2)} --max-old-space-size=${memorySize - newSpace}`;
  await updateFunction(functionName, memorySize, { ...variables, NODE_OPTIONS: `${variables.NODE_OPTIONS ?? ''} ${heap}`.trim() });
  try {
    return await fn();
  } finally {
    await updateFunction(functionName, before.MemorySize!, variables);
  }
}

async function updateFunction(functionName: string, memorySize: number, variables: Record<string, string>): Promise<void> {
  await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: functionName, MemorySize: memorySize, Environment: { Variables: variables } }));
  await waitFor(`${functionName} to take its new configuration`, async () => (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }))).LastUpdateStatus !== 'InProgress', 60_000, 250);
}
