/** §Roles. Ranked: an operator may do what a user may, an admin everything. */
export const ROLES = ['user', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { user: 0, operator: 1, admin: 2 };

/** Who is calling: the user behind a verified token, as the database knows them now. */
export interface AuthUser {
  id: string;
  username: string;
  role: Role;
}

export function hasRole(user: Pick<AuthUser, 'role'>, required: Role): boolean {
  return RANK[user.role] >= RANK[required];
}
