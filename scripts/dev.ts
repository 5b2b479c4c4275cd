/**
 * `npm run dev`: an emulator (reused or started), the reference stack deployed to it with
 * `cdk deploy`, then a few jobs enqueued through the client and the HTTP API, and what
 * happened to each of them. The emulator stays up until Ctrl-C (or exits at once with --exit).
 */
import { JobApiClient } from 'jobline/api';
import { JobClient } from 'jobline';
import type { JobRecord } from 'jobline';
import { referenceJobs, sendEmail } from '../functions/jobs/definitions.js';
import { startLocalApp, type LocalApp } from 'jobline/testing';

const exitWhenDone = process.argv.includes('--exit');
const ROOT = new URL('../', import.meta.url).pathname;
let exitCode = 0;
let app: LocalApp | undefined;
try {
  // What a team's own project does (jobline/testing, or `npx jobline deploy --local Jobline`): the emulator, the
  // deploy with fix-ups, and .jobline/environment.json, where the CLI (`npm run jobline -- …`) then finds this stack.
  app = await startLocalApp({ projectDir: ROOT, stacks: ['Jobline'], log: (line) => console.log(line) });
  const queue = app.queue();
  const [dashboard] = app.dashboards;
  const stack = { stackName: 'Jobline', config: queue.config, apiUrl: queue.apiUrl };
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

  if (dashboard) {
    console.log(`\nWeb dashboard: ${dashboard.url}\n  sign in as "dev", password "Jobline-dev-2026" (the operator a local deploy adds to the emulator's user pool)`);
  }

  // Only ministack lists the mail it accepted; elsewhere there is nothing to show.
  const mail = await app.sentMail().catch(() => []);
  if (mail.length > 0) {
    console.log(`\nMail the emulator's SES accepted (${mail.length} in all), newest last:`);
    for (const message of mail.slice(-2)) console.log(`  to ${message.To?.join(', ')}: "${message.Subject}"`);
  }
} catch (error) {
  exitCode = 1;
  console.error(error);
}

if (exitWhenDone || exitCode !== 0) {
  await app?.stop();
  process.exit(exitCode);
} else {
  console.log(`\nThe emulator keeps running at ${app!.endpoint}${app!.emulatorStarted ? '; press Ctrl-C to stop it' : ''}.`);
  console.log('In another terminal, the CLI finds it by itself: npm run jobline -- lanes   (or jobs ls --status failed, jobs show <id>, ui)');
  process.on('SIGINT', () => void app!.stop().then(() => process.exit(0)));
}
