import { Injectable } from '@nestjs/common';
import { AppConfigService, ValidationError } from '@app/core';
import { PermanentJobError } from '@app/jobs';
import { loadProfiles, profileFor } from './parsing';
import { CANONICAL_PROFILE, SettlementProfile } from './settlement-record';

/** The source profiles declared in SETTLEMENT_PROFILES, read once at boot (a bad file stops boot). */
@Injectable()
export class SettlementProfiles {
  private readonly profiles: SettlementProfile[];

  constructor(config: AppConfigService) {
    const file = config.get('settlementIngest').profilesFile;
    try {
      this.profiles = file ? loadProfiles(file) : [];
    } catch (error) {
      throw new Error(`SETTLEMENT_PROFILES: ${(error as Error).message}`, { cause: error });
    }
  }

  /** The profile for a file found in the inbox at `relativePath`, or named explicitly (an upload's `profile`). */
  resolve(relativePath: string, explicitName?: string): SettlementProfile {
    try {
      return profileFor(relativePath, this.profiles, explicitName);
    } catch (error) {
      throw new ValidationError(`profile: ${(error as Error).message}`);
    }
  }

  /** The profile recorded on a file when it was received. */
  byName(name: string | null): SettlementProfile {
    if (!name || name === CANONICAL_PROFILE.name) return CANONICAL_PROFILE;
    const profile = this.profiles.find((p) => p.name === name);
    if (!profile) throw new PermanentJobError(`profile "${name}" is no longer declared in SETTLEMENT_PROFILES`);
    return profile;
  }
}
