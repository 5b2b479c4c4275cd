/** `name` (a lane, kind or schedule name such as `email.send`) as a PascalCase part of a construct id (`EmailSend`). */
export function pascal(name: string): string {
  return name.split(/[^a-zA-Z0-9]+/).filter(Boolean).map((p) => p[0]!.toUpperCase() + p.slice(1)).join('');
}
