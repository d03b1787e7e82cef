/** argon2id with deliberate, configurable cost (STACK trap 9). */
import argon2 from 'argon2';

export interface PasswordCost {
  memoryKib: number;
  timeCost: number;
  parallelism: number;
}

export class Passwords {
  /** Verified against when the user does not exist, so both answers take as long. */
  private dummyHash: Promise<string>;

  constructor(private readonly cost: PasswordCost) {
    this.dummyHash = this.hash('not a real password, only a timing decoy');
  }

  hash(password: string): Promise<string> {
    return argon2.hash(password, {
      type: argon2.argon2id,
      memoryCost: this.cost.memoryKib,
      timeCost: this.cost.timeCost,
      parallelism: this.cost.parallelism,
    });
  }

  async verify(hash: string | null, password: string): Promise<boolean> {
    if (hash === null) {
      await argon2.verify(await this.dummyHash, password).catch(() => false);
      return false;
    }
    return argon2.verify(hash, password).catch(() => false);
  }
}
