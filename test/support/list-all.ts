import type { JobRecord } from '../../lib/job-record.js';
import type { JobStore, ListQuery } from '../../lib/store/job-store.js';

/** Every record a listing holds, page after page (a page can be short and still have a next). */
export async function listAll(store: Pick<JobStore, 'list'>, query: ListQuery): Promise<JobRecord[]> {
  const records: JobRecord[] = [];
  let before = query.before;
  for (let page = 0; page < 1000; page++) {
    const listed = await store.list({ ...query, before });
    records.push(...listed.records);
    before = listed.next;
    if (before === undefined) return records;
  }
  throw new Error('a listing went on for 1,000 pages');
}
