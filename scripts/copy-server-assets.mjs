// Copies the server's non-TypeScript assets (SQL migrations) next to the compiled code.
import { cpSync } from 'node:fs';
cpSync('src/server/db/migrations', 'out/server/server/db/migrations', { recursive: true });
