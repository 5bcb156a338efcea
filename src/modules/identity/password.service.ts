import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';
import { ValidationError } from '@app/common';

// OWASP's argon2id baseline (19 MiB, 2 passes): ~20 ms here, slow enough for attackers, fine for logins.
const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

const COMMON_PASSWORDS = new Set([
  'password', 'password1', 'password123', '12345678', '123456789', '1234567890', 'qwerty123', 'qwertyuiop',
  'iloveyou', 'admin123', 'welcome1', 'letmein1', 'abc12345', 'passw0rd', 'changeme', 'football1',
]);

/** The rules every new password meets; returns what is wrong, or nothing. */
export function passwordProblems(password: string, email?: string): string[] {
  const problems: string[] = [];
  if (password.length < 10) problems.push('must be at least 10 characters long');
  if (password.length > 128) problems.push('must be at most 128 characters long');
  if (!/[A-Za-z]/.test(password) || !/[0-9]/.test(password)) problems.push('must contain letters and digits');
  if (COMMON_PASSWORDS.has(password.toLowerCase())) problems.push('is too common');
  if (email && password.toLowerCase().includes(email.split('@')[0].toLowerCase()) && email.split('@')[0].length >= 4) {
    problems.push('must not contain the email name');
  }
  return problems;
}

@Injectable()
export class PasswordService {
  // Verified against when the email is unknown, so "no such user" takes as long as "wrong password".
  private readonly dummyHash = argon2.hash('not-a-real-password-0', ARGON2_OPTIONS);

  assertStrong(password: string, email?: string): void {
    const problems = passwordProblems(password, email);
    if (problems.length) throw new ValidationError(`password: ${problems[0]}`, { password: problems });
  }

  hash(password: string): Promise<string> {
    return argon2.hash(password, ARGON2_OPTIONS);
  }

  async verify(hash: string | null | undefined, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash ?? (await this.dummyHash), password);
    } catch {
      return false;
    }
  }
}
