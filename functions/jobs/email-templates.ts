/** A plain-text email template; `{{name}}` placeholders are filled from the job's variables. */
export interface EmailTemplate {
  readonly subject: string;
  readonly text: string;
}

/** The templates `email.send` knows. */
export const EMAIL_TEMPLATES: Readonly<Record<string, EmailTemplate>> = {
  welcome: {
    subject: 'Welcome to jobline, {{name}}',
    text: 'Hi {{name}},\n\nYour account is ready. Jobs you enqueue now run on managed AWS services only.\n\n— jobline',
  },
  'report-ready': {
    subject: 'Your {{type}} report for {{from}} – {{to}} is ready',
    text: 'Your {{type}} report ({{rows}} rows, {{format}}) is ready. Download it within 24 hours:\n\n{{link}}\n\n— jobline',
  },
};

/** Fills `{{name}}` placeholders; returns the names that had no value. */
export function render(template: string, variables: Readonly<Record<string, string>>): { text: string; missing: string[] } {
  const missing: string[] = [];
  const text = template.replace(/\{\{\s*([a-zA-Z0-9_]+)\s*\}\}/g, (_, name: string) => {
    const value = variables[name];
    if (value === undefined) missing.push(name);
    return value ?? '';
  });
  return { text, missing };
}
