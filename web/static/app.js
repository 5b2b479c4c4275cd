// The jobline dashboard: lanes, a throughput chart, each kind's jobs and cost per day, jobs by state with a kind filter, and a
// job's detail with retry / cancel / discard. It refreshes itself every 3 seconds.
// Served by `jobline ui` it sends the token of the URL it was opened with (then takes it out of
// the address bar, so it stays out of history and bookmarks); deployed, it signs in to the
// dashboard's Cognito user pool with SRP (the password never leaves the page) and sends the ID
// token (API Gateway checks it), refreshed with the refresh token when it expires.
const LOCAL_TOKEN = 'jobline.localToken';
const token = new URLSearchParams(location.search).get('token') ?? sessionStorage.getItem(LOCAL_TOKEN) ?? '';
if (new URLSearchParams(location.search).has('token')) {
  sessionStorage.setItem(LOCAL_TOKEN, token);
  history.replaceState(null, '', location.pathname + location.hash);
}
let auth = { mode: 'token' };
let pool;
const STATUSES = ['failed', 'retrying', 'running', 'queued', 'scheduled', 'waiting', 'succeeded', 'cancelled'];
let status = 'failed';
// A job can be opened directly: …/?token=…#job=<id>
let selected = new URLSearchParams(location.hash.slice(1)).get('job');
let chart = null;
// What the signed-in user may do (GET /api/me): 'operator' acts, 'viewer' only views (the page hides its actions; the API refuses them anyway).
let role;
// Which statuses each action applies to, as the API's transition table says (GET /api/me).
let actionStatuses = {};

async function api(path, method = 'GET') {
  const headers = auth.mode === 'token' ? { 'x-jobline-token': token } : { authorization: `Bearer ${await idToken()}` };
  // Relative: the page may live under a path (API Gateway's stage, an emulator's prefix).
  const response = await fetch(`api${path}`, { method, headers });
  if (response.status === 401 && auth.mode === 'cognito') {
    signOut('Your session ended: sign in again.');
    throw new Error('signed out');
  }
  const body = await response.json();
  if (!response.ok && response.status !== 409) throw new Error(body.error ?? response.statusText);
  return body;
}

const cell = (text, className) => {
  const td = document.createElement('td');
  td.textContent = text ?? '';
  if (className) td.className = className;
  return td;
};

/** A time as how long ago (or from now) it is, the exact time on hover. */
function when(iso) {
  const span = document.createElement('span');
  if (!iso) return span;
  const seconds = Math.round((Date.now() - Date.parse(iso)) / 1000);
  const size = waited(Math.abs(seconds)) || '0s';
  span.textContent = seconds >= 0 ? `${size} ago` : `in ${size}`;
  span.title = iso;
  return span;
}
const timeCell = (iso) => {
  const td = document.createElement('td');
  td.append(when(iso));
  return td;
};

/** A wait in seconds, as `42s`, `7m` or `3h`; empty when unknown. */
const waited = (seconds) => (seconds === undefined || seconds === null ? '' : seconds < 120 ? `${seconds}s` : seconds < 7200 ? `${Math.round(seconds / 60)}m` : `${Math.round(seconds / 3600)}h`);

async function renderLanes() {
  const tbody = document.querySelector('#lanes tbody');
  tbody.replaceChildren(...(await api('/lanes')).map((lane) => {
    const tr = document.createElement('tr');
    tr.append(cell(lane.lane), cell(lane.visible), cell(lane.inFlight), cell(lane.delayed), cell(waited(lane.oldestJobAgeSeconds), 'age'), cell(lane.deadLetters), cell(lane.paused ? 'yes' : 'no'));
    const td = document.createElement('td');
    const redrive = document.createElement('button');
    redrive.textContent = 'Redrive DLQ';
    redrive.dataset.action = 'redrive';
    redrive.onclick = async () => {
      if (!confirm(`Move every message of lane ${lane.lane}'s DLQ back to its queue?`)) return;
      const report = await api(`/lanes/${lane.lane}/redrive`, 'POST');
      alert(`moved ${report.moved}, dropped ${report.dropped}, left ${report.left} (${report.newer} newer than the redrive)${report.errors.length ? `\n${report.errors.join('\n')}` : ''}`);
      refresh();
    };
    const pause = document.createElement('button');
    const action = lane.paused ? 'resume' : 'pause';
    pause.textContent = lane.paused ? 'Resume' : 'Pause';
    pause.dataset.action = action;
    pause.onclick = async () => {
      if (!confirm(lane.paused ? `Resume lane ${lane.lane}?` : `Pause lane ${lane.lane}? Its jobs wait in the queue until it is resumed.`)) return;
      await api(`/lanes/${lane.lane}/${action}`, 'POST');
      refresh();
    };
    td.append(redrive, ' ', pause);
    tr.append(td);
    return tr;
  }));
}

