/** The environment of a shell with no AWS settings at all (nor CDK's or jobline's). */
export function bareEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_') && !name.startsWith('CDK_') && !name.startsWith('JOBLINE_')));
}
