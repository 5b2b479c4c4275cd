/** `npm run pack:local`: builds and packs jobline into .jobline/pack/jobline.tgz, which the examples install. */
import { packJobline } from './lib/pack.js';

console.log(`packed ${packJobline()}`);
