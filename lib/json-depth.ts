/** The deepest a payload may nest, in objects and arrays: deeper JSON is refused, not parsed into a stack overflow later. */
export const MAX_JSON_DEPTH = 100;

/**
 * Whether JSON text nests objects and arrays deeper than `max`: one pass over the characters,
 * skipping strings, with no recursion — so even a hostile body of 200,000 `[`s is measured, not
 * parsed, serialised or validated into a stack overflow.
 */
export function nestsDeeperThan(json: string, max: number = MAX_JSON_DEPTH): boolean {
  // Nesting never goes deeper than the brackets that open it: counting them (indexOf, native) settles most texts at once.
  if (opensAtMost(json, max)) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

/** Whether `json` has at most `max` opening brackets (`{` or `[`, in strings too). */
function opensAtMost(json: string, max: number): boolean {
  let opens = 0;
  for (const bracket of ['{', '[']) {
    for (let i = json.indexOf(bracket); i !== -1; i = json.indexOf(bracket, i + 1)) if (++opens > max) return false;
  }
  return true;
}
