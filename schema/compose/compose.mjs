// Compose subgraphs into a supergraph with @theguild/federation-composition.
// stdin: [{"name", "url", "sdl"}]; stdout: the supergraph SDL; exit 1 with the errors on stderr.
import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { readFileSync } from 'node:fs';

const services = JSON.parse(readFileSync(0, 'utf8'));
const result = composeServices(
  services.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })),
);
if (result.errors && result.errors.length) {
  process.stderr.write(JSON.stringify(result.errors.map((e) => e.message), null, 2));
  process.exit(1);
}
process.stdout.write(result.supergraphSdl);
