/** npm run demo: the main job on its embedded default (no download, no GPU). Grows with the toolkit. */
import { main } from '../src/cli/main.ts';

for (const solver of ['euler', 'heun', 'dpmpp-2m']) await main(['solve', '--model', 'mixture', '--solver', solver, '--steps', '50', '--n', '8']);
