/**
 * The common lib's testing entry, `@app/common/testing`: fixtures many specs share. Only test/, bench/ and
 * specs may import it (dependency rules).
 */
import type { Principal } from './principal';

/** A caller without allow-lists (it may use every model), with whatever `overrides` a test needs. */
export function testPrincipal(overrides: Partial<Principal> = {}): Principal {
  return {
    keyId: 'key_1',
    maskedKey: 'sy-test-Ab12…wxyz',
    keyName: 'test',
    owner: null,
    projectId: 'project_1',
    teamId: 'team_1',
    environment: 'test',
    allowedModels: null,
    allowedTiers: null,
    projectAllowedModels: null,
    projectAllowedTiers: null,
    ...overrides,
  };
}