// Throughput changes by the minute: read every 30 s, not on each 3 s refresh.
let statsAt = 0;

async function renderChart() {
  if (Date.now() - statsAt < 30_000) return;
  statsAt = Date.now();
  const stats = await api('/stats');
  const data = { labels: stats.minutes, datasets: [
    { label: 'succeeded', data: stats.succeeded, borderColor: '#067647', backgroundColor: '#06764733' },
    { label: 'failed', data: stats.failed, borderColor: '#b42318', backgroundColor: '#b4231833' },
  ] };
  if (chart) {
    chart.data = data;
    chart.update('none');
  } else {
    chart = new Chart(document.getElementById('throughput'), { type: 'bar', data, options: { animation: false, maintainAspectRatio: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } } });
  }
}

/** Dollars to the cent, "<$0.01" below a cent (as the CLI shows them). */
const dollars = (amount) => (amount === 0 ? '$0' : amount < 0.005 ? '<$0.01' : `$${amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`);

// Each kind's jobs and cost per day, from the worker's metrics of the last 24 h: read every 60 s.
let kindsAt = 0;

async function renderKinds() {
  if (Date.now() - kindsAt < 60_000) return;
  kindsAt = Date.now();
  const report = await api('/kinds');
  document.querySelector('#kinds tbody').replaceChildren(...report.kinds.map((k) => {
    const tr = document.createElement('tr');
    tr.dataset.kind = k.kind;
    tr.append(cell(k.kind), cell(k.lane), cell(k.tracking), cell(Math.round(k.jobsPerDay).toLocaleString('en-US'), 'number'), cell(Number(k.retriesPerJob.toFixed(2)), 'number'),
      cell(Number((k.failuresPerJob * 100).toFixed(1)), 'number'), cell(dollars(k.dollarsPerMillion), 'number'), cell(dollars(k.dollarsPerDay), 'number'), cell(dollars(k.computeDollarsPerDay), 'number'));
    return tr;
  }));
  document.getElementById('kinds-basis').textContent = report.unavailable
    ? `Not shown: ${report.unavailable}`
    : `From ${report.source}, ${new Date(report.since).toLocaleString()} to ${new Date(report.until).toLocaleString()}. $ counts DynamoDB, SQS, Lambda invocations, Scheduler, S3 GETs and logs; compute is the handlers' time at the worker's memory, at most that as a batch's jobs overlap.`;
  // Each note once, with the kinds it is about (as the CLI prints them).
  document.getElementById('kinds-notes').replaceChildren(...(report.notes ?? []).map((note) => {
    const li = document.createElement('li');
    li.textContent = note.kinds === 'all' ? note.text : `${note.kinds.join(', ')}: ${note.text}`;
    return li;
  }));
}

// Jobs per state over all lanes (the states the sparse index holds), read every 30 s: a count
// reads every such job of the last 24 h, so it is not worth doing on each refresh.
let counts = {};
let countsAt = 0;

async function loadCounts() {
  if (Date.now() - countsAt < 30_000) return;
  countsAt = Date.now();
  const answer = await api('/counts');
  counts = {};
  for (const byStatus of Object.values(answer.lanes)) for (const [s, n] of Object.entries(byStatus)) counts[s] = (counts[s] ?? 0) + n;
}

function renderStatuses() {
  document.getElementById('statuses').replaceChildren(...STATUSES.map((s) => {
    const button = document.createElement('button');
    button.textContent = counts[s] === undefined ? s : `${s} ${counts[s]}`;
    // Only the states the sparse index holds are counted; the others say where their numbers are.
    if (counts[s] === undefined) button.title = s === 'succeeded' ? 'not counted per job: the chart shows finished jobs per minute' : 'not counted per job: the lanes show how many wait and run';
    button.dataset.status = s;
    button.className = s === status ? 'active' : '';
    button.onclick = () => { status = s; jobsPages.reset(); refresh(); };
    return button;
  }));
}

/**
 * A list paged by cursor (`before`): the cursor of the page shown (none: the first) and those of
 * the pages before it, to go back. `show` re-renders the list.
 */
