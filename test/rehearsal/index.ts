/** The rehearsal: what AWS enforces across the stacks of an app, and over an update of it. */
export * from './synth';
export * from './resolve';
export * from './keys';
export * from './update';
export * from './routing';
export * from './table';
