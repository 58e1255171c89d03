// What my role in a group lets me do, mirroring the server's rules (chats/service.py):
// owner and admins rename and add people; the owner removes anyone and alone makes or
// unmakes admins; admins remove plain members only; anyone may leave. The group
// screen enables a control only when the server would allow it, and says why not.

/** @typedef {'owner' | 'admin' | 'member'} Role */
/** @typedef {{allowed: boolean, reason: string}} Permission */

/** @param {string} reason @returns {Permission} */
const no = (reason) => ({ allowed: false, reason });
/** @type {Permission} */
const yes = Object.freeze({ allowed: true, reason: '' });

/** @param {Role | null | undefined} role */
const manages = (role) => role === 'owner' || role === 'admin';

/**
 * What I may do to the group itself.
 * @param {Role | null | undefined} myRole  null when I am not (or no longer) a member
 * @returns {{rename: Permission, add: Permission, leave: Permission}}
 */
export function groupPermissions(myRole) {
  if (!myRole) {
    const gone = no('You are no longer a member of this group.');
    return { rename: gone, add: gone, leave: gone };
  }
  return {
    rename: manages(myRole) ? yes : no('Only the owner and admins can rename the group.'),
    add: manages(myRole) ? yes : no('Only the owner and admins can add people.'),
    leave: yes,
  };
}

/**
 * What I may do to one member (not myself: leaving is `groupPermissions().leave`).
 * @param {Role | null | undefined} myRole
 * @param {Role} theirRole
 * @returns {{remove: Permission, makeAdmin: Permission, removeAdmin: Permission}}
 */
export function memberPermissions(myRole, theirRole) {
  let remove = yes;
  if (!manages(myRole)) remove = no('Only the owner and admins can remove people.');
  else if (theirRole === 'owner') remove = no('The owner cannot be removed.');
  else if (myRole === 'admin' && theirRole === 'admin') remove = no('Admins can remove only members, not other admins.');

  const ownerOnly = myRole === 'owner' ? null : no('Only the owner can make or unmake admins.');
  const makeAdmin = ownerOnly ?? (theirRole === 'member' ? yes : no(theirRole === 'admin' ? 'Already an admin.' : 'The owner keeps the owner role.'));
  const removeAdmin = ownerOnly ?? (theirRole === 'admin' ? yes : no('Not an admin.'));
  return { remove, makeAdmin, removeAdmin };
}

/** @type {Record<Role, string>} */
export const ROLE_LABEL = { owner: 'Owner', admin: 'Admin', member: 'Member' };