function pager(id, show) {
  const nav = document.getElementById(id);
  const state = { cursor: undefined, back: [], next: undefined };
  nav.querySelector('[data-page="older"]').onclick = () => { state.back.push(state.cursor); state.cursor = state.next; show(); };
  nav.querySelector('[data-page="newer"]').onclick = () => { state.cursor = state.back.pop(); show(); };
  return {
    /** `&before=…` for the page shown. */
    query: () => (state.cursor ? `&before=${state.cursor}` : ''),
    /** Back to the first page (a new filter, another parent). */
    reset: () => { state.cursor = undefined; state.back = []; },
    /** Shows where the list is and what is further, once a page came back. */
    showing: (page, shown) => {
      state.next = page.next;
      nav.hidden = !page.next && state.back.length === 0;
      nav.querySelector('[data-page="newer"]').hidden = state.back.length === 0;
      nav.querySelector('[data-page="older"]').hidden = !page.next;
      nav.querySelector('[data-page="label"]').textContent = `page ${state.back.length + 1} (${shown})`;
    },
  };
}
const jobsPages = pager('jobs-pager', () => renderJobs());
const childPages = pager('children-pager', () => renderDetail());

// Renders overlap (the 3 s refresh, a click): only the latest request's answer is shown.
let jobsRender = 0;
let detailRender = 0;

async function renderJobs() {
  const render = ++jobsRender;
  const page = await api(`/jobs?${filterQuery()}${jobsPages.query()}`);
  if (render !== jobsRender) return;
  const tbody = document.querySelector('#jobs tbody');
  tbody.replaceChildren(...page.jobs.map((job) => {
    const tr = document.createElement('tr');
    tr.dataset.id = job.id;
    tr.append(cell(job.id), cell(job.kind), cell(job.status, `status-${job.status}`), cell(`${job.attempt}/${job.maxAttempts}`), timeCell(job.createdAt), cell(job.lastError?.message));
    tr.onclick = () => { selected = job.id; childPages.reset(); location.hash = `job=${job.id}`; renderDetail(); };
    return tr;
  }));
  if (page.jobs.length === 0) tbody.replaceChildren(Object.assign(document.createElement('tr'), { innerHTML: '<td colspan="6" class="muted">no jobs</td>' }));
  // After the rows: what the pager says is what the table shows.
  jobsPages.showing(page, `${page.jobs.length} jobs`);
  // Kinds not tracked in full: what this listing cannot show.
  // A listing stops after a bounded read: a short page with a cursor has older jobs it did not reach.
  const notes = [...(page.notes ?? []), ...(page.next && page.jobs.length < 50 ? ['A listing reads a bounded number of jobs a page: older ones may still match (Older → reads on)'] : [])];
  document.getElementById('listing-notes').replaceChildren(...notes.map((note) => Object.assign(document.createElement('li'), { textContent: note })));
}

