// Copies the server's non-TypeScript assets (SQL migrations, the number attribution table) next to the compiled code.
import { cpSync } from 'node:fs';
cpSync('src/server/db/migrations', 'out/server/server/db/migrations', { recursive: true });
cpSync('src/server/modules/callers/number-attribution.sample.json', 'out/server/server/modules/callers/number-attribution.sample.json');
