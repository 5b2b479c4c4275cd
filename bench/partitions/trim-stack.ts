/**
 * The SDK middlewares that run after the simulation's `initialize` middleware has answered a
 * command, and so never run: building the stack of each command copies and sorts them all,
 * which at this scale is a large share of the run. The serializer stays (the document client
 * checks for it, and anchors its marshalling to it).
 */
const NEVER_REACHED = ['loggerMiddleware', 'contentLengthMiddleware', 'getUserAgentMiddleware', 'hostHeaderMiddleware', 'recursionDetectionMiddleware', 'retryMiddleware', 'httpSigningMiddleware'];

export function trimStack(client: { middlewareStack: { remove(name: string): boolean } }): void {
  for (const name of NEVER_REACHED) client.middlewareStack.remove(name);
}
