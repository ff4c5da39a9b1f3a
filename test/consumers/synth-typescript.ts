/**
 * The TypeScript side of the three-language equality test: synthesizes the consumers' stack
 * (port 8080, 2 to 5 tasks) from the TypeScript sources and writes its template to the given file.
 * Usage: ts-node test/consumers/synth-typescript.ts <out.template.json>
 */
import * as fs from 'fs';
import { App, Stack } from 'aws-cdk-lib';
import { PrivateFargateBehindAlb } from '../../src';

const app = new App();
const stack = new Stack(app, 'Consumer');
new PrivateFargateBehindAlb(stack, 'Web', { port: 8080, minCapacity: 2, maxCapacity: 5 });
const template = app.synth().getStackByName('Consumer').template;
fs.writeFileSync(process.argv[2], JSON.stringify(template, null, 2));
