/**
 * The records and paging types every repository interface shares (types.ts, types-iam-extras.ts),
 * in a file of their own so those files do not import each other. Same conventions as types.ts.
 */
export interface Page<T> {
  items: T[];
  /** Present when more rows follow; pass as `after` to get the next page. */
  marker?: string;
}

export interface PageRequest {
  /** Only entities whose path starts with this (default "/"). */
  pathPrefix?: string;
  /** The marker of the previous page. */
  after?: string;
  /** Page size, 1–1000. */
  limit: number;
}

export interface Tag {
  key: string;
  value: string;
}

export interface RoleRecord {
  id: string;
  accountId: string;
  name: string;
  path: string;
  assumeRolePolicy: string;
  description: string | null;
  maxSessionDuration: number;
  permissionsBoundary: string | null;
  tags: Tag[];
  createdAt: number;
}

export type OwnerKind = 'user' | 'group' | 'role';

export type KeyStatus = 'Active' | 'Inactive';
