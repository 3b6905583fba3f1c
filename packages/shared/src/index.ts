export * from './entities.js';
export * from './events.js';
export * from './graph.js';
export * from './ids.js';
