import { BacklogError } from '../../../src/core/errors.js';

/**
 * The domain error a call fails with, for assertions on what the caller is told: the kind
 * (which the doors turn into an HTTP status or an MCP error), the field and the message.
 */
export async function rejection(promise: Promise<unknown>): Promise<BacklogError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof BacklogError) return error;
    throw error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
