import { unreachableServices } from './services';

/** globalSetup of the integration tier: without its servers it fails loudly instead of passing empty. */
export default async function requireServices(): Promise<void> {
  const down = await unreachableServices();
  if (down.length > 0) {
    throw new Error(`The integration tier needs real servers, and these did not answer:\n  ${down.join('\n  ')}`);
  }
}
