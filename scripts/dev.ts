/**
 * `npm run dev`: an emulator (reused or started), the reference stack deployed to it with
 * `cdk deploy`, then a few jobs enqueued through the client and the HTTP API, and what
 * happened to each of them. The emulator stays up until Ctrl-C (or exits at once with --exit).
 */
import { JobApiClient } from 'jobline/api';
import { JobClient } from 'jobline';
import type { JobRecord } from 'jobline';
import { referenceJobs, sendEmail } from '../functions/jobs/definitions.js';
import { writeFileSync } from 'node:fs';
import { useAwsEnvironment } from './lib/aws-environment.js';
import { deployStack } from './lib/deploy.js';
import { ensureEmulator } from './lib/emulator.js';
import { ensureOperator } from './lib/operators.js';
import { sentMail } from './lib/sent-mail.js';

const exitWhenDone = process.argv.includes('--exit');
/** What the CLI reads to find the local emulator (cli/local-environment.ts). */
const LOCAL_ENVIRONMENT = new URL('../.jobline/environment.json', import.meta.url).pathname;
/** The operator `npm run dev` adds to the emulator's dashboard user pool (local only). */
const DEV_OPERATOR = { username: 'dev', password: 'Jobline-dev-2026' };
const emulator = await ensureEmulator({ log: (line) => console.log(line) });
let exitCode = 0;
try {
  useAwsEnvironment(emulator.endpoint);
  const stack = await deployStack('Jobline', emulator.endpoint, (line) => console.log(line));
  // The CLI (`npm run jobline -- …`, or `npx jobline …`) finds the emulator and this stack here by itself.
  writeFileSync(LOCAL_ENVIRONMENT, JSON.stringify({ endpoint: emulator.endpoint, region: process.env.AWS_REGION, stack: stack.stackName }, null, 2));
  console.log(`\nDeployed ${stack.stackName}: table ${stack.config.tableName}, lanes ${Object.keys(stack.config.lanes).join(', ')}, API ${stack.apiUrl}\n`);

  const client = new JobClient({ jobs: referenceJobs, config: stack.config, createdBy: 'npm run dev' });
  const api = new JobApiClient({ baseUrl: stack.apiUrl! });

  const viaClient = await client.enqueue(sendEmail, { to: 'ada@example.com', template: 'welcome', variables: { name: 'Ada' } });
  const viaApi = await api.enqueue({ kind: 'email.send', payload: { to: 'grace@example.com', template: 'welcome', variables: { name: 'Grace' } } });
  const missingTemplate = await client.enqueue(sendEmail, { to: 'alan@example.com', template: 'no-such-template' });
  const rejected = await api.enqueue({ kind: 'email.send', payload: { to: 'not an address', template: 'welcome' } });

  console.log('Enqueued:');
  console.log(`  ${viaClient.id}  email.send via JobClient          → ${viaClient.status}`);
  console.log(`  ${(viaApi.body as { id: string }).id}  email.send via POST /jobs (SigV4) → HTTP ${viaApi.status}`);
  console.log(`  ${missingTemplate.id}  email.send, unknown template      → ${missingTemplate.status}`);
  console.log(`  (no id)                     email.send, bad address via API  → HTTP ${rejected.status}: ${(rejected.body as { error: { message: string } }).error.message}\n`);

  const ids = [viaClient.id, (viaApi.body as { id: string }).id, missingTemplate.id];
  const seen = new Map<string, string[]>(ids.map((id) => [id, []]));
  const deadline = Date.now() + 60_000;
  let records: JobRecord[] = [];
  while (Date.now() < deadline) {
    records = (await Promise.all(ids.map((id) => client.get(id)))).filter((r): r is JobRecord => r !== undefined);
    for (const record of records) {
      const history = seen.get(record.id)!;
      if (history.at(-1) !== record.status) history.push(record.status);
    }
    if (records.length === ids.length && records.every((r) => ['succeeded', 'failed'].includes(r.status))) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  console.log('What happened (statuses as polled):');
  for (const record of records) {
    const outcome = record.status === 'succeeded' ? `result ${JSON.stringify(record.result)}` : `reason: ${record.lastError?.message}`;
    console.log(`  ${record.id}  ${seen.get(record.id)!.join(' → ')}  (attempt ${record.attempt}, ${record.durationMs ?? '?'} ms)  ${outcome}`);
  }
  if (!records.every((r) => ['succeeded', 'failed'].includes(r.status))) {
    exitCode = 1;
    console.log('  Some jobs did not finish within 60 s.');
  }

  if (stack.dashboardUrl && stack.dashboardUserPoolId) {
    await ensureOperator(stack.dashboardUserPoolId, DEV_OPERATOR.username, DEV_OPERATOR.password);
    console.log(`\nWeb dashboard: ${stack.dashboardUrl}\n  sign in as "${DEV_OPERATOR.username}", password "${DEV_OPERATOR.password}" (an operator this script added to the emulator's user pool)`);
  }

  // Only ministack lists the mail it accepted; elsewhere there is nothing to show.
  const mail = await sentMail(emulator.endpoint).catch(() => []);
  if (mail.length > 0) {
    console.log(`\nMail the emulator's SES accepted (${mail.length} in all), newest last:`);
    for (const message of mail.slice(-2)) console.log(`  to ${message.To?.join(', ')}: "${message.Subject}"`);
  }
} catch (error) {
  exitCode = 1;
  console.error(error);
}

if (exitWhenDone || exitCode !== 0) {
  await emulator.stop();
  process.exit(exitCode);
} else {
  console.log(`\nThe emulator keeps running at ${emulator.endpoint}${emulator.started ? '; press Ctrl-C to stop it' : ''}.`);
  console.log('In another terminal, the CLI finds it by itself: npm run jobline -- lanes   (or jobs ls --status failed, jobs show <id>, ui)');
  process.on('SIGINT', () => void emulator.stop().then(() => process.exit(0)));
}
