/**
 * Who may log in: console customers and operators, and operators on the HTTP Basic admin route.
 * Every check goes through the login guard first (too many failures lock a name and an address),
 * and a refusal takes as long whether or not the name exists.
 */
import { randomBytes } from 'node:crypto';
import type { AccountStore, LoginStore, SessionRole } from '../../store/store.js';
import type { LoginGuard } from './login-throttle.js';
import { checkNewPassword, hashPassword, verifyPassword } from './passwords.js';

export type LoginStoreNeeds = Pick<
  LoginStore,
  'getOperator' | 'getOperatorById' | 'getAccountPasswordHash' | 'setAccountPassword' | 'setOperatorPassword'
> &
  Pick<AccountStore, 'getAccountByName'>;

export interface LoggedIn {
  role: SessionRole;
  /** The account id (customer) or the operator id. */
  subjectId: number;
  name: string;
}

/** Refused: wrong name or password, or locked out for a while (`retryAfterSeconds`). */
export class LoginRefusedError extends Error {
  constructor(
    readonly reason: 'bad_credentials' | 'too_many_attempts' | 'account_suspended',
    readonly retryAfterSeconds = 0,
  ) {
    super(
      reason === 'too_many_attempts'
        ? 'too many failed attempts; try again later'
        : reason === 'account_suspended'
          ? 'the account is suspended'
          : 'wrong name or password',
    );
    this.name = 'LoginRefusedError';
  }
}

export class LoginService {
  /**
   * Verified when the user does not exist or has no password, so that the time a refusal takes
   * does not tell which names exist. Made once, on first use.
   */
  #dummyHash: Promise<string> | undefined;

  constructor(
    private readonly store: LoginStoreNeeds,
    private readonly guard: LoginGuard,
  ) {}

  /**
   * The user a name and password identify; LoginRefusedError otherwise. `role` is the one the
   * login page was on: credentials of the other role log in as that role (an operator typing on
   * the customer tab is an operator), the page's role first when both would match.
   */
  async logIn(role: SessionRole, name: string, password: string, ip: string): Promise<LoggedIn> {
    await this.#refuseWhileLocked(role, name, ip);
    const other: SessionRole = role === 'customer' ? 'operator' : 'customer';
    // Both are checked whatever the first answers: a refusal takes as long either way.
    const [chosen, otherwise] = await Promise.all([
      this.#check(role, name, password),
      this.#check(other, name, password),
    ]);
    const found = chosen ? { ...chosen, role } : otherwise ? { ...otherwise, role: other } : undefined;
    if (!found) {
      await this.guard.recordFailure(role, name, ip);
      throw new LoginRefusedError('bad_credentials');
    }
    // Said only to whoever knows the password: it tells nothing to someone guessing.
    if (found.suspended) throw new LoginRefusedError('account_suspended');
    await this.guard.recordSuccess(found.role, name);
    return { role: found.role, subjectId: found.subjectId, name: found.name };
  }

  /**
   * Changes a logged-in user's own password, which must be given again: a stolen session is no
   * way to guess it (the same limits as a login). Every other session of the user ends.
   */
  async changeOwnPassword(user: LoggedIn, current: string, next: string, ip: string): Promise<void> {
    const checked = checkNewPassword(next);
    await this.#refuseWhileLocked(user.role, user.name, ip);
    if (!(await this.#matches(current, await this.#storedHash(user.role, user.subjectId)))) {
      await this.guard.recordFailure(user.role, user.name, ip);
      throw new LoginRefusedError('bad_credentials');
    }
    const hash = await hashPassword(checked);
    if (user.role === 'customer')
      await this.store.setAccountPassword(user.subjectId, hash, { endSessions: true });
    else await this.store.setOperatorPassword(user.subjectId, hash, { endSessions: true });
  }

  async #refuseWhileLocked(role: string, name: string, ip: string): Promise<void> {
    const wait = await this.guard.retryAfterSeconds(role, name, ip);
    if (wait > 0) throw new LoginRefusedError('too_many_attempts', wait);
  }

  async #matches(password: string, hash: string | null | undefined): Promise<boolean> {
    const matches = await verifyPassword(
      password,
      hash ?? (await (this.#dummyHash ??= hashPassword(randomBytes(16).toString('hex')))),
    );
    return matches && hash !== null && hash !== undefined;
  }

  async #check(
    role: SessionRole,
    name: string,
    password: string,
  ): Promise<{ subjectId: number; name: string; suspended: boolean } | undefined> {
    if (role === 'operator') {
      const operator = await this.store.getOperator(name);
      if (!(await this.#matches(password, operator?.passwordHash)) || !operator) return undefined;
      return { subjectId: operator.id, name: operator.username, suspended: false };
    }
    const account = await this.store.getAccountByName(name);
    const hash = account ? await this.store.getAccountPasswordHash(account.id) : null;
    if (!(await this.#matches(password, hash)) || !account) return undefined;
    return { subjectId: account.id, name: account.name, suspended: account.status !== 'active' };
  }

  async #storedHash(role: SessionRole, subjectId: number): Promise<string | null> {
    if (role === 'customer') return this.store.getAccountPasswordHash(subjectId);
    return (await this.store.getOperatorById(subjectId))?.passwordHash ?? null;
  }
}
