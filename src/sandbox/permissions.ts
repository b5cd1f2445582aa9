import { OverwriteType, PermissionFlagsBits } from 'discord.js';

// A member's permissions in a channel, computed the way Discord documents it: the union of their roles (with
// @everyone), everything for an administrator, then the channel's overwrites in order: @everyone's, the roles'
// together, the member's own. Without View Channel nothing else applies.
// https://discord.com/developers/docs/topics/permissions#permission-overwrites

export interface Role {
  id: string;
  name: string;
  permissions: bigint;
  position: number;
}

export interface Overwrite {
  /** A role id (the guild id for @everyone) or a member id. */
  id: string;
  type: OverwriteType;
  allow: bigint;
  deny: bigint;
}

export const ALL_PERMISSIONS = Object.values(PermissionFlagsBits).reduce((all, bit) => all | bit, 0n);

export interface PermissionSubject {
  id: string;
  roles: readonly string[];
}

export function computePermissions(guildId: string, roles: readonly Role[], member: PermissionSubject, overwrites: readonly Overwrite[]): bigint {
  let permissions = roles.filter((r) => r.id === guildId || member.roles.includes(r.id)).reduce((p, r) => p | r.permissions, 0n);
  if (permissions & PermissionFlagsBits.Administrator) return ALL_PERMISSIONS;
  const apply = (allow: bigint, deny: bigint) => {
    permissions = (permissions & ~deny) | allow;
  };
  const everyone = overwrites.find((o) => o.type === OverwriteType.Role && o.id === guildId);
  if (everyone) apply(everyone.allow, everyone.deny);
  const ofRoles = overwrites.filter((o) => o.type === OverwriteType.Role && o.id !== guildId && member.roles.includes(o.id));
  apply(ofRoles.reduce((p, o) => p | o.allow, 0n), ofRoles.reduce((p, o) => p | o.deny, 0n));
  const own = overwrites.find((o) => o.type === OverwriteType.Member && o.id === member.id);
  if (own) apply(own.allow, own.deny);
  return permissions & PermissionFlagsBits.ViewChannel ? permissions : 0n;
}

/** An overwrite as channel objects carry it: bitfields as decimal strings. */
export function wireOverwrite(overwrite: Overwrite): Record<string, unknown> {
  return { id: overwrite.id, type: overwrite.type, allow: overwrite.allow.toString(), deny: overwrite.deny.toString() };
}