async function renderDetail() {
  const section = document.getElementById('detail');
  if (!selected) return;
  const render = ++detailRender;
  const job = await api(`/jobs/${selected}`);
  if (render !== detailRender) return;
  section.hidden = false;
  document.getElementById('detail-id').textContent = job.id;
  document.getElementById('detail-kind').textContent = job.kind;
  document.getElementById('detail-status').textContent = job.status;
  document.getElementById('detail-status').className = `status-${job.status}`;
  document.getElementById('detail-attempt').textContent = `${job.attempt}/${job.maxAttempts}`;
  const waiting = document.getElementById('detail-waiting');
  waiting.hidden = !job.waiting;
  waiting.textContent = job.waiting ? `Flow control: ${job.waiting}` : '';
  document.querySelector('main').classList.add('with-detail');
  // Only the actions the job's status allows (the transition table, as the API says).
  for (const button of document.querySelectorAll('#detail [data-action]')) button.hidden = !(job.actions ?? []).includes(button.dataset.action);
  const tags = document.getElementById('detail-tags');
  tags.hidden = !job.tags?.length;
  tags.textContent = job.tags?.length ? `tags: ${job.tags.join(' ')}` : '';
  // The enqueue's trace id (tracing on: docs/tracing.md), to look the request up in a tracing backend.
  const traced = document.getElementById('detail-trace');
  traced.hidden = !job.trace;
  traced.textContent = job.trace ? `trace: ${job.trace.split('-')[1]}` : '';
  const timeline = [['created', job.createdAt], ['run at', job.runAt], ['started', job.startedAt], ['next run', job.nextRunAt], ['finished', job.finishedAt]].filter(([, at]) => at);
  document.getElementById('detail-timeline').replaceChildren(...timeline.map(([label, at]) => {
    const li = document.createElement('li');
    li.append(`${label}: `, when(at));
    return li;
  }));
  document.getElementById('detail-errors-section').hidden = !job.errors?.length;
  document.getElementById('detail-errors').replaceChildren(...(job.errors ?? []).map((e) => Object.assign(document.createElement('li'), { textContent: `attempt ${e.attempt} at ${e.at}: ${e.class}: ${e.message}` })));
  document.getElementById('detail-children').textContent = job.childrenTotal !== undefined
    ? `Children: ${job.childrenDone ?? 0} of ${job.childrenTotal} done, ${job.childrenFailed ?? 0} failed, ${job.childrenCancelled ?? 0} cancelled — ${JSON.stringify(job.childTotals ?? {})}` : '';
  const progress = document.getElementById('detail-progress');
  progress.hidden = !job.childrenTotal;
  if (job.childrenTotal) Object.assign(progress, { max: job.childrenTotal, value: job.childrenDone ?? 0 });
  const list = document.getElementById('detail-children-list');
  list.hidden = job.childrenTotal === undefined;
  if (list.hidden) document.getElementById('children-pager').hidden = true;
  if (!list.hidden) {
    const children = await api(`/jobs?parent=${job.id}${childPages.query()}`);
    if (render !== detailRender) return;
    list.querySelector('tbody').replaceChildren(...children.jobs.map((child) => {
      const tr = document.createElement('tr');
      tr.dataset.child = child.id;
      tr.append(cell(child.id), cell(child.status, `status-${child.status}`), cell(`${child.attempt}/${child.maxAttempts}`), cell(JSON.stringify(child.result ?? child.lastError?.message ?? '').slice(0, 80)));
      tr.onclick = () => { selected = child.id; childPages.reset(); renderDetail(); };
      return tr;
    }));
    childPages.showing(children, `${children.jobs.length} of ${job.childrenTotal} children`);
  }
  document.getElementById('detail-payload').textContent = job.payload === undefined ? '(not kept: it travels in the message; kept once a job fails or is cancelled)' : JSON.stringify(job.payload, null, 2);
  // The result when the record holds it; else why there is none, or where it is.
  const note = document.getElementById('detail-result-note');
  note.hidden = !job.resultNote;
  note.textContent = job.resultNote ?? '';
  const result = document.getElementById('detail-result');
  result.hidden = job.result === undefined;
  result.textContent = job.result === undefined ? '' : JSON.stringify(job.result, null, 2);
  document.getElementById('detail-progress-section').hidden = job.progress === undefined;
  document.getElementById('detail-progress-value').textContent = job.progress === undefined ? '' : JSON.stringify(job.progress, null, 2);
}

/** The listing's filter as a query string: the status shown, and the kind and tag typed. */
function filterQuery() {
  const kind = document.getElementById('kind').value.trim();
  const tag = document.getElementById('tag').value.trim();
  return `status=${status}${kind ? `&kind=${encodeURIComponent(kind)}` : ''}${tag ? `&tag=${encodeURIComponent(tag)}` : ''}`;
}

/** The bulk actions the status shown allows. */
function renderBulk() {
  for (const button of document.querySelectorAll('[data-bulk]')) button.hidden = !(actionStatuses[button.dataset.bulk] ?? []).includes(status);
}

for (const button of document.querySelectorAll('[data-bulk]')) {
  button.onclick = () => bulk(button.dataset.bulk).catch((error) => alert(`bulk ${button.dataset.bulk} failed: ${error.message}`));
}

/** A bulk action on the listing's filter: a dry run, a confirmation that states the count, then the operation, resumed request by request until done. */
async function bulk(action) {
  // A dry run first: the confirmation states how many jobs the filter selects.
  const dry = await api(`/bulk?action=${action}&${filterQuery()}&dryRun=1`, 'POST');
  if (dry.selected === 0) return alert(`No ${dry.filter.status} jobs match (${describeFilter(dry.filter)}).`);
  if (!confirm(`${action} ${dry.selected} ${dry.filter.status} job${dry.selected === 1 ? '' : 's'} (${describeFilter(dry.filter)})?`)) return;
  let report = await api(`/bulk?action=${action}&${filterQuery()}`, 'POST');
  while (!report.complete) {
    document.getElementById('refreshed').textContent = `bulk ${action}: ${report.done} of ${dry.selected} so far`;
    report = await api(`/bulk/${report.id}/resume`, 'POST');
  }
  const skipped = Object.entries(report.skipped).map(([reason, n]) => `\nskipped ${n}: ${reason}`).join('');
  alert(`${action}: ${report.done} of ${report.selected} done${skipped}`);
  refresh();
}

