import { SetMetadata } from '@nestjs/common';

/** Who may call what (issue: ingest, editor, auditor, admin, reader). admin may call everything. */
export const ROLES = ['ingest', 'editor', 'auditor', 'admin', 'reader'] as const;
export type Role = (typeof ROLES)[number];

export const ROLES_KEY = 'ked:roles';
export const PUBLIC_KEY = 'ked:public';

/** The roles that may call a route (any one of them suffices; admin always may). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** A route anyone may call without a key (health, metrics). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
