// Apollo Gateway (@apollo/gateway on @apollo/server's standalone HTTP server), as its docs set it up.
// usage: node apollo.mjs SUPERGRAPH_FILE PORT ; prints "ready URL" once listening.
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { readFileSync } from 'node:fs';

const [file, port] = process.argv.slice(2);
const gateway = new ApolloGateway({ supergraphSdl: readFileSync(file, 'utf8') });
const server = new ApolloServer({ gateway, includeStacktraceInErrorResponses: false });
const { url } = await startStandaloneServer(server, {
  listen: { port: Number(port), host: '127.0.0.1' },
});
process.stdout.write(`ready ${url}\n`);
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.stop().finally(() => process.exit(0)));
}
