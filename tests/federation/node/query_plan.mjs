// Print Apollo's query plan for an operation (to study hard cases).
// usage: node query_plan.mjs SUPERGRAPH_FILE QUERY
import { QueryPlanner, prettyFormatQueryPlan } from '@apollo/query-planner';
import { Supergraph, operationFromDocument } from '@apollo/federation-internals';
import { parse } from 'graphql';
import { readFileSync } from 'node:fs';

const [file, query] = process.argv.slice(2);
const supergraph = Supergraph.build(readFileSync(file, 'utf8'));
const planner = new QueryPlanner(supergraph);
const operation = operationFromDocument(supergraph.schema, parse(query));
process.stdout.write(prettyFormatQueryPlan(planner.buildQueryPlan(operation)) + '\n');
