import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporalBinary } from './temporalBinary.ts';

/** The SDK's local test environment on the real dev server this project provisions (no download). */
export async function localTestEnv(): Promise<TestWorkflowEnvironment> {
  const path = await temporalBinary();
  return TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path }, ip: '127.0.0.1' } });
}
