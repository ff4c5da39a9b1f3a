/**
 * The app the benchmark hands to the cdk CLI (`cdk synth --app ...`): one stack of N services of one
 * side, read from the environment. BENCH_SIDE is construct, rolling, shared, peer (with a canary by
 * hand) or peerRolling; BENCH_SERVICES is N; BENCH_LIBRARY is the directory of the library's compiled
 * JavaScript (as users get it from npm), else the TypeScript of src/.
 */
import { App, Stack } from 'aws-cdk-lib';
import type * as library from '../src';
import { buildConstruct, buildPeer } from './bench-setups';

const side = process.env.BENCH_SIDE ?? 'construct';
const count = Number(process.env.BENCH_SERVICES ?? 10);
// No limit: a side may pass 500 resources.
const app = new App({ context: { '@aws-cdk/core:stackResourceLimit': 0 } });
const stack = new Stack(app, 'Bench');
if (side === 'peer' || side === 'peerRolling') {
  buildPeer(stack, count, true, side === 'peer');
} else {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lib: typeof library = require(process.env.BENCH_LIBRARY ?? '../src');
  buildConstruct(lib, stack, count, { shareLoadBalancer: side === 'shared', rolling: side === 'rolling' });
}
app.synth();
