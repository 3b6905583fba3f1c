export * from './entities.js';
export * from './ids.js';
export * from './schemas.js';
