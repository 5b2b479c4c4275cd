/*
 * EventBridge Scheduler's recurring expressions, checked when a kind is defined so that a bad
 * one fails the synth with a reason instead of the deploy with CloudFormation's.
 */

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((.+)\)$/;
/** Per cron field: its name, the characters it may hold, and the range of its plain numbers. */
const CRON_FIELDS: ReadonlyArray<{ name: string; chars: RegExp; min: number; max: number }> = [
  { name: 'minutes', chars: /^[\d,\-*/]+$/, min: 0, max: 59 },
  { name: 'hours', chars: /^[\d,\-*/]+$/, min: 0, max: 23 },
  { name: 'day-of-month', chars: /^[\d,\-*?/LW]+$/, min: 1, max: 31 },
  { name: 'month', chars: /^([\d,\-*/]|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)+$/i, min: 1, max: 12 },
  { name: 'day-of-week', chars: /^([\d,\-*?/L#]|SUN|MON|TUE|WED|THU|FRI|SAT)+$/i, min: 1, max: 7 },
  { name: 'year', chars: /^[\d,\-*/]+$/, min: 1970, max: 2199 },
];

/** Why `expression` is not a schedule expression EventBridge Scheduler takes, or undefined. */
export function scheduleExpressionProblem(expression: string): string | undefined {
  const rate = RATE.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    if (value < 1) return 'a rate must be at least 1';
    if ((value === 1) !== !rate[2]!.endsWith('s')) return `a rate of ${value} takes the ${value === 1 ? 'singular' : 'plural'} unit, like rate(${value} ${value === 1 ? 'hour' : 'hours'})`;
    return undefined;
  }
  const cron = CRON.exec(expression);
  if (!cron) return 'it must be cron(minutes hours day-of-month month day-of-week year) or rate(value unit)';
  const fields = cron[1]!.trim().split(/\s+/);
  if (fields.length !== 6) return `cron(…) takes 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`;
  for (const [i, field] of fields.entries()) {
    const spec = CRON_FIELDS[i]!;
    if (!spec.chars.test(field)) return `the ${spec.name} field "${field}" has characters it cannot take`;
    const [values, step] = field.replace(/#[1-5]$/, '').split('/');
    if (step !== undefined && !(Number(step) >= 1)) return `the ${spec.name} field "${field}" needs a whole step of at least 1 after /`;
    const outside = (values!.match(/\d+/g) ?? []).map(Number).find((n) => n < spec.min || n > spec.max);
    if (outside !== undefined) return `the ${spec.name} field "${field}" has ${outside}, outside ${spec.min}–${spec.max}`;
  }
  const [, , dayOfMonth, , dayOfWeek] = fields;
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) return 'exactly one of day-of-month and day-of-week must be ? (the other one says which days)';
  return undefined;
}