function describeFilter(filter) {
  return [filter.kind && `kind ${filter.kind}`, filter.tag && `tag ${filter.tag}`, `created since ${new Date(filter.since).toLocaleString()}`].filter(Boolean).join(', ');
}

for (const button of document.querySelectorAll('#detail [data-action]')) {
  button.onclick = async () => {
    const action = button.dataset.action;
    if (!confirm(`${action} job ${selected}?`)) return;
    const result = await api(`/jobs/${selected}/${action}`, 'POST');
    if (!result.ok) alert(result.error);
    refresh();
  };
}
document.getElementById('kind').onchange = () => { jobsPages.reset(); refresh(); };
document.getElementById('tag').onchange = () => { jobsPages.reset(); refresh(); };

// A job's URL (…#job=<id>) pasted into an open page opens that job.
window.addEventListener('hashchange', () => {
  const job = new URLSearchParams(location.hash.slice(1)).get('job');
  if (!job || job === selected) return;
  selected = job;
  childPages.reset();
  renderDetail().catch((error) => { document.getElementById('refreshed').textContent = `error: ${error.message}`; });
});

async function refresh() {
  try {
    if (!role) ({ role, actionStatuses } = await api('/me'));
    document.body.classList.toggle('viewer', role === 'viewer');
    document.getElementById('role').textContent = role === 'viewer' ? 'view only' : '';
    await loadCounts();
    renderStatuses();
    renderBulk();
    await Promise.all([renderLanes(), renderChart(), renderKinds(), renderJobs(), renderDetail()]);
    document.getElementById('refreshed').textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (error) {
    document.getElementById('refreshed').textContent = `error: ${error.message}`;
  }
}

/** The dashboard's user pool, through amazon-cognito-identity-js (cognito.js); its tokens live in sessionStorage. */
function userPool() {
  pool ??= new AmazonCognitoIdentity.CognitoUserPool({ UserPoolId: auth.userPoolId, ClientId: auth.clientId, endpoint: auth.cognitoEndpoint, Storage: sessionStorage });
  return pool;
}

/** The signed-in operator's ID token; an expired one is refreshed with the refresh token first. Signs out when that fails. */
async function idToken() {
  const user = userPool().getCurrentUser();
  try {
    if (!user) throw new Error('no operator is signed in');
    return await new Promise((resolve, reject) => user.getSession((error, session) => (error ? reject(error) : resolve(session.getIdToken().getJwtToken()))));
  } catch (error) {
    signOut('Your session ended: sign in again.');
    throw error;
  }
}

/** Signs in with SRP (USER_SRP_AUTH): Cognito checks a proof of the password, never the password. */
function signIn(username, password) {
  const user = new AmazonCognitoIdentity.CognitoUser({ Username: username, Pool: userPool(), Storage: sessionStorage });
  const details = new AmazonCognitoIdentity.AuthenticationDetails({ Username: username, Password: password });
  return new Promise((resolve, reject) => {
    const callbacks = {
      onSuccess: resolve,
      onFailure: reject,
      newPasswordRequired: () => {
        const newPassword = prompt('Choose a new password (at least 12 characters)');
        if (!newPassword) reject(new Error('a new password is required'));
        else user.completeNewPasswordChallenge(newPassword, {}, callbacks);
      },
    };
    user.authenticateUser(details, callbacks);
  });
}

function signOut(message = '') {
  role = undefined;
  if (auth.mode === 'cognito') userPool().getCurrentUser()?.signOut();
  showSignedIn(false);
  document.getElementById('login-error').textContent = message;
}

function showSignedIn(signedIn) {
  document.getElementById('login').hidden = signedIn;
  document.querySelector('main').hidden = !signedIn;
  document.getElementById('sign-out').hidden = !signedIn || auth.mode !== 'cognito';
}

document.getElementById('login').onsubmit = async (event) => {
  event.preventDefault();
  const form = event.target;
  try {
    await signIn(form.username.value, form.password.value);
    form.password.value = '';
    document.getElementById('login-error').textContent = '';
    showSignedIn(true);
    refresh();
  } catch (error) {
    document.getElementById('login-error').textContent = error.message;
  }
};
document.getElementById('sign-out').onclick = () => signOut();

async function start() {
  auth = (await (await fetch('config.json')).json()).auth;
  showSignedIn(auth.mode === 'token' || userPool().getCurrentUser() !== null);
  setInterval(() => { if (!document.querySelector('main').hidden) refresh(); }, 3000);
  if (!document.querySelector('main').hidden) refresh();
}

start();
