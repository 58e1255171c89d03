// The group screen's controls follow the server's role rules (chats/service.py).
import { describe, expect, it } from 'vitest';
import { groupPermissions, memberPermissions } from '../../src/renderer/lib/roles.js';

const allowed = (permissions) => Object.fromEntries(Object.entries(permissions).map(([k, v]) => [k, v.allowed]));

describe('role → controls', () => {
  it('owner and admins rename and add; members do not; everyone may leave', () => {
    expect(allowed(groupPermissions('owner'))).toEqual({ rename: true, add: true, leave: true });
    expect(allowed(groupPermissions('admin'))).toEqual({ rename: true, add: true, leave: true });
    expect(allowed(groupPermissions('member'))).toEqual({ rename: false, add: false, leave: true });
    expect(allowed(groupPermissions(null))).toEqual({ rename: false, add: false, leave: false });
  });

  it('the owner removes anyone but themself and alone makes or unmakes admins', () => {
    expect(allowed(memberPermissions('owner', 'member'))).toEqual({ remove: true, makeAdmin: true, removeAdmin: false });
    expect(allowed(memberPermissions('owner', 'admin'))).toEqual({ remove: true, makeAdmin: false, removeAdmin: true });
  });

  it('admins remove plain members only and never change roles', () => {
    expect(allowed(memberPermissions('admin', 'member'))).toEqual({ remove: true, makeAdmin: false, removeAdmin: false });
    expect(allowed(memberPermissions('admin', 'admin'))).toEqual({ remove: false, makeAdmin: false, removeAdmin: false });
    expect(allowed(memberPermissions('admin', 'owner'))).toEqual({ remove: false, makeAdmin: false, removeAdmin: false });
  });

  it('members change nothing about others', () => {
    for (const theirs of ['owner', 'admin', 'member']) {
      expect(allowed(memberPermissions('member', theirs))).toEqual({ remove: false, makeAdmin: false, removeAdmin: false });
    }
  });

  it('every refusal says why in words', () => {
    const all = [
      ...Object.values(groupPermissions('member')),
      ...['owner', 'admin', 'member'].flatMap((mine) =>
        ['owner', 'admin', 'member'].flatMap((theirs) => Object.values(memberPermissions(mine, theirs)))),
    ];
    for (const permission of all) {
      if (permission.allowed) expect(permission.reason).toBe('');
      else expect(permission.reason).toMatch(/^[A-Z].+\.$/);
    }
    expect(memberPermissions('admin', 'admin').remove.reason).toMatch(/only members/);
    expect(memberPermissions('admin', 'member').makeAdmin.reason).toMatch(/Only the owner/);
  });
});
