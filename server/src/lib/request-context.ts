import type { Role } from '@stockverify/shared';

/** Who did something, as services see it. */
export interface Actor {
  id: string;
  username: string;
  role: Role;
}

/** Facts about the request an audit entry records beside the actor. */
export interface RequestMeta {
  request_id: string | null;
  ip: string | null;
}
