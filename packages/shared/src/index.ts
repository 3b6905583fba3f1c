export * from './entities.js';
export * from './events.js';
export * from './ids.js';
